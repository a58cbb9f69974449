// Durable, all-or-nothing file writes for the local stores: bytes go to a temporary name in the
// target's directory and are synced; only then does the final name appear (link = create-only, or
// rename = replace), and the directory is synced so the name survives a power cut.
import {
  close,
  closeSync,
  fdatasync,
  fsync,
  link as linkCallback,
  open as openCallback,
  unlink as unlinkCallback,
  unlinkSync,
  write,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/** The one system call tests replace to simulate a full disk (ENOSPC after some bytes). */
export interface FileIo {
  write(fd: number, buf: Uint8Array, offset: number): Promise<number>;
}

/** Temporary files end with this; listings skip them and recovery removes stale ones. */
export const TEMP_SUFFIX = '.tmp';

/** Unique per process start (random) and per write (a counter): no random bytes drawn per event. */
const TEMP_PREFIX = randomBytes(4).toString('hex');
let tempCount = 0;

export function tempPathFor(path: string): string {
  tempCount = (tempCount + 1) % Number.MAX_SAFE_INTEGER;
  return `${path}.${TEMP_PREFIX}${tempCount.toString(36)}${TEMP_SUFFIX}`;
}

const openFd = promisify(openCallback);
const fdatasyncFd = promisify(fdatasync);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
// The callback API wrapped once: fs/promises costs about 20 us more CPU per call here.
const link = promisify(linkCallback);
const unlink = promisify(unlinkCallback);
const writeFd: FileIo['write'] = (fd, buf, offset) =>
  new Promise((resolve, reject) =>
    write(fd, buf, offset, buf.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))),
  );

/** Removes a temporary file, gone or not: one unlink (fs.rm costs a stat and twice the CPU). */
async function removeTemp(tmp: string): Promise<void> {
  try {
    await unlink(tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function removeTempNow(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface DurableFiles {
  /** Writes `body` to a new temporary file next to `path`, synced; returns its name. */
  writeTemp(path: string, body: Uint8Array): Promise<string>;
  /** Makes `tmp` appear as `path` only if `path` does not exist ('exists' otherwise); removes `tmp`. */
  publishIfAbsent(tmp: string, path: string): Promise<'created' | 'exists'>;
  /** Makes `tmp` replace `path` atomically. */
  publishReplacing(tmp: string, path: string): Promise<void>;
  /** Syncs a directory; concurrent calls for one directory share a sync (group commit). */
  syncDir(dir: string): Promise<void>;
}

export function createDurableFiles(io: Partial<FileIo> = {}): DurableFiles {
  const writeBytes = io.write ?? writeFd;
  const syncs = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  function startSync(dir: string): Promise<void> {
    const entry: { running: Promise<void>; next?: Promise<void> } = { running: Promise.resolve() };
    entry.running = (async () => {
      const fd = await openFd(dir, 'r');
      try {
        await fsyncFd(fd);
      } finally {
        await closeFd(fd);
      }
    })().finally(() => {
      if (syncs.get(dir) === entry && !entry.next) syncs.delete(dir);
    });
    syncs.set(dir, entry);
    return entry.running;
  }

  return {
    async writeTemp(path, body) {
      const tmp = tempPathFor(path);
      const fd = await openFd(tmp, 'wx');
      try {
        let offset = 0;
        while (offset < body.length) offset += await writeBytes(fd, body, offset);
        await fdatasyncFd(fd);
      } catch (err) {
        await closeFd(fd).catch(() => undefined);
        await removeTemp(tmp);
        throw err;
      }
      // Closing a descriptor whose data is already synced waits for no device: done in place, it
      // saves a thread-pool round trip per event (open, write and the sync stay asynchronous).
      closeSync(fd);
      return tmp;
    },

    async publishIfAbsent(tmp, path) {
      try {
        await link(tmp, path);
        return 'created';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw err;
      } finally {
        // The temporary name only: its data is durable under `path` (or was never needed). Removed
        // in place, like the close above, to save a thread-pool round trip per event.
        removeTempNow(tmp);
      }
    },

    async publishReplacing(tmp, path) {
      try {
        await rename(tmp, path);
      } catch (err) {
        await removeTemp(tmp);
        throw err;
      }
    },

    syncDir(dir) {
      const current = syncs.get(dir);
      if (!current) return startSync(dir);
      // A sync already running may have started before our name appeared: the next one covers it.
      current.next ??= current.running.then(
        () => startSync(dir),
        () => startSync(dir),
      );
      return current.next;
    },
  };
}
