// Helpers shared by the capture tests and the mux benchmark: feed generated media into a capture
// with chosen gaps, and read back what ffprobe/ffmpeg see in the result. Test and bench only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import type { TestMedia } from '../../demo/simulator/media.ts';
import type { Capture } from '../../rtms-worker/capture/capture.ts';

const run = promisify(execFile);

export interface FeedPlan {
  /** Epoch ms of media time zero. */
  t0: number;
  /** Media time covered, ms (the clip loops). */
  durationMs: number;
  fps: number;
  /** [from, to) ms windows with no audio frames (muted). */
  audioGaps?: [number, number][];
  /** [from, to) ms windows with no video frames (camera off). */
  videoGaps?: [number, number][];
  /** Video frames before this ms are not sent. */
  videoFromMs?: number;
  /** Only media in [fromMs, toMs) is fed (for handover halves). */
  fromMs?: number;
  toMs?: number;
  userId?: number;
  userName?: string;
}

const inGap = (t: number, gaps: [number, number][] | undefined): boolean =>
  (gaps ?? []).some(([a, b]) => t >= a && t < b);

/** Feeds frames in timestamp order, as RTMS would deliver them; returns the counts sent. */
export function feed(cap: Capture, media: TestMedia, p: FeedPlan): { audio: number; video: number } {
  const frameMs = 1000 / p.fps;
  const from = p.fromMs ?? 0;
  const to = p.toMs ?? p.durationMs;
  const events: { t: number; kind: 'a' | 'v'; i: number }[] = [];
  for (let i = 0; i * 20 < p.durationMs; i++) events.push({ t: i * 20, kind: 'a', i });
  for (let i = 0; i * frameMs < p.durationMs; i++) events.push({ t: Math.round(i * frameMs), kind: 'v', i });
  events.sort((x, y) => x.t - y.t);
  const sent = { audio: 0, video: 0 };
  for (const e of events) {
    if (e.t < from || e.t >= to) continue;
    const user = { userId: p.userId ?? 16778240, ...(p.userName ? { userName: p.userName } : {}) };
    if (e.kind === 'a') {
      if (inGap(e.t, p.audioGaps)) continue;
      cap.audio({ ...user, timestamp: p.t0 + e.t, data: media.audioFrames[e.i % media.audioFrames.length]! });
      sent.audio++;
    } else {
      if (e.t < (p.videoFromMs ?? 0) || inGap(e.t, p.videoGaps)) continue;
      cap.video({ ...user, timestamp: p.t0 + e.t, data: media.videoFrames[e.i % media.videoFrames.length]! });
      sent.video++;
    }
  }
  return sent;
}

export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  start_time?: string;
  duration?: string;
  nb_frames?: string;
}

export async function probeStreams(file: string, ffprobe = 'ffprobe'): Promise<ProbeStream[]> {
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,start_time,duration,nb_frames',
    '-of',
    'json',
    file,
  ]);
  return (JSON.parse(stdout) as { streams: ProbeStream[] }).streams;
}

/** Presentation times (s) of the video packets, in order. */
export async function videoPacketTimes(file: string, ffprobe = 'ffprobe'): Promise<number[]> {
  const { stdout } = await run(
    ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number)
    .sort((a, b) => a - b);
}

/** The audio of a file decoded to 16 kHz mono s16le. */
export async function decodeAudio(file: string, ffmpeg = 'ffmpeg'): Promise<Buffer> {
  const { stdout } = await run(
    ffmpeg,
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '16000', '-f', 's16le', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return stdout;
}

/** RMS level of 16 kHz s16le audio in [fromMs, toMs). */
export function rms(pcm: Buffer, fromMs: number, toMs: number): number {
  const a = Math.max(0, Math.floor(fromMs * 16)) * 2;
  const b = Math.min(pcm.length, Math.floor(toMs * 16) * 2);
  let sum = 0;
  let n = 0;
  for (let i = a; i + 1 < b; i += 2) {
    const s = pcm.readInt16LE(i);
    sum += s * s;
    n++;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** framemd5 lines (decoded picture checksums) of the first `frames` video frames. */
export async function frameMd5(args: string[], frames: number, ffmpeg = 'ffmpeg'): Promise<string[]> {
  const { stdout } = await run(
    ffmpeg,
    ['-v', 'error', ...args, '-map', '0:v:0', '-frames:v', String(frames), '-f', 'framemd5', '-'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

export async function readStream(r: Readable | undefined): Promise<Buffer | undefined> {
  if (!r) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
