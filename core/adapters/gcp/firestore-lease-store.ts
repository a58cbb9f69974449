// One owner per RTMS stream across worker instances: `leases/{streamId}` {owner, expireAt} changed only
// inside Firestore transactions, with the same take/renew rule as the in-process store.
import { Timestamp, type DocumentData, type Transaction } from '@google-cloud/firestore';
import type { Logger } from '../../log.ts';
import type { LeaseStore } from '../../ports.ts';
import { TransientUpstreamError, errorMessage } from '../../errors.ts';
import { canTake, type Lease } from '../local/memory-lease-store.ts';
import { createFirestore, type FirestoreConfig } from './firestore-client.ts';
import { isTransient } from './upstream-errors.ts';
import { logSafe, streamKeyOf } from '../../zoom/identifiers.ts';

export interface FirestoreLeaseStoreOptions {
  now?: () => number;
}

export function createFirestoreLeaseStore(
  config: FirestoreConfig,
  log: Logger,
  opts: FirestoreLeaseStoreOptions = {},
): LeaseStore & { close(): Promise<void> } {
  const db = createFirestore(config);
  const now = opts.now ?? Date.now;
  // The stream key (identifiers.ts): never '/', '.', '..' or `__…__`, so always a valid document id.
  const ref = (streamId: string) => db.collection('leases').doc(streamKeyOf(streamId));
  const leaseOf = (data: DocumentData | undefined): Lease | undefined =>
    data
      ? { owner: data['owner'] as string, expiresAt: (data['expireAt'] as Timestamp).toMillis() }
      : undefined;

  async function run<T>(op: string, streamId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    try {
      return await db.runTransaction(fn, { maxAttempts: 5 });
    } catch (err) {
      log.warn(
        { op, streamId: logSafe(streamId), err: errorMessage(err) },
        'firestore lease transaction failed',
      );
      if (isTransient(err))
        throw new TransientUpstreamError(`lease ${op} failed: ${errorMessage(err)}`, { cause: err });
      throw err;
    }
  }

  return {
    acquire(streamId, owner, ttlMs) {
      return run('acquire', streamId, async (tx) => {
        const doc = ref(streamId);
        const t = now();
        if (!canTake(leaseOf((await tx.get(doc)).data()), owner, t)) return false;
        tx.set(doc, {
          owner,
          streamId,
          expireAt: Timestamp.fromMillis(t + ttlMs),
          updatedAt: Timestamp.fromMillis(t),
        });
        return true;
      });
    },

    renew(streamId, owner, ttlMs) {
      return run('renew', streamId, async (tx) => {
        const doc = ref(streamId);
        const t = now();
        const lease = leaseOf((await tx.get(doc)).data());
        if (!lease || lease.owner !== owner || lease.expiresAt <= t) return false;
        tx.update(doc, { expireAt: Timestamp.fromMillis(t + ttlMs), updatedAt: Timestamp.fromMillis(t) });
        return true;
      });
    },

    async release(streamId, owner) {
      await run('release', streamId, async (tx) => {
        const doc = ref(streamId);
        if (leaseOf((await tx.get(doc)).data())?.owner === owner) tx.delete(doc);
      });
    },

    close: () => db.terminate(),
  };
}
