// One `serve` per DATA_DIR: $DATA_DIR/serve.lock (mode 0600) names the process that serves it, its
// URL, and the loopback address and token of its job channel, so the CLI can hand jobs to it.
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ServeLockInfo {
  pid: number;
  startedAt: string;
  /** The service's URL, once it listens. */
  url?: string;
  /** The job channel (loopback only), once it listens. */
  jobs?: { url: string; token: string };
}

export class AlreadyServingError extends Error {
  override name = 'AlreadyServingError';
}

export const lockPath = (dataDir: string): string => join(dataDir, 'serve.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's content when a live process holds it; a lock left by a dead process reads as none. */
export async function readServeLock(dataDir: string): Promise<ServeLockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let info: ServeLockInfo;
  try {
    info = JSON.parse(text) as ServeLockInfo;
  } catch {
    return undefined; // torn by a crash between create and write
  }
  return typeof info.pid === 'number' && info.pid !== process.pid && alive(info.pid) ? info : undefined;
}

export function describeHolder(dataDir: string, info: ServeLockInfo): string {
  const where = info.url ? `on ${info.url}` : '(still starting)';
  return `another serve is already serving ${resolve(dataDir)} ${where} (pid ${info.pid})`;
}

export interface ServeLock {
  /** Records where the service and its job channel listen (atomically, mode 0600). */
  publish(where: Required<Pick<ServeLockInfo, 'url' | 'jobs'>>): Promise<void>;
  release(): Promise<void>;
}

/** Takes the DATA_DIR for this process, or throws AlreadyServingError naming the process holding it. */
export async function acquireServeLock(dataDir: string): Promise<ServeLock> {
  const path = lockPath(dataDir);
  const mine: ServeLockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        const holder = await readServeLock(dataDir).catch(() => undefined);
        if (holder) throw new AlreadyServingError(describeHolder(dataDir, holder));
        throw err;
      }
      const holder = await readServeLock(dataDir);
      if (holder) throw new AlreadyServingError(describeHolder(dataDir, holder));
      await unlink(path).catch(() => undefined); // left by a process that is gone
    }
  }
  let released = false;
  return {
    async publish(where) {
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ ...mine, ...where }), { mode: 0o600 });
      await rename(tmp, path);
    },
    async release() {
      if (released) return;
      released = true;
      const now = await readFile(path, 'utf8').catch(() => '');
      if (now.includes(`"pid":${process.pid},`)) await unlink(path).catch(() => undefined);
    },
  };
}
