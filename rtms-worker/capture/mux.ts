// Runs ffmpeg to build recording.mp4: the H.264 track copied from the timestamped Matroska
// intermediate (never re-encoded) and the wav encoded to AAC; both start at the recording's t0.
import { spawn } from 'node:child_process';

export interface MuxInput {
  ffmpegPath: string;
  /** Matroska holding the video (timestamps from the recording's t0); absent without usable video. */
  videoPath?: string;
  wavPath: string;
  outPath: string;
  timeoutMs?: number;
}

export function muxArgs(m: MuxInput): string[] {
  const video = m.videoPath ? ['-f', 'matroska', '-i', m.videoPath] : [];
  const maps = m.videoPath ? ['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy'] : ['-map', '0:a:0'];
  return [
    ...['-nostdin', '-v', 'error', '-y'],
    ...video,
    ...['-i', m.wavPath],
    ...maps,
    // The fast AAC coder is several times quicker than the default and transparent enough for 16 kHz speech.
    ...['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '48k', '-movflags', '+faststart', m.outPath],
  ];
}

/** Resolves when ffmpeg succeeded; rejects with ffmpeg's own words otherwise. */
export function runFfmpeg(
  ffmpegPath: string,
  args: readonly string[],
  timeoutMs = 60 * 60 * 1000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ffmpeg at "${ffmpegPath}": ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no output'}`));
    });
  });
}

export function muxRecording(m: MuxInput): Promise<void> {
  return runFfmpeg(m.ffmpegPath, muxArgs(m), m.timeoutMs);
}
