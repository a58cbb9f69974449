// At worker start: partial captures left on local disk by a crash are finalized (the stream is
// over) or parked in the media store (another worker may be capturing it now), never lost.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { errorMessage } from '../../core/errors.ts';
import { removeWithin } from '../../core/remove-within.ts';
import { logSafe, streamPrefixOf } from '../../core/zoom/identifiers.ts';
import { META_FILE, listCaptureDirs, type CaptureMeta } from './capture.ts';
import { finalizeCapture, type Manifest } from './finalize.ts';
import { listSegmentFiles, parkSegments } from './park.ts';

export type RecoveryAction = 'finish' | 'park';

export interface RecoveredCapture {
  meetingUuid: string;
  streamId: string;
  action: RecoveryAction | 'failed';
  manifest?: Manifest;
  error?: string;
}

export interface RecoverOptions {
  media: MediaStore;
  ffmpegPath: string;
  log: Logger;
  /** Decides per capture; default: finish when idle longer than `staleAfterMs`, else park. */
  decide?: (meta: CaptureMeta, idleMs: number) => RecoveryAction | Promise<RecoveryAction>;
  /** Past Zoom's reconnect window nobody will resume the stream (default 5 min). */
  staleAfterMs?: number;
  now?: () => number;
  retryBaseMs?: number;
  retryAttempts?: number;
}

/** Handles every capture directory under rootDir; one failing capture never stops the others. */
export async function recoverCaptures(rootDir: string, opts: RecoverOptions): Promise<RecoveredCapture[]> {
  const now = opts.now ?? Date.now;
  const staleAfter = opts.staleAfterMs ?? 5 * 60_000;
  const decide = opts.decide ?? ((_m: CaptureMeta, idle: number) => (idle > staleAfter ? 'finish' : 'park'));
  const retry = { baseMs: opts.retryBaseMs ?? 1000, attempts: opts.retryAttempts ?? 5 };
  const results: RecoveredCapture[] = [];
  for (const dir of await listCaptureDirs(rootDir)) {
    let meta: CaptureMeta;
    try {
      meta = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as CaptureMeta;
    } catch (err) {
      opts.log.error({ dir, err: errorMessage(err) }, 'unreadable capture metadata: left in place');
      continue;
    }
    const log = opts.log.child({
      meetingUuid: logSafe(String(meta.meetingUuid)),
      streamId: logSafe(String(meta.streamId)),
    });
    try {
      const idleMs = now() - (await lastActivity(dir));
      const action = await decide(meta, idleMs);
      log.info({ action, idleMs }, 'recovering partial capture left by a previous process');
      if (action === 'park') {
        await parkSegments({
          dir,
          prefix: streamPrefixOf(meta.meetingUuid, meta.streamId),
          media: opts.media,
          log,
          retry,
        });
        await removeWithin(rootDir, dir);
        results.push({ meetingUuid: meta.meetingUuid, streamId: meta.streamId, action });
      } else {
        const manifest = await finalizeCapture({
          dir,
          meta,
          media: opts.media,
          ffmpegPath: opts.ffmpegPath,
          log,
          retry,
          endedAt: now(),
          captureFailure: undefined,
          droppedFrames: 0,
        });
        await removeWithin(rootDir, dir);
        results.push({ meetingUuid: meta.meetingUuid, streamId: meta.streamId, action, manifest });
      }
    } catch (err) {
      log.error(
        { dir, err: errorMessage(err) },
        'recovery of a partial capture failed: left on disk for the next start',
      );
      results.push({
        meetingUuid: meta.meetingUuid,
        streamId: meta.streamId,
        action: 'failed',
        error: errorMessage(err),
      });
    }
  }
  return results;
}

async function lastActivity(dir: string): Promise<number> {
  let latest = (await stat(join(dir, META_FILE))).mtimeMs;
  for (const f of await listSegmentFiles(dir)) latest = Math.max(latest, (await stat(join(dir, f))).mtimeMs);
  return latest;
}
