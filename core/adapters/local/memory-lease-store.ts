// In-process LeaseStore (one owner per RTMS stream) with an injectable clock: the embedded default
// for a single worker process, and the reference behaviour the Firestore lease must match.
import type { LeaseStore } from '../../ports.ts';

export interface Lease {
  owner: string;
  expiresAt: number;
}

/** The one rule every lease store applies: free, expired or already ours can be taken. */
export function canTake(lease: Lease | undefined, owner: string, now: number): boolean {
  return lease === undefined || lease.owner === owner || lease.expiresAt <= now;
}

export function createMemoryLeaseStore(
  now: () => number = Date.now,
): LeaseStore & { peek(streamId: string): Lease | undefined } {
  const leases = new Map<string, Lease>();
  return {
    async acquire(streamId, owner, ttlMs) {
      const t = now();
      if (!canTake(leases.get(streamId), owner, t)) return false;
      leases.set(streamId, { owner, expiresAt: t + ttlMs });
      return true;
    },
    async renew(streamId, owner, ttlMs) {
      const t = now();
      const lease = leases.get(streamId);
      if (!lease || lease.owner !== owner || lease.expiresAt <= t) return false;
      lease.expiresAt = t + ttlMs;
      return true;
    },
    async release(streamId, owner) {
      if (leases.get(streamId)?.owner === owner) leases.delete(streamId);
    },
    peek: (streamId) => leases.get(streamId),
  };
}
