// Appends encoded records to rotating segment files through a bounded in-memory backlog; writes
// are batched, retried with backoff (a failed segment is closed and writing resumes in a new one),
// and a write that fails for good marks the capture failed instead of throwing.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.ts';
import { errorMessage } from '../../core/errors.ts';
import { SEGMENT_MAGIC } from './segment-format.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

export interface SegmentFile {
  write(buf: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** The file system as the writer needs it; tests inject failures (e.g. ENOSPC) here. */
export interface SegmentIo {
  open(path: string): Promise<SegmentFile>;
}

export const defaultSegmentIo: SegmentIo = {
  async open(path) {
    const fh = await open(path, 'a');
    return {
      async write(buf) {
        let off = 0;
        while (off < buf.length) {
          const { bytesWritten } = await fh.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
      },
      close: () => fh.close(),
    };
  },
};

export interface SegmentWriter {
  /** Queues a record; false (and counted as dropped) when the backlog is full or writing failed. */
  append(record: Buffer): boolean;
  countDropped(): void;
  dropped(): number;
  backlogBytes(): number;
  saturated(): boolean;
  failure(): string | undefined;
  /** Drains the backlog and closes the current segment. */
  close(): Promise<void>;
}

const BATCH_BYTES = 1024 * 1024;

export function segmentName(partId: string, seq: number): string {
  return `seg-${partId}-${String(seq).padStart(6, '0')}.bin`;
}

export function createSegmentWriter(opts: {
  dir: string;
  partId: string;
  io: SegmentIo;
  segmentBytes: number;
  softBacklogBytes: number;
  maxBacklogBytes: number;
  log: Logger;
  retry: RetryPolicy;
  /** Called with the file name of each segment that will receive no more writes (rotation). */
  onSegmentDone?: (name: string) => void;
}): SegmentWriter {
  const queue: Buffer[] = [];
  let queued = 0;
  let dropped = 0;
  let failed: string | undefined;
  let seq = 0;
  let current: { file: SegmentFile; bytes: number; name: string } | undefined;
  let running: Promise<void> | undefined;
  let warnedFull = false;

  const openNext = async (): Promise<{ file: SegmentFile; bytes: number; name: string }> => {
    seq++;
    const name = segmentName(opts.partId, seq);
    const file = await opts.io.open(join(opts.dir, name));
    await file.write(SEGMENT_MAGIC);
    return { file, bytes: SEGMENT_MAGIC.length, name };
  };

  /** `done`: the segment is complete (rotation or a failed write), so it can be parked now. */
  const closeCurrent = async (done = false): Promise<void> => {
    const c = current;
    current = undefined;
    if (!c) return;
    await c.file.close().catch(() => undefined);
    if (done) opts.onSegmentDone?.(c.name);
  };

  const writeBatch = async (batch: Buffer): Promise<void> => {
    await withRetry(
      async () => {
        try {
          if (!current || current.bytes >= opts.segmentBytes) {
            await closeCurrent(true);
            current = await openNext();
          }
          await current.file.write(batch);
          current.bytes += batch.length;
        } catch (err) {
          // A torn tail is ignored by the reader; the retry starts a fresh segment.
          await closeCurrent(true);
          throw err;
        }
      },
      { ...opts.retry, log: opts.log, what: 'segment write' },
    );
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0 && failed === undefined) {
      const parts: Buffer[] = [];
      let size = 0;
      while (queue.length > 0 && size < BATCH_BYTES) {
        const b = queue.shift() as Buffer;
        parts.push(b);
        size += b.length;
      }
      try {
        await writeBatch(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
        queued -= size;
      } catch (err) {
        failed = `disk write failed: ${errorMessage(err)}`;
        const code = (err as NodeJS.ErrnoException).code;
        opts.log.error(
          { code, lostBytes: queued, dir: opts.dir },
          'capture failed: segment write failed for good, recording will be incomplete',
        );
        dropped += queue.length + parts.length;
        queue.length = 0;
        queued = 0;
        await closeCurrent();
      }
    }
  };

  const kick = (): void => {
    if (running) return;
    running = new Promise<void>((resolve) => setImmediate(resolve)).then(drain).finally(() => {
      running = undefined;
      if (queue.length > 0 && failed === undefined) kick();
    });
  };

  return {
    append(record) {
      if (failed !== undefined || queued + record.length > opts.maxBacklogBytes) {
        dropped++;
        if (failed === undefined && !warnedFull) {
          warnedFull = true;
          opts.log.warn({ backlogBytes: queued }, 'disk backlog full: dropping frames until it drains');
        }
        return false;
      }
      warnedFull = false;
      queue.push(record);
      queued += record.length;
      kick();
      return true;
    },
    countDropped: () => void dropped++,
    dropped: () => dropped,
    backlogBytes: () => queued,
    saturated: () => queued > opts.softBacklogBytes,
    failure: () => failed,
    async close() {
      while (running) await running;
      await closeCurrent();
    },
  };
}
