// LeaseStore shared by several local worker processes: one JSON file per stream under
// $DATA_DIR/leases/, changed under an exclusive lock file (O_EXCL), so two processes never both own a stream.
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LeaseStore } from '../../ports.ts';
import { removeWithin } from '../../remove-within.ts';
import { streamKeyOf } from '../../zoom/identifiers.ts';
import { canTake, type Lease } from './memory-lease-store.ts';

/** A lock file older than this was left by a crashed process and is broken. */
const STALE_LOCK_MS = 5_000;

export function createFileLeaseStore(dir: string, now: () => number = Date.now): LeaseStore {
  // The stream key (identifiers.ts) is a plain file name; an id that cannot be encoded throws here.
  const fileOf = (streamId: string) => join(dir, `${streamKeyOf(streamId)}.json`);

  async function withLock<T>(streamId: string, fn: () => Promise<T>): Promise<T> {
    await mkdir(dir, { recursive: true });
    const lock = `${fileOf(streamId)}.lock`;
    for (let i = 0; ; i++) {
      try {
        const handle = await open(lock, 'wx');
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) await removeWithin(dir, lock);
        else if (i > 500) throw new Error(`lease lock ${lock} busy`);
        else await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
      }
    }
    try {
      return await fn();
    } finally {
      await removeWithin(dir, lock);
    }
  }

  async function read(streamId: string): Promise<Lease | undefined> {
    try {
      return JSON.parse(await readFile(fileOf(streamId), 'utf8')) as Lease;
    } catch {
      return undefined;
    }
  }

  async function write(streamId: string, lease: Lease): Promise<void> {
    const tmp = `${fileOf(streamId)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(lease));
    await rename(tmp, fileOf(streamId));
  }

  return {
    acquire: (streamId, owner, ttlMs) =>
      withLock(streamId, async () => {
        const t = now();
        if (!canTake(await read(streamId), owner, t)) return false;
        await write(streamId, { owner, expiresAt: t + ttlMs });
        return true;
      }),
    renew: (streamId, owner, ttlMs) =>
      withLock(streamId, async () => {
        const t = now();
        const lease = await read(streamId);
        if (!lease || lease.owner !== owner || lease.expiresAt <= t) return false;
        await write(streamId, { owner, expiresAt: t + ttlMs });
        return true;
      }),
    release: (streamId, owner) =>
      withLock(streamId, async () => {
        if ((await read(streamId))?.owner === owner) await removeWithin(dir, fileOf(streamId));
      }),
  };
}
