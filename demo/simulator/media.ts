// Test media generated with the real ffmpeg: 720p25 H.264 Annex-B access units (SPS/PPS with each
// IDR, one IDR per second) and 16 kHz mono s16le PCM (a tone over pink noise, broadband like speech)
// in 20 ms frames of 640 bytes, as RTMS sends them. Generated once per parameter set and cached.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NalType, splitNals } from '../../rtms-worker/capture/h264.ts';

const run = promisify(execFile);

export interface TestMedia {
  fps: number;
  width: number;
  height: number;
  seconds: number;
  /** One H.264 access unit per entry (SPS+PPS+IDR every `fps` frames); no AUD NAL units. */
  videoFrames: Buffer[];
  /** 640-byte frames of 16 kHz mono s16le, 20 ms each. */
  audioFrames: Buffer[];
}

export interface TestMediaOptions {
  seconds?: number;
  fps?: number;
  width?: number;
  height?: number;
  /** Video bitrate in kbit/s (default 1500, about what Zoom sends for HD). */
  kbps?: number;
  ffmpegPath?: string;
  cacheDir?: string;
}

export const AUDIO_FRAME_MS = 20;
export const AUDIO_FRAME_BYTES = 640;

export async function loadTestMedia(opts: TestMediaOptions = {}): Promise<TestMedia> {
  const seconds = opts.seconds ?? 10;
  const fps = opts.fps ?? 25;
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const kbps = opts.kbps ?? 1500;
  const ffmpeg = opts.ffmpegPath ?? 'ffmpeg';
  const dir = opts.cacheDir ?? join(tmpdir(), 'zoom-tracker-test-media');
  await mkdir(dir, { recursive: true });
  const tag = `${width}x${height}-${fps}fps-${seconds}s-${kbps}k`;
  const videoPath = join(dir, `video-${tag}.h264`);
  const audioPath = join(dir, `audio-16k-tone-noise-${seconds}s.pcm`);

  await cached(videoPath, (tmp) =>
    run(ffmpeg, [
      ...[
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=${width}x${height}:rate=${fps}`,
        '-t',
        String(seconds),
      ],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-b:v', `${kbps}k`],
      ...['-x264-params', `keyint=${fps}:min-keyint=${fps}:scenecut=0:repeat-headers=1:aud=1:bframes=0`],
      ...['-bsf:v', 'h264_mp4toannexb', '-f', 'h264', tmp],
    ]),
  );
  await cached(audioPath, (tmp) =>
    run(ffmpeg, [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000'],
      ...['-f', 'lavfi', '-i', 'anoisesrc=color=pink:sample_rate=16000:amplitude=0.3:seed=7'],
      ...['-filter_complex', '[0][1]amix=inputs=2:normalize=0', '-t', String(seconds)],
      ...['-ac', '1', '-ar', '16000', '-f', 's16le', tmp],
    ]),
  );

  const videoFrames = splitAccessUnits(await readFile(videoPath));
  const pcm = await readFile(audioPath);
  const audioFrames: Buffer[] = [];
  for (let off = 0; off + AUDIO_FRAME_BYTES <= pcm.length; off += AUDIO_FRAME_BYTES) {
    audioFrames.push(pcm.subarray(off, off + AUDIO_FRAME_BYTES));
  }
  return { fps, width, height, seconds, videoFrames, audioFrames };
}

/** Splits an Annex-B stream written with `aud=1` into access units, dropping the AUD NALs. */
export function splitAccessUnits(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let current: Buffer[] = [];
  for (const nal of splitNals(stream)) {
    if (((nal[4] ?? 0) & 0x1f) === NalType.Aud) {
      if (current.length > 0) out.push(Buffer.concat(current));
      current = [];
    } else {
      current.push(nal);
    }
  }
  if (current.length > 0) out.push(Buffer.concat(current));
  return out;
}

async function cached(path: string, make: (tmp: string) => Promise<unknown>): Promise<void> {
  if (
    await stat(path)
      .then((s) => s.size > 0)
      .catch(() => false)
  )
    return;
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await make(tmp);
  await rename(tmp, path);
}
