// The embedded archive: objects as files under a root (`$DATA_DIR/gcs/`) with the GCS keys.
// Every write is all-or-nothing (durable-file.ts): bytes to a synced temporary file, then the final
// name (create-only link, or rename), then a directory sync; a final key only ever holds complete
// bytes. Health reports the last failed write until a later write succeeds.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransientUpstreamError, errorMessage } from '../../errors.ts';
import type { Archive, HealthStatus } from '../../ports.ts';
import { isErasedBody } from '../../privacy/erased-body.ts';
import { canonicalJson } from '../../zoom/event-id.ts';
import { createDurableFiles, tempPathFor, TEMP_SUFFIX, type FileIo } from './durable-file.ts';
import { walkFiles } from './walk-files.ts';

/** A temporary file older than this is a crash's leftover (a live write holds one for milliseconds). */
const STALE_TEMP_MS = 10 * 60_000;

export interface FileArchiveOptions {
  /** Test seam: the write system call (e.g. to fail with ENOSPC). */
  io?: Partial<FileIo>;
}

export function createFileArchive(rootDir: string, opts: FileArchiveOptions = {}): Archive {
  const knownDirs = new Set<string>();
  const writing = new Map<string, Promise<'created' | 'exists'>>();
  const files = createDurableFiles(opts.io);
  /** The last failed write, until a later one succeeds (what /health reports). */
  let lastWriteFailure: { at: string; error: string } | undefined;

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

  /** A synced temporary copy next to `path`; a directory found gone (deleted to free space) is re-made once. */
  async function writeTemp(path: string, body: Uint8Array): Promise<string> {
    const dir = dirname(path);
    await ensureDir(dir);
    try {
      return await files.writeTemp(path, body);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      knownDirs.delete(dir);
      await ensureDir(dir);
      return files.writeTemp(path, body);
    }
  }

  /** Runs a write, recording its outcome for health; failures become TransientUpstreamError. */
  async function tracked<T>(key: string, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      lastWriteFailure = undefined;
      return result;
    } catch (err) {
      lastWriteFailure = { at: new Date().toISOString(), error: errorMessage(err) };
      throw new TransientUpstreamError(`archive write failed for ${key}`, { cause: err });
    }
  }

  async function createOnce(key: string, body: Uint8Array): Promise<'created' | 'exists'> {
    const path = pathOf(key);
    return tracked(key, async () => {
      const tmp = await writeTemp(path, body);
      if ((await files.publishIfAbsent(tmp, path)) === 'created') {
        await files.syncDir(dirname(path));
        return 'created';
      }
      // The key exists: a redelivery (keep the first copy), or a copy cut short by a crash of an
      // older version that wrote final names directly, which is replaced atomically by a complete one.
      const existing = await readFile(path).catch(() => undefined);
      // An erased body stays: a redelivery of the event as Zoom sent it must not bring the person back.
      if (
        existing &&
        (Buffer.compare(existing, body) === 0 || sameJson(existing, body) || isErasedBody(existing))
      )
        return 'exists';
      await files.publishReplacing(await writeTemp(path, body), path);
      await files.syncDir(dirname(path));
      return 'created';
    });
  }

  /** Streams to a temporary file next to `path` (exports; not synced file by file). */
  async function streamToTemp(path: string, body: Readable): Promise<string> {
    await mkdir(dirname(path), { recursive: true }); // not cached: exports are rare
    const tmp = tempPathFor(path);
    let out: WriteStream | undefined;
    try {
      out = createWriteStream(tmp, { flags: 'wx' });
      await pipeline(body, out);
      return tmp;
    } catch (err) {
      // The file may still be opening when the source fails: remove it only once the stream closed.
      if (out && !out.closed) await once(out, 'close').catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Removes a crash's temporary leftover (best effort); a live write's temp is never this old. */
  async function removeIfStale(file: string): Promise<void> {
    try {
      if (Date.now() - (await stat(file)).mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
    } catch {
      // gone already, or not ours to remove: listing goes on
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
      await tracked(key, async () => {
        if (body instanceof Readable) await files.publishReplacing(await streamToTemp(path, body), path);
        else await files.publishReplacing(await writeTemp(path, body), path);
        await files.syncDir(dirname(path));
      });
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
        if (key.endsWith(TEMP_SUFFIX)) await removeIfStale(file);
        else if (key.startsWith(prefix)) yield key;
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
        await mkdir(rootDir, { recursive: true });
        await stat(rootDir);
      } catch (err) {
        return { ok: false, backend: 'files', detail: errorMessage(err) };
      }
      if (lastWriteFailure)
        return {
          ok: false,
          backend: 'files',
          detail: `last write failed at ${lastWriteFailure.at}: ${lastWriteFailure.error}`,
        };
      return { ok: true, backend: 'files', detail: rootDir };
    },
  };
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
