// Real RTMS recordings for tests outside the worker (the jobs may not import it): a capture fed a
// second of silent audio per speaker and the given transcript items, then finished (ffmpeg, upload,
// manifest) or handed over (segments parked under `parts/`) into a media store. Test only.
import type { MediaStore } from '../../core/ports.ts';
import { silentLogger } from '../../core/log.ts';
import type { TranscriptItem } from '../../rtms-worker/frames.ts';
import { openCapture, type Capture } from '../../rtms-worker/capture/capture.ts';
import type { Manifest } from '../../rtms-worker/capture/finalize.ts';

export type { Manifest };

export interface RecordedStreamPlan {
  media: MediaStore;
  /** Local capture root (a temp dir). */
  rootDir: string;
  meetingUuid: string;
  streamId: string;
  /** Epoch ms of the first audio frame (the recording's t0). */
  t0: number;
  /** Each speaks one second of silence (20 ms frames), one after the other, from t0. */
  speakers: { userId: number; userName?: string }[];
  transcripts: TranscriptItem[];
}

const FRAME_MS = 20;
const FRAME_BYTES = 640; // 20 ms of 16 kHz mono s16le

async function capture(plan: RecordedStreamPlan): Promise<Capture> {
  const cap = await openCapture({
    rootDir: plan.rootDir,
    meetingUuid: plan.meetingUuid,
    streamId: plan.streamId,
    owner: 'test-worker',
    media: plan.media,
    ffmpegPath: 'ffmpeg',
    log: silentLogger(),
    videoFps: 25,
    retryBaseMs: 10,
  });
  plan.speakers.forEach((s, k) => {
    for (let t = 0; t < 1000; t += FRAME_MS) {
      cap.audio({ ...s, timestamp: plan.t0 + k * 1000 + t, data: Buffer.alloc(FRAME_BYTES) });
    }
  });
  for (const item of plan.transcripts) cap.transcript(item);
  return cap;
}

/** Captures and finishes a stream: recording.mp4, audio.wav, transcripts and manifest in the store. */
export async function recordStream(plan: RecordedStreamPlan): Promise<Manifest> {
  const cap = await capture(plan);
  return cap.finish({ endedAt: plan.t0 + plan.speakers.length * 1000 + 500, stopReason: 6 });
}

/** Captures a stream and hands it over: its segments parked under `<prefix>parts/`, no manifest. */
export async function parkStream(plan: RecordedStreamPlan): Promise<void> {
  const cap = await capture(plan);
  await cap.handOver();
}
