// The two MediaStore adapters pass the same contract: S3 against s3rver in-process (real HTTP,
// multipart), and local files under a temp dir. No mocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import { InvalidObjectKeyError } from '../../core/adapters/object-keys.ts';
import { startTestS3Server, type TestS3Server } from '../s3-server.ts';

async function readAll(r: Readable | undefined): Promise<Buffer | undefined> {
  if (!r) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function keys(store: MediaStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

function contract(name: string, make: () => MediaStore): void {
  describe(name, () => {
    it('uploads buffers and streams, lists, gets and deletes by prefix', async () => {
      const store = make();
      const big = Buffer.alloc(12 * 1024 * 1024 + 17, 7); // over one multipart part
      expect(await store.upload('m-key/s1/a.txt', Buffer.from('hello'), 'text/plain')).toEqual({ bytes: 5 });
      expect(
        await store.upload(
          'm-key/s1/big.bin',
          Readable.from([big.subarray(0, 5e6), big.subarray(5e6)]),
          'application/octet-stream',
        ),
      ).toEqual({
        bytes: big.length,
      });
      await store.upload('m-key/s2/c.txt', Buffer.from('other stream'), 'text/plain');
      expect(await keys(store, 'm-key/s1/')).toEqual(['m-key/s1/a.txt', 'm-key/s1/big.bin']);
      expect((await readAll(await store.get('m-key/s1/big.bin')))?.equals(big)).toBe(true);
      expect(await store.get('m-key/s1/missing')).toBeUndefined();
      expect(await store.deletePrefix('m-key/s1/')).toBe(2);
      expect(await keys(store, 'm-key/s1/')).toEqual([]);
      expect(await keys(store, 'm-key/')).toEqual(['m-key/s2/c.txt']);
      expect((await store.health()).ok).toBe(true);
    });

    it('refuses keys that could leave the store and deletes that could reach all of it', async () => {
      const store = make();
      await store.upload('m-key/s9/keep.txt', Buffer.from('keep'), 'text/plain');
      for (const key of ['../x', 'a/../b', '/a', 'a//b', 'a/./b', 'a/..', 'a\u0000b', '', 'a\\..\\b'])
        await expect(store.upload(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow(
          InvalidObjectKeyError,
        );
      await expect(store.get('../x')).rejects.toThrow(InvalidObjectKeyError);
      for (const prefix of ['', 'm-key', '/', '../', 'm-key/../', 'm-key//'])
        await expect(store.deletePrefix(prefix), prefix).rejects.toThrow(InvalidObjectKeyError);
      await expect(keys(store, '../')).rejects.toThrow(InvalidObjectKeyError);
      expect(await keys(store, 'm-key/s9/')).toEqual(['m-key/s9/keep.txt']);
    });

    it('a source stream that fails mid-upload fails the upload (no hang, no object)', async () => {
      const store = make();
      let sent = 0;
      const failing = new Readable({
        read() {
          if (sent++ < 3) this.push(Buffer.alloc(64 * 1024, 1));
          else this.destroy(new Error('disk read failed'));
        },
      });
      await expect(
        store.upload('m-key/s3/broken.bin', failing, 'application/octet-stream'),
      ).rejects.toThrow();
      expect(await keys(store, 'm-key/s3/')).toEqual([]);
    });
  });
}

let s3: TestS3Server;
let dir: string;
beforeAll(async () => {
  s3 = await startTestS3Server();
  dir = await mkdtemp(join(tmpdir(), 'media-store-'));
});
afterAll(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

contract('S3 media store (s3rver)', () =>
  createS3MediaStore(
    { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' },
    silentLogger(),
    {
      credentials: s3.credentials,
      partSize: 5 * 1024 * 1024,
    },
  ),
);
contract('local media store', () => createLocalMediaStore(join(dir, 'local')));

describe('failures', () => {
  it('S3 unavailable: upload rejects with a transient error and health says so', async () => {
    const down = createS3MediaStore(
      { S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' },
      silentLogger(),
      {
        credentials: s3.credentials,
      },
    );
    await expect(down.upload('k', Buffer.from('x'), 'text/plain')).rejects.toThrow(/S3 upload failed for k/);
    expect((await down.health()).ok).toBe(false);
  });

  it('local store: files next to its root survive every refused key and delete', async () => {
    const base = join(dir, 'confined');
    const store = createLocalMediaStore(join(base, 's3'));
    await mkdir(join(base, 'gcs'), { recursive: true });
    await writeFile(join(base, 'gcs', 'archive.json'), '{}');
    await store.upload('k/s/a.txt', Buffer.from('a'), 'text/plain');
    await expect(store.deletePrefix('../gcs/')).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.upload('../gcs/archive.json', Buffer.from('x'), 'text/plain')).rejects.toThrow(
      InvalidObjectKeyError,
    );
    expect(await store.deletePrefix('k/s/')).toBe(1);
    expect(await readFile(join(base, 'gcs', 'archive.json'), 'utf8')).toBe('{}');
    expect(await readdir(join(base, 's3'))).toEqual([]);
  });

  it('local store leaves no temp file behind when the source stream fails', async () => {
    const store = createLocalMediaStore(join(dir, 'failing'));
    const bad = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.upload('a/b.bin', bad, 'application/octet-stream')).rejects.toThrow(
      /media store write failed/,
    );
    expect(await readdir(join(dir, 'failing', 'a'))).toEqual([]);
  });
});
