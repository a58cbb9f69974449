// The embedded archive: objects as files under a root (`$DATA_DIR/gcs/`) with the GCS keys.
// Create-only writes open with O_EXCL and sync before returning; a key found incomplete (a crash
// mid-write) is replaced atomically by the complete copy.
import { close, createWriteStream, fdatasync, open as openCallback, write, type WriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { mkdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransientUpstreamError } from '../../errors.ts';
import type { Archive, HealthStatus } from '../../ports.ts';
import { canonicalJson } from '../../zoom/event-id.ts';
import { walkFiles } from './walk-files.ts';

export function createFileArchive(rootDir: string): Archive {
  const knownDirs = new Set<string>();
  const writing = new Map<string, Promise<'created' | 'exists'>>();

  function pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '')) {
      throw new Error(`invalid object key: ${key}`);
    }
    return join(rootDir, ...key.split('/'));
  }

  async function ensureDir(dir: string): Promise<void> {
    if (knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    knownDirs.add(dir);
  }

  function tempPath(path: string): string {
    return `${path}.${randomBytes(6).toString('hex')}.tmp`;
  }

  /** Create-only write, synced; plain descriptors are cheaper than FileHandle objects on this hot path. */
  async function writeDurably(path: string, body: Uint8Array): Promise<void> {
    const fd = await openFd(path, 'wx');
    try {
      let offset = 0;
      while (offset < body.length) offset += await writeFd(fd, body, offset);
      await fdatasyncFd(fd);
    } finally {
      await closeFd(fd);
    }
  }

  async function createOnce(key: string, body: Uint8Array): Promise<'created' | 'exists'> {
    const path = pathOf(key);
    try {
      await ensureDir(dirname(path));
      try {
        // Fast path: create-only open; the bytes are synced before we report them durable.
        await writeDurably(path, body);
        return 'created';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // The key exists: a redelivery (keep the first copy), or a copy cut short by a crash or a
      // concurrent writer, which is replaced atomically by a complete one.
      const existing = await readFile(path).catch(() => undefined);
      if (existing && (Buffer.compare(existing, body) === 0 || sameJson(existing, body))) return 'exists';
      const tmp = tempPath(path);
      try {
        await writeDurably(tmp, body);
        await rename(tmp, path);
      } finally {
        await rm(tmp, { force: true });
      }
      return 'created';
    } catch (err) {
      throw new TransientUpstreamError(`archive write failed for ${key}`, { cause: err });
    }
  }

  return {
    async putIfAbsent(key, body) {
      // Concurrent deliveries of one event in this process wait for the write already under way.
      const pending = writing.get(key);
      if (
        pending &&
        (await pending.then(
          () => true,
          () => false,
        ))
      )
        return 'exists';
      const attempt = createOnce(key, body);
      writing.set(key, attempt);
      try {
        return await attempt;
      } finally {
        if (writing.get(key) === attempt) writing.delete(key);
      }
    },

    async put(key, body) {
      const path = pathOf(key);
      await ensureDir(dirname(path));
      const tmp = tempPath(path);
      let out: WriteStream | undefined;
      try {
        if (body instanceof Readable) {
          out = createWriteStream(tmp, { flags: 'wx' });
          await pipeline(body, out);
        } else {
          await writeDurably(tmp, body);
        }
        await rename(tmp, path);
      } catch (err) {
        // The file may still be opening when the source fails: remove it only once the stream closed.
        if (out && !out.closed) await once(out, 'close').catch(() => undefined);
        await rm(tmp, { force: true });
        throw new TransientUpstreamError(`archive write failed for ${key}`, { cause: err });
      }
    },

    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new TransientUpstreamError(`archive read failed for ${key}`, { cause: err });
      }
    },

    async *list(prefix) {
      // Walk only the directories that can hold keys with this prefix, in lexical order.
      const slash = prefix.lastIndexOf('/');
      const baseKey = slash >= 0 ? prefix.slice(0, slash) : '';
      const baseDir = baseKey ? join(rootDir, ...baseKey.split('/')) : rootDir;
      for await (const file of walkFiles(baseDir)) {
        const key = relative(rootDir, file).split(sep).join('/');
        if (key.startsWith(prefix) && !key.endsWith('.tmp')) yield key;
      }
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await rm(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ERR_FS_EISDIR') return false; // a folder is no object
        throw new TransientUpstreamError(`archive delete failed for ${key}`, { cause: err });
      }
      // Emptied date folders go too (raw/2025-01-01/), never a top-level prefix folder (raw/).
      for (let dir = dirname(path); relative(rootDir, dir).split(sep).length > 1; dir = dirname(dir)) {
        knownDirs.delete(dir);
        const removed = await rmdir(dir).then(
          () => true,
          () => false, // not empty (or gone): stop climbing
        );
        if (!removed) break;
      }
      return true;
    },

    async health(): Promise<HealthStatus> {
      try {
        await ensureDir(rootDir);
        await stat(rootDir);
        return { ok: true, backend: 'files', detail: rootDir };
      } catch (err) {
        return { ok: false, backend: 'files', detail: (err as Error).message };
      }
    },
  };
}

const openFd = promisify(openCallback);
const fdatasyncFd = promisify(fdatasync);
const closeFd = promisify(close);
function writeFd(fd: number, buf: Uint8Array, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, buf, offset, buf.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/** Two complete JSON documents with the same canonical form are the same event. */
function sameJson(a: Buffer, b: Uint8Array): boolean {
  try {
    return (
      canonicalJson(JSON.parse(a.toString('utf8'))) ===
      canonicalJson(JSON.parse(Buffer.from(b).toString('utf8')))
    );
  } catch {
    return false;
  }
}
