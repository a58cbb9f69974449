// Stream end: gathers parked and local segments, writes audio.wav and the timestamped video,
// muxes recording.mp4 with ffmpeg (H.264 copied), writes the transcripts, uploads every file
// (retried) and the manifest last, then deletes the parked parts.
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { meetingKeyOf, streamKeyOf, streamPrefixOf } from '../../core/zoom/identifiers.ts';
import { removeWithin } from '../../core/remove-within.ts';
import type { CaptureMeta } from './capture-meta.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import { PARTS_DIR, listSegmentFiles } from './park.ts';
import { fetchParts, sha256Of, sizeOf } from './files.ts';
import { scanSegments, writeTracks, type TrackResult } from './build-tracks.ts';
import { muxRecording } from './mux.ts';
import { toCues, toSrt, toText, toVtt } from './transcripts.ts';

export interface ManifestFile {
  name: string;
  key: string;
  bytes: number;
  sha256: string;
  contentType: string;
}

export interface Manifest {
  version: 1;
  /** 'incomplete' when frames were lost (disk failure, full backlog, torn or unreadable segments). */
  status: 'complete' | 'incomplete';
  problems: string[];
  meetingUuid: string;
  meetingKey: string;
  streamId: string;
  /** The `<stream-key>` of the layout: the stream id itself, or `~` + base64url when it is not a plain name. */
  streamKey: string;
  stopReason?: number;
  /** Recording start and end on the Zoom-server clock (RTMS timestamps), ISO 8601. */
  startedAt?: string;
  endedAt?: string;
  /** When the worker learned the stream ended (its own clock). */
  streamEndedAt: string;
  durationMs: number;
  audio?: TrackResult['audio'] & { durationMs: number; sampleRate: 16000; channels: 1 };
  /**
   * durationMs runs from the first frame to the end of the last, startOffsetMs is the first frame's
   * real time; the mp4 shows it from 0, holds every frame until the next and the last to the end.
   */
  video?: TrackResult['video'] & {
    codec: 'h264';
    copied: true;
    fps: number;
    startOffsetMs: number;
    durationMs: number;
  };
  transcript: { cues: number; unreadable: number };
  /** Frames over their kind's size limit (capture/frame-limits.ts), dropped while capturing or finalizing. */
  framesDropped: { oversized: number };
  participants: { userId: number; userName: string }[];
  capture: {
    segments: number;
    tornBytes: number;
    unreadableSegments: string[];
    droppedFrames: number;
    outOfRangeFrames: number;
    /** Participant names not kept: the stream named more users than its name book holds (name-book.ts). */
    namesRefused: number;
  };
  files: ManifestFile[];
  createdAt: string;
}

const CONTENT_TYPES: Record<string, string> = {
  'recording.mp4': 'video/mp4',
  'audio.wav': 'audio/wav',
  'transcript.vtt': 'text/vtt; charset=utf-8',
  'transcript.srt': 'application/x-subrip; charset=utf-8',
  'transcript.txt': 'text/plain; charset=utf-8',
  'manifest.json': 'application/json',
};

export interface FinalizeOptions {
  dir: string;
  meta: CaptureMeta;
  media: MediaStore;
  ffmpegPath: string;
  log: Logger;
  retry: RetryPolicy;
  endedAt: number;
  stopReason?: number;
  captureFailure: string | undefined;
  droppedFrames: number;
  /** Frames the capture dropped for their size (recovery after a crash does not know them: 0). */
  oversizedFrames?: number;
  namesRefused?: number;
}

export async function finalizeCapture(opts: FinalizeOptions): Promise<Manifest> {
  const { dir, meta, log } = opts;
  const meetingKey = meetingKeyOf(meta.meetingUuid);
  const prefix = streamPrefixOf(meta.meetingUuid, meta.streamId);
  const frameMs = 1000 / meta.videoFps;
  const started = Date.now();
  const phasesMs: Record<string, number> = {};
  let mark = started;
  const phase = (name: string): void => {
    const now = Date.now();
    phasesMs[name] = now - mark;
    mark = now;
  };

  const inStore = await fetchParts({
    dir,
    partsPrefix: `${prefix}${PARTS_DIR}`,
    media: opts.media,
    log,
    retry: opts.retry,
  });
  const files = (await listSegmentFiles(dir)).map((f) => join(dir, f));
  phase('gather');
  const scan = await scanSegments(files, frameMs);
  phase('scan');
  if (scan.unusableVideoFrames > 0) {
    log.warn(
      { videoFrames: scan.unusableVideoFrames },
      'video never started: no H.264 keyframe with SPS/PPS arrived, so the recording has no video track',
    );
  }
  const out = join(dir, 'out');
  await removeWithin(dir, out);
  await mkdir(out, { recursive: true });

  const names = ['transcript.vtt', 'transcript.srt', 'transcript.txt'];
  const tl = scan.timeline;
  let tracks: TrackResult | undefined;
  if (tl) {
    const wavPath = join(out, 'audio.wav');
    const videoPath = join(out, 'video.mkv');
    tracks = await writeTracks(files, tl, frameMs, wavPath, videoPath);
    phase('tracks');
    // Segments also held in the store are not needed locally any more (a retry fetches them again).
    for (const name of inStore) await removeWithin(dir, join(dir, name));
    await muxRecording({
      ffmpegPath: opts.ffmpegPath,
      ...(tl.hasVideo ? { videoPath } : {}),
      wavPath,
      outPath: join(out, 'recording.mp4'),
    });
    phase('mux');
    await removeWithin(dir, videoPath);
    names.unshift('recording.mp4', 'audio.wav');
  }
  const items = scan.transcripts.values();
  const t0 = tl?.t0 ?? items.reduce((m, i) => Math.min(m, i.startTime ?? i.timestamp), opts.endedAt);
  const cues = toCues(items, t0, scan.names);
  await writeFile(join(out, 'transcript.vtt'), toVtt(cues));
  await writeFile(join(out, 'transcript.srt'), toSrt(cues));
  await writeFile(join(out, 'transcript.txt'), toText(cues));

  const described: ManifestFile[] = [];
  for (const name of names) {
    const path = join(out, name);
    described.push({
      name,
      key: `${prefix}${name}`,
      bytes: await sizeOf(path),
      sha256: await sha256Of(path),
      contentType: CONTENT_TYPES[name] ?? 'application/octet-stream',
    });
  }

  phase('checksums');
  const problems: string[] = [];
  if (opts.captureFailure) problems.push(opts.captureFailure);
  if (opts.droppedFrames > 0) problems.push(`${opts.droppedFrames} frames dropped during capture`);
  if (scan.report.tornBytes > 0)
    problems.push(`${scan.report.tornBytes} bytes of torn records at segment ends`);
  if (scan.unusableVideoFrames > 0) {
    problems.push(`${scan.unusableVideoFrames} video frames but no keyframe with SPS/PPS: no video track`);
  }
  const oversized = (opts.oversizedFrames ?? 0) + scan.oversized;
  if (oversized > 0) problems.push(`${oversized} frames over the size limits dropped`);
  if (scan.outOfRange > 0) problems.push(`${scan.outOfRange} frames dropped for an impossible timestamp`);
  if (scan.report.corrupt.length > 0) problems.push(`unreadable segments: ${scan.report.corrupt.join(', ')}`);
  const manifest: Manifest = {
    version: 1,
    status: problems.length === 0 ? 'complete' : 'incomplete',
    problems,
    meetingUuid: meta.meetingUuid,
    meetingKey,
    streamId: meta.streamId,
    streamKey: streamKeyOf(meta.streamId),
    ...(opts.stopReason !== undefined ? { stopReason: opts.stopReason } : {}),
    ...(tl
      ? { startedAt: new Date(tl.t0).toISOString(), endedAt: new Date(tl.t0 + tl.durationMs).toISOString() }
      : {}),
    streamEndedAt: new Date(opts.endedAt).toISOString(),
    durationMs: tl ? Math.round(tl.durationMs) : 0,
    ...(tracks && tl
      ? {
          audio: {
            ...tracks.audio,
            silenceFilledMs: Math.round(tracks.audio.silenceFilledMs),
            durationMs: tracks.wavDataBytes / 32,
            sampleRate: 16000 as const,
            channels: 1 as const,
          },
        }
      : {}),
    ...(tracks && tl?.hasVideo
      ? {
          video: {
            ...tracks.video,
            heldMs: Math.round(tracks.video.heldMs),
            codec: 'h264' as const,
            copied: true as const,
            fps: meta.videoFps,
            startOffsetMs: tl.videoOffsetMs,
            durationMs: Math.round((tracks.video.lastTs ?? 0) - (tracks.video.firstTs ?? 0) + frameMs),
          },
        }
      : {}),
    transcript: { cues: cues.length, unreadable: scan.badTranscripts },
    framesDropped: { oversized },
    participants: [...scan.names].map(([userId, userName]) => ({ userId, userName })),
    capture: {
      segments: scan.report.segments,
      tornBytes: scan.report.tornBytes,
      unreadableSegments: scan.report.corrupt,
      droppedFrames: opts.droppedFrames,
      outOfRangeFrames: scan.outOfRange,
      namesRefused: (opts.namesRefused ?? 0) + scan.namesRefused,
    },
    files: described,
    createdAt: new Date().toISOString(),
  };
  const manifestPath = join(out, 'manifest.json');
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  for (const f of [
    ...described,
    { name: 'manifest.json', key: `${prefix}manifest.json`, contentType: CONTENT_TYPES['manifest.json']! },
  ]) {
    const path = join(out, f.name);
    await withRetry(() => opts.media.upload(f.key, createReadStream(path), f.contentType), {
      ...opts.retry,
      log,
      what: `upload ${f.key}`,
    });
  }
  phase('upload');
  await withRetry(() => opts.media.deletePrefix(`${prefix}${PARTS_DIR}`), {
    ...opts.retry,
    log,
    what: 'delete parked parts',
  }).catch(() => {
    log.warn({ prefix }, 'recording complete but parked parts could not be deleted');
  });
  log.info(
    {
      status: manifest.status,
      durationMs: manifest.durationMs,
      files: described.length,
      finalizeMs: Date.now() - started,
      phasesMs,
      problems,
    },
    'recording finalized and uploaded',
  );
  return manifest;
}
