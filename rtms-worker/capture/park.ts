// Handover across instances: the local segments of a capture are uploaded under
// `<meeting-key>/<stream-id>/parts/` so that any worker can gather them and finish the stream.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

export const PARTS_DIR = 'parts/';

export async function listSegmentFiles(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.filter((f) => f.startsWith('seg-') && f.endsWith('.bin')).sort();
}

/** Uploads one segment to `<prefix>parts/<name>` (retried). */
export async function parkSegment(opts: {
  dir: string;
  prefix: string;
  name: string;
  media: MediaStore;
  log: Logger;
  retry: RetryPolicy;
}): Promise<void> {
  await withRetry(
    () =>
      opts.media.upload(
        `${opts.prefix}${PARTS_DIR}${opts.name}`,
        createReadStream(join(opts.dir, opts.name)),
        'application/octet-stream',
      ),
    { ...opts.retry, log: opts.log, what: `park segment ${opts.name}` },
  );
}

/** Uploads every local segment not parked yet (retried); throws when one cannot be stored. */
export async function parkSegments(opts: {
  dir: string;
  prefix: string;
  media: MediaStore;
  log: Logger;
  retry: RetryPolicy;
  /** Segments already parked while capturing. */
  skip?: ReadonlySet<string>;
}): Promise<number> {
  const files = (await listSegmentFiles(opts.dir)).filter((f) => !opts.skip?.has(f));
  for (const name of files) await parkSegment({ ...opts, name });
  return files.length;
}
