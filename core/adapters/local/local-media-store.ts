// The embedded recordings store: objects as files under `$DATA_DIR/s3/` with the S3 keys.
// Writes are atomic (temp file, then rename), so a reader never sees a half-written recording.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransientUpstreamError } from '../../errors.ts';
import type { HealthStatus, MediaStore } from '../../ports.ts';
import { removeEmptyDirWithin, removeWithin, within } from '../../remove-within.ts';
import { checkObjectKey, checkPrefix } from '../object-keys.ts';
import { walkFiles } from './walk-files.ts';

export function createLocalMediaStore(rootDir: string): MediaStore {
  function pathOf(key: string): string {
    return within(rootDir, join(rootDir, ...checkObjectKey(key).split('/')));
  }

  async function* keysUnder(prefix: string): AsyncGenerator<string> {
    checkPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const baseDir = baseKey ? join(rootDir, ...baseKey.split('/')) : rootDir;
    for await (const file of walkFiles(baseDir)) {
      const key = relative(rootDir, file).split(sep).join('/');
      if (key.startsWith(prefix) && !key.endsWith('.tmp')) yield key;
    }
  }

  return {
    async upload(key, body) {
      const path = pathOf(key);
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      let out: WriteStream | undefined;
      try {
        await mkdir(dirname(path), { recursive: true });
        const source = body instanceof Readable ? body : Readable.from([Buffer.from(body)]);
        out = createWriteStream(tmp, { flags: 'wx' });
        await pipeline(source, count, out);
        await rename(tmp, path);
        return { bytes };
      } catch (err) {
        // The file may still be opening when the source fails: remove it only once the stream closed.
        if (out && !out.closed) await once(out, 'close').catch(() => undefined);
        await removeWithin(rootDir, tmp);
        throw new TransientUpstreamError(`media store write failed for ${key}`, { cause: err });
      }
    },

    async deletePrefix(prefix) {
      checkPrefix(prefix, { forDelete: true });
      const keys: string[] = [];
      for await (const key of keysUnder(prefix)) keys.push(key);
      for (const key of keys) await removeWithin(rootDir, pathOf(key));
      await pruneEmptyDirs(rootDir, prefix);
      return keys.length;
    },

    list: keysUnder,

    async *listObjects(prefix) {
      for await (const key of keysUnder(prefix)) {
        const info = await stat(pathOf(key)).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined; // deleted while listing
          throw new TransientUpstreamError(`media store stat failed for ${key}`, { cause: err });
        });
        if (info) yield { key, modifiedAt: info.mtimeMs, bytes: info.size };
      }
    },

    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new TransientUpstreamError(`media store read failed for ${key}`, { cause: err });
      }
      return createReadStream(path);
    },

    async health(): Promise<HealthStatus> {
      try {
        await mkdir(rootDir, { recursive: true });
        return { ok: true, backend: 'files', detail: rootDir };
      } catch (err) {
        return { ok: false, backend: 'files', detail: (err as Error).message };
      }
    },
  };
}

/**
 * Removes the now-empty directories along a deleted prefix (best effort). rmdir, never a recursive
 * delete: an upload landing in one of them meanwhile keeps it (and its file).
 */
async function pruneEmptyDirs(rootDir: string, prefix: string): Promise<void> {
  const parts = prefix.split('/').filter((p) => p !== '');
  for (let n = parts.length; n > 0; n--) {
    const dir = join(rootDir, ...parts.slice(0, n));
    const entries = await readdir(dir).catch(() => undefined);
    if (entries === undefined) continue;
    if (entries.length > 0 || !(await removeEmptyDirWithin(rootDir, dir))) return;
  }
}
