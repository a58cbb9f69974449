import { spawn } from 'node:child_process';
import { write } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientUpstreamError } from '../../errors.ts';
import { createFileArchive } from './file-archive.ts';
import type { FileIo } from './durable-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-archive-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const body = Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{}}');

describe('file archive putIfAbsent', () => {
  it('creates once when the same key is written concurrently, and keeps the bytes', async () => {
    const archive = createFileArchive(dir);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => archive.putIfAbsent('raw/d/k.json', body, 'application/json')),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(await readFile(join(dir, 'raw', 'd', 'k.json'))).toEqual(body);
  });

  it('treats the same event re-serialised as already there', async () => {
    const archive = createFileArchive(dir);
    await archive.putIfAbsent('raw/d/k.json', body, 'application/json');
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(await archive.putIfAbsent('raw/d/k.json', pretty, 'application/json')).toBe('exists');
    expect(await readFile(join(dir, 'raw', 'd', 'k.json'))).toEqual(body);
  });

  it('replaces a copy a crash cut short', async () => {
    await mkdir(join(dir, 'raw', 'd'), { recursive: true });
    await writeFile(join(dir, 'raw', 'd', 'k.json'), body.subarray(0, 10));
    const archive = createFileArchive(dir);
    expect(await archive.putIfAbsent('raw/d/k.json', body, 'application/json')).toBe('created');
    expect(await readFile(join(dir, 'raw', 'd', 'k.json'))).toEqual(body);
  });

  it('lists keys under a prefix in lexical order and refuses keys that climb out', async () => {
    const archive = createFileArchive(dir);
    for (const k of ['raw/b/2.json', 'raw/a/1.json', 'raw/b/1.json', 'reports/x.csv'])
      await archive.put(k, body, 'x');
    const keys: string[] = [];
    for await (const k of archive.list('raw/')) keys.push(k);
    expect(keys).toEqual(['raw/a/1.json', 'raw/b/1.json', 'raw/b/2.json']);
    await expect(archive.putIfAbsent('../escape.json', body, 'x')).rejects.toThrow(/invalid object key/);
  });
});

/** The real write system call, except that the disk fills up after `okBytes` bytes while `full()`. */
function fillingDisk(okBytes: number, full: () => boolean): FileIo {
  let written = 0;
  return {
    write: (fd, buf, offset) =>
      new Promise((resolve, reject) => {
        const room = full() ? Math.max(0, okBytes - written) : buf.length - offset;
        if (room === 0)
          return reject(
            Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
          );
        const n = Math.min(room, buf.length - offset);
        write(fd, buf, offset, n, null, (err, done) => {
          if (err) return reject(err);
          written += done;
          resolve(done);
        });
      }),
  };
}

describe('file archive atomic writes', () => {
  const event = Buffer.from(
    JSON.stringify({ event: 'meeting.started', event_ts: 1, payload: { pad: 'p'.repeat(4000) } }),
  );

  it('a write cut short by a full disk leaves no final key and no temp file; the next delivery succeeds', async () => {
    let full = true;
    const archive = createFileArchive(dir, { io: fillingDisk(1000, () => full) });
    const err = await archive.putIfAbsent('raw/d/k.json', event, 'application/json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientUpstreamError);
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await readdir(join(dir, 'raw', 'd'))).toEqual([]);
    expect((await archive.health()).ok).toBe(false);

    full = false;
    expect(await archive.putIfAbsent('raw/d/k.json', event, 'application/json')).toBe('created');
    expect(await readFile(join(dir, 'raw', 'd', 'k.json'))).toEqual(event);
    expect(await readdir(join(dir, 'raw', 'd'))).toEqual(['k.json']);
    expect((await archive.health()).ok).toBe(true);
  });

  it('a crash between the temp write and its link: listing ignores the leftover, removes it once stale, and the event is written', async () => {
    const folder = join(dir, 'raw', 'd');
    await mkdir(folder, { recursive: true });
    // What kill -9 after the synced temp write and before the link leaves: a temp file, no key.
    await writeFile(join(folder, 'k.json.0123456789ab.tmp'), event);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(folder, 'k.json.0123456789ab.tmp'), hourAgo, hourAgo);
    // A temp file of a write still under way (fresh) is left alone.
    await writeFile(join(folder, 'j.json.ba9876543210.tmp'), event.subarray(0, 100));
    const archive = createFileArchive(dir);
    const keys: string[] = [];
    for await (const k of archive.list('raw/')) keys.push(k);
    expect(keys).toEqual([]);
    expect(await readdir(folder)).toEqual(['j.json.ba9876543210.tmp']);

    expect(await archive.putIfAbsent('raw/d/k.json', event, 'application/json')).toBe('created');
    expect(await readFile(join(folder, 'k.json'))).toEqual(event);
    expect(await archive.putIfAbsent('raw/d/k.json', event, 'application/json')).toBe('exists');
  });

  it('keeps writing after the folder it cached was deleted (space freed by hand)', async () => {
    const archive = createFileArchive(dir);
    await archive.putIfAbsent('raw/d/a.json', event, 'application/json');
    await rm(join(dir, 'raw'), { recursive: true });
    expect(await archive.putIfAbsent('raw/d/b.json', event, 'application/json')).toBe('created');
    expect(await readFile(join(dir, 'raw', 'd', 'b.json'))).toEqual(event);
    await archive.put('raw/d/c.json', event, 'application/json');
    expect((await archive.health()).ok).toBe(true);
  });
});

describe('file archive under kill -9', () => {
  it('never leaves a final key with partial bytes, and every key can still be delivered', async () => {
    // A writer process storing 256 KiB events (key i holds bytes all equal to i % 251), 4 at a time.
    const writer = `
      const { createFileArchive } = await import(${JSON.stringify(resolve('core/adapters/local/file-archive.ts'))});
      const archive = createFileArchive(${JSON.stringify(dir)});
      let next = 0;
      const body = (i) => Buffer.alloc(256 * 1024, i % 251);
      async function lane() { for (;;) { const i = next++; await archive.putIfAbsent('raw/d/' + i + '.json', body(i), 'x'); if (i === 8) console.log('ready'); } }
      for (let l = 0; l < 4; l++) void lane();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    await new Promise<void>((ready) =>
      child.stdout.on('data', (d: Buffer) => d.includes('ready') && ready()),
    );
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(errors).toBe('');

    const names = await readdir(join(dir, 'raw', 'd'));
    const keys = names.filter((n) => n.endsWith('.json'));
    expect(keys.length).toBeGreaterThan(8);
    const partial: string[] = [];
    for (const k of keys) {
      const i = Number(k.slice(0, -'.json'.length));
      if (!(await readFile(join(dir, 'raw', 'd', k))).equals(Buffer.alloc(256 * 1024, i % 251)))
        partial.push(k);
    }
    expect(partial).toEqual([]);
    // Whatever was under way (temp files at most) is delivered again: a key absent is created.
    const archive = createFileArchive(dir);
    const max = Math.max(...keys.map((k) => Number(k.slice(0, -5))));
    const results: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i <= max + 4; i++) {
      results.push(await archive.putIfAbsent(`raw/d/${i}.json`, Buffer.alloc(256 * 1024, i % 251), 'x'));
      expected.push(keys.includes(`${i}.json`) ? 'exists' : 'created');
    }
    expect(results).toEqual(expected);
  }, 20_000);
});
