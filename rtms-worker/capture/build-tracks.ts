// Two streaming passes over a capture's segments: the first finds the timeline (t0, end, first
// keyframe) and collects transcripts and names; the second writes audio.wav and video.mkv.
// Memory stays bounded: media is never held beyond one read chunk and one write batch.
import { open } from 'node:fs/promises';
import type { TranscriptItem } from '../frames.ts';
import { RecordKind } from './segment-format.ts';
import { emptyReadReport, readSegments, type ReadReport } from './segment-reader.ts';
import { BYTES_PER_MS, WavTimeline, type AudioTrackStats } from './audio-track.ts';
import { VideoGate, type VideoTrackStats } from './video-track.ts';
import { MkvMuxer } from './mkv-writer.ts';
import { TranscriptBook } from './transcripts.ts';
import { BufferedAppender } from './files.ts';
import { isOversized, type FrameKind } from './frame-limits.ts';
import { NameBook } from './name-book.ts';

export interface Timeline {
  /** Zoom-server epoch ms of the recording's time zero (first audio or first usable video frame). */
  t0: number;
  durationMs: number;
  hasAudio: boolean;
  hasVideo: boolean;
  /** Where the first video frame sits on the timeline. */
  videoOffsetMs: number;
  /** Reference for rejecting impossible timestamps (see TimestampGuard). */
  anchor: number;
}

/**
 * Rejects media timestamps that cannot belong to the stream (not finite, or more than 1 h before /
 * 24 h after the anchor, the median of the first media timestamps): one corrupt timestamp must not
 * turn into days of silence.
 */
export class TimestampGuard {
  static readonly BEFORE_MS = 3_600_000;
  static readonly AFTER_MS = 24 * 3_600_000;
  rejected = 0;

  constructor(private readonly anchor: number | undefined) {}

  ok(ts: number): boolean {
    const a = this.anchor;
    if (a !== undefined && ts >= a - TimestampGuard.BEFORE_MS && ts <= a + TimestampGuard.AFTER_MS)
      return true;
    this.rejected++;
    return false;
  }
}

/** Median of the first 64 finite media timestamps (reads only the start of the first segments). */
export async function timestampAnchor(files: readonly string[]): Promise<number | undefined> {
  const seen: number[] = [];
  for await (const r of readSegments(files, emptyReadReport())) {
    if ((r.kind === RecordKind.Audio || r.kind === RecordKind.Video) && Number.isFinite(r.timestamp)) {
      seen.push(r.timestamp);
      if (seen.length === 64) break;
    }
  }
  seen.sort((a, b) => a - b);
  return seen[Math.floor(seen.length / 2)];
}

export interface ScanResult {
  timeline: Timeline | undefined;
  /** Media frames dropped for an impossible timestamp. */
  outOfRange: number;
  /** Video frames seen while no keyframe with SPS/PPS ever arrived (no video track at all). */
  unusableVideoFrames: number;
  transcripts: TranscriptBook;
  names: Map<number, string>;
  /** Records over their kind's size limit (frame-limits.ts), skipped here and when writing tracks. */
  oversized: number;
  /** Name records for users beyond the name book's bound. */
  namesRefused: number;
  badTranscripts: number;
  report: ReadReport;
}

export async function scanSegments(files: readonly string[], frameMs: number): Promise<ScanResult> {
  const report = emptyReadReport();
  const gate = new VideoGate(frameMs);
  const transcripts = new TranscriptBook();
  const names = new NameBook();
  let oversized = 0;
  let audioFirst = Infinity;
  let audioEnd = -Infinity;
  let badTranscripts = 0;
  const anchor = await timestampAnchor(files);
  const guard = new TimestampGuard(anchor);
  for await (const r of readSegments(files, report)) {
    if (tooBig(r)) {
      oversized++;
      continue;
    }
    if ((r.kind === RecordKind.Audio || r.kind === RecordKind.Video) && !guard.ok(r.timestamp)) continue;
    if (r.kind === RecordKind.Audio) {
      if (r.timestamp < audioFirst) audioFirst = r.timestamp;
      const end = r.timestamp + r.data.length / BYTES_PER_MS;
      if (end > audioEnd) audioEnd = end;
    } else if (r.kind === RecordKind.Video) {
      gate.accept(r.timestamp, r.data);
    } else if (r.kind === RecordKind.Transcript) {
      const item = parseTranscript(r.data);
      if (item) transcripts.add(item);
      else badTranscripts++;
    } else if (r.kind === RecordKind.Name) {
      names.set(r.userId, r.data.toString('utf8'));
    }
  }
  const v = gate.stats;
  const hasAudio = audioFirst !== Infinity;
  const hasVideo = v.firstTs !== undefined && v.lastTs !== undefined;
  let timeline: Timeline | undefined;
  if (hasAudio || hasVideo) {
    const t0 = Math.min(audioFirst, v.firstTs ?? Infinity);
    const end = Math.max(audioEnd, hasVideo ? (v.lastTs as number) + frameMs : -Infinity);
    timeline = {
      t0,
      durationMs: end - t0,
      hasAudio,
      hasVideo,
      videoOffsetMs: hasVideo ? (v.firstTs as number) - t0 : 0,
      anchor: anchor as number,
    };
  }
  const unusableVideoFrames = hasVideo ? 0 : v.droppedBeforeKeyframe;
  return {
    timeline,
    outOfRange: guard.rejected,
    unusableVideoFrames,
    transcripts,
    names: new Map(names.entries()),
    oversized,
    namesRefused: names.counts.refused,
    badTranscripts,
    report,
  };
}

const KIND_OF: Partial<Record<RecordKind, FrameKind>> = {
  [RecordKind.Audio]: 'audio',
  [RecordKind.Video]: 'video',
  [RecordKind.Transcript]: 'transcript',
};

/** Segments written before the limits existed (or by a broken writer) may hold oversized frames. */
function tooBig(r: { kind: RecordKind; data: Buffer }): boolean {
  const kind = KIND_OF[r.kind];
  return kind !== undefined && isOversized(kind, r.data.length);
}

function parseTranscript(data: Buffer): TranscriptItem | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as Partial<TranscriptItem>;
    if (typeof v.text !== 'string' || typeof v.timestamp !== 'number' || typeof v.userId !== 'number')
      return undefined;
    return v as TranscriptItem;
  } catch {
    return undefined;
  }
}

export interface TrackResult {
  audio: AudioTrackStats;
  video: VideoTrackStats;
  wavDataBytes: number;
}

/** Writes `wavPath` (always, silence where nothing arrived) and `tsPath` (when there is video). */
/**
 * Writes `wavPath` (always, silence where nothing arrived) and `videoPath` (Matroska, when there is
 * video). The first video frame is placed at 0 (held from the start of the recording until the
 * next frame), every other frame at its RTMS time, the last held until the end of the timeline.
 */
export async function writeTracks(
  files: readonly string[],
  timeline: Timeline,
  frameMs: number,
  wavPath: string,
  videoPath: string,
): Promise<TrackResult> {
  const wav = await open(wavPath, 'w+');
  const video = timeline.hasVideo ? await open(videoPath, 'w') : undefined;
  try {
    const audio = new WavTimeline(wav, timeline.t0);
    const gate = new VideoGate(frameMs);
    const muxer = new MkvMuxer();
    const videoOut = video ? new BufferedAppender(video) : undefined;
    const guard = new TimestampGuard(timeline.anchor);
    for await (const r of readSegments(files, emptyReadReport())) {
      if (tooBig(r)) continue;
      if ((r.kind === RecordKind.Audio || r.kind === RecordKind.Video) && !guard.ok(r.timestamp)) continue;
      if (r.kind === RecordKind.Audio) {
        await audio.put(r.userId, r.timestamp, r.data);
      } else if (r.kind === RecordKind.Video && videoOut) {
        const first = gate.stats.frames === 0;
        const f = gate.accept(r.timestamp, r.data);
        if (!f) continue;
        if (first) await videoOut.write(muxer.header(f.au));
        const cluster = muxer.frame(f.au, first ? 0 : r.timestamp - timeline.t0, f.keyframe);
        if (cluster) await videoOut.write(cluster);
      }
    }
    if (videoOut) {
      await videoOut.write(muxer.end(timeline.durationMs));
      await videoOut.flush();
    }
    const wavDataBytes = await audio.finish(timeline.durationMs);
    return { audio: audio.stats, video: gate.stats, wavDataBytes };
  } finally {
    await wav.close();
    await video?.close();
  }
}
