// Stream end: gathers parked and local segments, writes audio.wav, video, transcripts, muxes
// recording.mp4 with ffmpeg (H.264 copied), uploads everything and the manifest.
import type { Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import type { CaptureMeta } from './capture.ts';
import type { RetryPolicy } from './retry.ts';

export interface ManifestFile {
  name: string;
  key: string;
  bytes: number;
  sha256: string;
  contentType: string;
}

export interface Manifest {
  version: 1;
  status: 'complete' | 'incomplete';
  meetingUuid: string;
  meetingKey: string;
  streamId: string;
  files: ManifestFile[];
  [k: string]: unknown;
}

export async function finalizeCapture(opts: {
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
}): Promise<Manifest> {
  void opts;
  throw new Error('finalizeCapture: not implemented yet');
}
