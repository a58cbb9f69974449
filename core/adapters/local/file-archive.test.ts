import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from './file-archive.ts';

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
