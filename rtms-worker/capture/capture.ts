// The capture of one RTMS stream: frames stream to bounded segment files on disk as they arrive;
// handover parks them in the media store for another worker; finish muxes and uploads the recording.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { logSafe, meetingKeyOf, streamKeyOf, streamPrefixOf } from '../../core/zoom/identifiers.ts';
import { removeWithin, within } from '../../core/remove-within.ts';
import { errorMessage } from '../../core/errors.ts';
import { RecordKind, encodeRecord } from './segment-format.ts';
import {
  createSegmentWriter,
  defaultSegmentIo,
  type SegmentIo,
  type SegmentWriter,
} from './segment-writer.ts';
import { finalizeCapture, type Manifest } from './finalize.ts';
import { parkSegment, parkSegments } from './park.ts';
import { withRetry } from './retry.ts';
import type { Limiter } from './limiter.ts';
import { MAX_FRAME_BYTES, isOversized, type FrameKind } from './frame-limits.ts';
import { NameBook, boundName } from './name-book.ts';
import type { MediaFrame, TranscriptItem } from '../frames.ts';
import { META_FILE, type CaptureMeta } from './capture-meta.ts';

export type { Manifest } from './finalize.ts';
export type { SegmentIo } from './segment-writer.ts';
export { createLimiter, type Limiter } from './limiter.ts';
export type { MediaFrame, TranscriptItem } from '../frames.ts';
export { META_FILE, type CaptureMeta } from './capture-meta.ts';

export interface CaptureStats {
  audioFrames: number;
  videoFrames: number;
  transcriptItems: number;
  /** Bytes accepted but not yet on disk. */
  backlogBytes: number;
  /** Frames refused because the disk backlog was over its cap or the capture had failed. */
  droppedFrames: number;
  /** Frames over their kind's size limit (frame-limits.ts), dropped. */
  oversizedFrames: number;
  /** Participant names not kept because the stream's name book was full (name-book.ts). */
  namesRefused: number;
  /** Set once a disk write failed for good: the capture cannot be trusted to be complete. */
  failed?: string;
}

export interface Capture {
  readonly streamId: string;
  readonly meetingUuid: string;
  audio(f: MediaFrame): void;
  video(f: MediaFrame): void;
  transcript(t: TranscriptItem): void;
  /** True while the disk backlog is over its soft limit: the caller may slow down reading. */
  readonly saturated: boolean;
  stats(): CaptureStats;
  /** Flushes to disk and parks the partial capture where another worker can finish it. */
  handOver(): Promise<void>;
  /** Stream ended: mux, upload under `<meeting-key>/<stream-id>/` (rtms-worker/README.md), write manifest; returns the manifest. */
  finish(info: { endedAt: number; stopReason?: number }): Promise<Manifest>;
  /** Stop reason 8 (revoked): delete everything stored for the stream. */
  discard(): Promise<void>;
}

export interface OpenCaptureOptions {
  rootDir: string;
  meetingUuid: string;
  streamId: string;
  owner: string;
  media: MediaStore;
  ffmpegPath: string;
  log: Logger;
  videoFps: number;
  /** Segment rotation size (default 16 MiB). */
  segmentBytes?: number;
  /** Disk backlog over which frames are refused and counted (default 64 MiB). */
  maxBacklogBytes?: number;
  /**
   * Upload each full segment to `<meeting-key>/<stream-id>/parts/` while capturing (default true), so
   * a SIGTERM handover has at most one segment left to upload and a lost instance loses at most that.
   */
  parkWhileCapturing?: boolean;
  /**
   * Delete a segment from local disk once parked (default true): on Cloud Run the disk is memory,
   * so a long meeting must not accumulate there; finish() fetches the parts back.
   */
  dropParkedSegments?: boolean;
  /** Bounds concurrent finalizations (ffmpeg) across captures sharing it; unbounded without. */
  finalizeLimiter?: Limiter;
  /** Test seam for disk failures (e.g. ENOSPC); defaults to node:fs. */
  io?: SegmentIo;
  /** Retry schedule base for segment writes and uploads (default 1000 ms, 5 attempts). */
  retryBaseMs?: number;
  retryAttempts?: number;
}

/**
 * `<rootDir>/<meeting-key>/<stream-key>/`, the local directory of one capture (keys from
 * identifiers.ts: never `.`/`..`, no separator; an identifier that cannot be encoded throws).
 */
export function captureDirOf(rootDir: string, meetingUuid: string, streamId: string): string {
  return within(rootDir, join(rootDir, meetingKeyOf(meetingUuid), streamKeyOf(streamId)));
}

export async function openCapture(opts: OpenCaptureOptions): Promise<Capture> {
  const dir = captureDirOf(opts.rootDir, opts.meetingUuid, opts.streamId);
  await mkdir(dir, { recursive: true });
  const meta: CaptureMeta = {
    meetingUuid: opts.meetingUuid,
    streamId: opts.streamId,
    owner: opts.owner,
    videoFps: opts.videoFps,
    createdAt: Date.now(),
  };
  await writeFile(join(dir, META_FILE), JSON.stringify(meta));
  const log = opts.log.child({ meetingUuid: logSafe(opts.meetingUuid), streamId: logSafe(opts.streamId) });
  const owner = opts.owner.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  const partId = `${Date.now().toString(36)}-${owner}-${randomBytes(3).toString('hex')}`;
  const retry = { baseMs: opts.retryBaseMs ?? 1000, attempts: opts.retryAttempts ?? 5 };
  const prefix = streamPrefixOf(opts.meetingUuid, opts.streamId);
  // Background parking, one upload at a time; a failure leaves the segment for handover to retry.
  const parked = new Set<string>();
  let parking: Promise<void> = Promise.resolve();
  const parkInBackground = (name: string): void => {
    parking = parking.then(() =>
      parkSegment({ dir, prefix, name, media: opts.media, log, retry }).then(
        async () => {
          parked.add(name);
          if (opts.dropParkedSegments !== false) await removeWithin(dir, join(dir, name));
        },
        (err: unknown) =>
          log.warn(
            { segment: name, err: errorMessage(err) },
            'segment not parked yet; will retry at handover',
          ),
      ),
    );
  };
  const writer: SegmentWriter = createSegmentWriter({
    dir,
    partId,
    io: opts.io ?? defaultSegmentIo,
    segmentBytes: opts.segmentBytes ?? 16 * 1024 * 1024,
    softBacklogBytes: (opts.maxBacklogBytes ?? 64 * 1024 * 1024) / 4,
    maxBacklogBytes: opts.maxBacklogBytes ?? 64 * 1024 * 1024,
    log,
    retry,
    ...(opts.parkWhileCapturing !== false ? { onSegmentDone: parkInBackground } : {}),
  });
  const counts = { audio: 0, video: 0, transcript: 0 };
  const oversized = { audio: 0, video: 0, transcript: 0 };
  const names = new NameBook();
  let closed: string | undefined;

  let lateFrames = 0;

  const nameOf = (userId: number, userName: string | undefined): void => {
    const name = userName === undefined ? undefined : names.changed(userId, userName);
    if (name === undefined) return;
    if (writer.append(encodeRecord(RecordKind.Name, userId, 0, Buffer.from(name, 'utf8'))))
      names.set(userId, name);
  };
  /** A frame over its kind's limit (frame-limits.ts) is dropped and counted, never written. */
  const tooBig = (kind: FrameKind, bytes: number): boolean => {
    if (!isOversized(kind, bytes)) return false;
    if (oversized[kind]++ === 0)
      log.warn(
        { kind, bytes, limit: MAX_FRAME_BYTES[kind] },
        'oversized frame dropped (counted in the manifest)',
      );
    return true;
  };
  const accept = (what: string): boolean => {
    if (closed === undefined) return true;
    writer.countDropped();
    if (lateFrames++ === 0) log.warn({ what, closed }, 'frame after the capture was closed: ignored');
    return false;
  };

  const closeWriter = async (why: string): Promise<void> => {
    closed ??= why;
    await writer.close();
    await parking;
  };

  return {
    streamId: opts.streamId,
    meetingUuid: opts.meetingUuid,
    get saturated() {
      return writer.saturated();
    },
    audio(f) {
      if (!accept('audio') || tooBig('audio', f.data.length)) return;
      nameOf(f.userId, f.userName);
      if (writer.append(encodeRecord(RecordKind.Audio, f.userId, f.timestamp, f.data))) counts.audio++;
    },
    video(f) {
      if (!accept('video') || tooBig('video', f.data.length)) return;
      nameOf(f.userId, f.userName);
      if (writer.append(encodeRecord(RecordKind.Video, f.userId, f.timestamp, f.data))) counts.video++;
    },
    transcript(t) {
      if (!accept('transcript')) return;
      const item = t.userName === undefined ? t : { ...t, userName: boundName(t.userName) };
      const body = Buffer.from(JSON.stringify(item), 'utf8');
      if (tooBig('transcript', body.length)) return;
      nameOf(t.userId, t.userName);
      if (writer.append(encodeRecord(RecordKind.Transcript, t.userId, t.timestamp, body)))
        counts.transcript++;
    },
    stats() {
      const failed = writer.failure();
      return {
        audioFrames: counts.audio,
        videoFrames: counts.video,
        transcriptItems: counts.transcript,
        backlogBytes: writer.backlogBytes(),
        droppedFrames: writer.dropped(),
        oversizedFrames: oversized.audio + oversized.video + oversized.transcript,
        namesRefused: names.counts.refused,
        ...(failed !== undefined ? { failed } : {}),
      };
    },
    async handOver() {
      await closeWriter('handover');
      await parkSegments({ dir, prefix, media: opts.media, log, retry, skip: parked });
      await removeWithin(opts.rootDir, dir);
      log.info({ counts }, 'capture parked for another worker');
    },
    async finish(info) {
      await closeWriter('finished');
      const limiter = opts.finalizeLimiter ?? { run: <T>(fn: () => Promise<T>) => fn() };
      const finalize = (): Promise<Manifest> =>
        finalizeCapture({
          dir,
          meta,
          media: opts.media,
          ffmpegPath: opts.ffmpegPath,
          log,
          retry,
          endedAt: info.endedAt,
          ...(info.stopReason !== undefined ? { stopReason: info.stopReason } : {}),
          captureFailure: writer.failure(),
          droppedFrames: writer.dropped(),
          oversizedFrames: oversized.audio + oversized.video + oversized.transcript,
          namesRefused: names.counts.refused,
        });
      const manifest = await limiter.run(finalize).catch((err: unknown) => {
        log.error(
          { err: errorMessage(err), dir },
          'recording finalize failed: segments kept on disk and in the store for a retry',
        );
        throw err;
      });
      await removeWithin(opts.rootDir, dir);
      return manifest;
    },
    async discard() {
      await closeWriter('discarded');
      await removeWithin(opts.rootDir, dir);
      const n = await withRetry(() => opts.media.deletePrefix(prefix), {
        ...retry,
        log,
        what: 'delete revoked stream',
      });
      log.info({ deletedObjects: n }, 'revoked stream: everything stored for it deleted');
    },
  };
}

/** Lists capture directories (those holding a capture.json) under rootDir. */
export async function listCaptureDirs(rootDir: string): Promise<string[]> {
  const out: string[] = [];
  const meetings = await readdir(rootDir, { withFileTypes: true }).catch(() => []);
  for (const m of meetings) {
    if (!m.isDirectory()) continue;
    const streams = await readdir(join(rootDir, m.name), { withFileTypes: true }).catch(() => []);
    for (const s of streams) {
      if (!s.isDirectory()) continue;
      const files = await readdir(join(rootDir, m.name, s.name)).catch(() => [] as string[]);
      if (files.includes(META_FILE)) out.push(join(rootDir, m.name, s.name));
    }
  }
  return out;
}
