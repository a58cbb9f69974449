// The port methods retention deletes and ages by: Archive.delete on the file archive and on Cloud
// Storage (the repo's GCS test server), MediaStore.listObjects on local files and S3 (s3rver).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcsArchive } from '../../core/adapters/gcp/gcs-archive.ts';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { parseConfig } from '../../core/config.ts';
import { TransientUpstreamError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { Archive, MediaStore, StoredObjectInfo } from '../../core/ports.ts';
import { startGcsServer, type GcsTestServer } from '../servers/gcs-server.ts';
import { startTestS3Server, type TestS3Server } from '../s3-server.ts';

let dir: string;
let gcs: GcsTestServer;
let s3: TestS3Server;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-retention-ports-'));
  gcs = await startGcsServer();
  s3 = await startTestS3Server();
});
afterAll(async () => {
  await gcs.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

async function keys(archive: Archive, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of archive.list(prefix)) out.push(k);
  return out;
}
async function objects(store: MediaStore, prefix: string): Promise<StoredObjectInfo[]> {
  const out: StoredObjectInfo[] = [];
  for await (const o of store.listObjects(prefix)) out.push(o);
  return out;
}
const body = Buffer.from('{"event":"meeting.started"}');

describe('file archive delete', () => {
  it('removes one key, says false for a missing key or a folder, and prunes the emptied date folder only', async () => {
    const root = join(dir, 'archive');
    const archive = createFileArchive(root);
    for (const k of ['raw/2025-01-01/a.json', 'raw/2025-01-01/b.json', 'raw/2025-01-02/c.json'])
      await archive.put(k, body, 'application/json');
    expect(await archive.delete('raw/2025-01-01/a.json')).toBe(true);
    expect(await archive.delete('raw/2025-01-01/a.json')).toBe(false);
    expect(await archive.delete('raw/2025-01-02')).toBe(false);
    expect(await keys(archive, 'raw/')).toEqual(['raw/2025-01-01/b.json', 'raw/2025-01-02/c.json']);
    expect(await archive.delete('raw/2025-01-01/b.json')).toBe(true);
    expect(existsSync(join(root, 'raw', '2025-01-01'))).toBe(false);
    expect(await archive.delete('raw/2025-01-02/c.json')).toBe(true);
    expect(existsSync(join(root, 'raw', '2025-01-02'))).toBe(false);
    expect(existsSync(join(root, 'raw'))).toBe(true);
    // The pruned folder is not remembered as existing: a new write there recreates it.
    expect(await archive.putIfAbsent('raw/2025-01-01/d.json', body, 'application/json')).toBe('created');
    expect(await archive.get('raw/2025-01-01/d.json')).toEqual(body);
  });

  it('refuses keys that climb out of the root', async () => {
    const archive = createFileArchive(join(dir, 'archive2'));
    await expect(archive.delete('../archive/raw/2025-01-01/d.json')).rejects.toThrow(/invalid object key/);
    await expect(archive.delete('raw/../../archive/raw/2025-01-01/d.json')).rejects.toThrow(
      /invalid object key/,
    );
    expect(existsSync(join(dir, 'archive', 'raw', '2025-01-01', 'd.json'))).toBe(true);
  });
});

describe('gcs archive delete', () => {
  const BUCKET = 'zoom-tracker-retention';
  const archive = (): Archive =>
    createGcsArchive(
      parseConfig({ GCP_PROJECT_ID: 'demo', GCS_BUCKET: BUCKET, STORAGE_EMULATOR_HOST: gcs.url }),
      silentLogger(),
      { maxRetries: 0 },
    );

  it('deletes the object by name (one DELETE), then says false', async () => {
    const a = archive();
    await a.put('reports/DAILY_REPORT_2025-01-01_000000000000.csv', body, 'text/csv');
    await a.put('reports/DAILY_REPORT_2025-01-02_000000000000.csv', body, 'text/csv');
    gcs.requests.length = 0;
    expect(await a.delete('reports/DAILY_REPORT_2025-01-01_000000000000.csv')).toBe(true);
    expect(gcs.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /storage/v1/b/${BUCKET}/o/reports%2FDAILY_REPORT_2025-01-01_000000000000.csv`,
    ]);
    expect([...(gcs.buckets.get(BUCKET)?.keys() ?? [])]).toEqual([
      'reports/DAILY_REPORT_2025-01-02_000000000000.csv',
    ]);
    expect(await a.delete('reports/DAILY_REPORT_2025-01-01_000000000000.csv')).toBe(false);
  });

  it('an outage while deleting is a TransientUpstreamError and the object stays', async () => {
    const a = archive();
    await a.put('raw/2025-01-01/x.json', body, 'application/json');
    gcs.fail(Infinity, 503);
    try {
      await expect(a.delete('raw/2025-01-01/x.json')).rejects.toBeInstanceOf(TransientUpstreamError);
    } finally {
      gcs.fail(0);
    }
    expect(gcs.buckets.get(BUCKET)?.has('raw/2025-01-01/x.json')).toBe(true);
  });
});

describe('media store listObjects', () => {
  it('local files: keys in order with their mtime and size', async () => {
    const root = join(dir, 's3');
    const store = createLocalMediaStore(root);
    await store.upload('mk/s1/manifest.json', Buffer.from('{}'), 'application/json');
    await store.upload('mk/s1/audio.wav', Buffer.alloc(44, 1), 'audio/wav');
    await store.upload('mk/s2/manifest.json', Buffer.from('{"a":1}'), 'application/json');
    const when = new Date('2025-03-04T05:06:07.000Z');
    await utimes(join(root, 'mk', 's1', 'audio.wav'), when, when);
    const listed = await objects(store, 'mk/s1/');
    expect(listed.map((o) => [o.key, o.bytes])).toEqual([
      ['mk/s1/audio.wav', 44],
      ['mk/s1/manifest.json', 2],
    ]);
    expect(listed[0]?.modifiedAt).toBe(when.getTime());
    expect((await objects(store, 'mk/')).map((o) => o.key)).toEqual([
      'mk/s1/audio.wav',
      'mk/s1/manifest.json',
      'mk/s2/manifest.json',
    ]);
  });

  it('S3: keys in order with LastModified (second precision) and size', async () => {
    const store = createS3MediaStore(
      { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' },
      silentLogger(),
      { credentials: s3.credentials },
    );
    const before = Math.floor(Date.now() / 1000) * 1000;
    await store.upload('mk/s1/transcript.vtt', Buffer.from('WEBVTT\n'), 'text/vtt');
    await store.upload('mk/s1/audio.wav', Buffer.alloc(44, 1), 'audio/wav');
    const after = Date.now();
    const listed = await objects(store, 'mk/s1/');
    expect(listed.map((o) => [o.key, o.bytes])).toEqual([
      ['mk/s1/audio.wav', 44],
      ['mk/s1/transcript.vtt', 7],
    ]);
    for (const o of listed) {
      expect(o.modifiedAt).toBeGreaterThanOrEqual(before);
      expect(o.modifiedAt).toBeLessThanOrEqual(after);
    }
  });
});
