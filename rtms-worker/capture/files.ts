// Small file helpers for finalizing: batched appends, checksums, and fetching parked parts.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

/** Appends through a 1 MiB buffer, so thousands of small frames cost few system calls. */
export class BufferedAppender {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly fh: FileHandle) {}

  async write(buf: Buffer): Promise<void> {
    this.parts.push(buf);
    this.size += buf.length;
    if (this.size >= 1024 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    await this.fh.write(data);
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** Downloads the parked parts of a stream (`<prefix>parts/…`) into `dir`; returns their names. */
export async function fetchParts(opts: {
  dir: string;
  partsPrefix: string;
  media: MediaStore;
  log: Logger;
  retry: RetryPolicy;
}): Promise<string[]> {
  const keys = await withRetry(
    async () => {
      const out: string[] = [];
      for await (const k of opts.media.list(opts.partsPrefix)) out.push(k);
      return out;
    },
    { ...opts.retry, log: opts.log, what: 'list parked parts' },
  );
  const names: string[] = [];
  for (const key of keys) {
    const name = basename(key);
    if (!/^seg-[A-Za-z0-9._=-]+\.bin$/.test(name)) continue;
    const path = join(opts.dir, name);
    names.push(name);
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      continue;
    await withRetry(
      async () => {
        const body = await opts.media.get(key);
        if (!body) throw new Error(`parked part ${key} disappeared`);
        const tmp = `${path}.tmp`;
        try {
          await pipeline(body, createWriteStream(tmp));
          await rename(tmp, path);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      },
      { ...opts.retry, log: opts.log, what: `fetch parked part ${name}` },
    );
  }
  return names;
}
