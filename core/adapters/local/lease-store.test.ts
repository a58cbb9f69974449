// The two local LeaseStores (in-process and file-based across processes) behave alike: one owner,
// renew only while ours, take over after expiry or release. The file store is raced for real.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnsafeIdentifierError } from '../../zoom/identifiers.ts';
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

describe('file lease store names', () => {
  it('one file per stream named by its stream key, inside the lease directory, whatever the id', async () => {
    const base = await mkdtemp(join(tmpdir(), 'lease-names-'));
    dirs.push(base);
    const s = createFileLeaseStore(join(base, 'leases'));
    for (const id of ['03db704592624398931a588dd78200cb', '..', '.', '../x', '__x__', 'a/b'])
      expect(await s.acquire(id, 'w', 30_000), id).toBe(true);
    expect((await readdir(join(base, 'leases'))).sort()).toEqual(
      [
        '03db704592624398931a588dd78200cb.json',
        '~Li4.json',
        '~Lg.json',
        '~Li4veA.json',
        '~X194X18.json',
        '~YS9i.json',
      ].sort(),
    );
    expect(await readdir(base)).toEqual(['leases']);
    await s.release('..', 'w');
    expect(await readdir(join(base, 'leases'))).not.toContain('~Li4.json');
    await expect(s.acquire('a\u0000b', 'w', 30_000)).rejects.toThrow(UnsafeIdentifierError);
  });
});
