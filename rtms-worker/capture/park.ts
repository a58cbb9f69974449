// Handoff across instances: the local segments of a capture are uploaded under
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

/** Uploads every local segment (retried); throws when one cannot be stored. */
export async function parkSegments(opts: {
  dir: string;
  prefix: string;
  media: MediaStore;
  log: Logger;
  retry: RetryPolicy;
}): Promise<number> {
  const files = await listSegmentFiles(opts.dir);
  for (const f of files) {
    await withRetry(
      () =>
        opts.media.upload(
          `${opts.prefix}${PARTS_DIR}${f}`,
          createReadStream(join(opts.dir, f)),
          'application/octet-stream',
        ),
      {
        ...opts.retry,
        log: opts.log,
        what: `park segment ${f}`,
      },
    );
  }
  return files.length;
}
