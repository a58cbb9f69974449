// The two local LeaseStores (in-process and file-based across processes) behave alike: one owner,
// renew only while ours, take over after expiry or release. The file store is raced for real.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileLeaseStore } from './file-lease-store.ts';
import { createMemoryLeaseStore } from './memory-lease-store.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const kinds = {
  memory: async (now: () => number) => createMemoryLeaseStore(now),
  file: async (now: () => number) => {
    const dir = await mkdtemp(join(tmpdir(), 'lease-'));
    dirs.push(dir);
    return createFileLeaseStore(dir, now);
  },
};

describe.each(Object.entries(kinds))('%s lease store', (_name, make) => {
  it('one owner at a time; renew while ours; others take over after expiry or release', async () => {
    let t = 1_000;
    const s = await make(() => t);
    expect(await s.acquire('s1', 'a', 30_000)).toBe(true);
    expect(await s.acquire('s1', 'b', 30_000)).toBe(false);
    expect(await s.acquire('s1', 'a', 30_000)).toBe(true);
    expect(await s.acquire('s2', 'b', 30_000)).toBe(true);
    t += 20_000;
    expect(await s.renew('s1', 'a', 30_000)).toBe(true);
    expect(await s.renew('s1', 'b', 30_000)).toBe(false);
    t += 29_000;
    expect(await s.acquire('s1', 'b', 30_000)).toBe(false);
    t += 2_000;
    expect(await s.renew('s1', 'a', 30_000)).toBe(false);
    expect(await s.acquire('s1', 'b', 30_000)).toBe(true);
    await s.release('s1', 'a');
    expect(await s.acquire('s1', 'a', 30_000)).toBe(false);
    await s.release('s1', 'b');
    expect(await s.acquire('s1', 'a', 30_000)).toBe(true);
  });

  it('concurrent acquires: exactly one wins', async () => {
    const s = await make(Date.now);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.acquire('race', `w${i}`, 30_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
