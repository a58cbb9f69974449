// The Firestore lease store against the Firestore emulator (started with java), as two worker
// instances would use it: one owner, renew while ours, steal after expiry, release, real races.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestoreLeaseStore } from '../../core/adapters/gcp/firestore-lease-store.ts';
import { parseConfig, type Config } from '../../core/config.ts';
import { createFirestore } from '../../core/adapters/gcp/firestore-client.ts';
import { silentLogger } from '../../core/log.ts';
import { startFirestoreEmulator, type Emulator } from '../emulators.ts';

let emulator: Emulator;
const stores: { close(): Promise<void> }[] = [];
const configs: Config[] = [];

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
});
afterAll(async () => {
  await Promise.allSettled(stores.map((s) => s.close()));
  await emulator?.stop();
});

function twoInstances(now: () => number) {
  const config = parseConfig({
    GCP_PROJECT_ID: `leases-${randomUUID()}`,
    FIRESTORE_EMULATOR_HOST: emulator.host,
  });
  configs.push(config);
  const a = createFirestoreLeaseStore(config, silentLogger(), { now });
  const b = createFirestoreLeaseStore(config, silentLogger(), { now });
  stores.push(a, b);
  return [a, b] as const;
}

describe('firestore lease store', () => {
  it('one owner at a time across instances; renew while ours; steal after expiry; release', async () => {
    let t = 1_000_000;
    const [a, b] = twoInstances(() => t);
    const stream = 'stream/with+odd=chars';
    expect(await a.acquire(stream, 'worker-a', 30_000)).toBe(true);
    expect(await b.acquire(stream, 'worker-b', 30_000)).toBe(false);
    expect(await a.acquire(stream, 'worker-a', 30_000)).toBe(true);
    t += 20_000;
    expect(await a.renew(stream, 'worker-a', 30_000)).toBe(true);
    expect(await b.renew(stream, 'worker-b', 30_000)).toBe(false);
    t += 29_000;
    expect(await b.acquire(stream, 'worker-b', 30_000)).toBe(false);
    t += 2_000; // a's lease ran out: b steals it, and a learns it lost the stream
    expect(await b.acquire(stream, 'worker-b', 30_000)).toBe(true);
    expect(await a.renew(stream, 'worker-a', 30_000)).toBe(false);
    await a.release(stream, 'worker-a'); // not a's to release: no effect
    expect(await a.acquire(stream, 'worker-a', 30_000)).toBe(false);
    await b.release(stream, 'worker-b');
    expect(await a.acquire(stream, 'worker-a', 30_000)).toBe(true);
    expect(await b.renew('never-taken', 'worker-b', 30_000)).toBe(false);
  });

  it('lease documents are named by the stream key: "..", "." and "__x__" are leases like any other', async () => {
    const [a, b] = twoInstances(Date.now);
    for (const id of ['..', '.', '__x__', '../x']) {
      expect(await a.acquire(id, 'worker-a', 30_000), id).toBe(true);
      expect(await b.acquire(id, 'worker-b', 30_000), id).toBe(false);
    }
    const db = createFirestore(configs.at(-1)!);
    try {
      const ids = (await db.collection('leases').get()).docs.map((d) => d.id).sort();
      expect(ids).toEqual(['~Lg', '~Li4', '~Li4veA', '~X194X18']);
    } finally {
      await db.terminate();
    }
  });

  it('a race for a free lease has exactly one winner', async () => {
    const [a, b] = twoInstances(Date.now);
    const attempts = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? a : b).acquire('contested', `worker-${i}`, 60_000),
    );
    const won = (await Promise.all(attempts)).filter(Boolean);
    expect(won).toHaveLength(1);
  });
});
