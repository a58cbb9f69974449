// The largest frame of each kind a capture keeps. Bigger ones cannot be real RTMS media; they are
// dropped and counted (manifest `framesDropped.oversized`) so one bad frame never costs the recording.

export const MAX_FRAME_BYTES = {
  /** 1 s of 48 kHz stereo L16 (192,000 B) is RTMS's largest audio packet; we ask for 640 B (20 ms, 16 kHz mono). */
  audio: 256 * 1024,
  /** One H.264 access unit; a 1080p keyframe is a few hundred KiB. */
  video: 4 * 1024 * 1024,
  /** One transcript item (an utterance) as stored. */
  transcript: 64 * 1024,
} as const;

export type FrameKind = keyof typeof MAX_FRAME_BYTES;

export function isOversized(kind: FrameKind, bytes: number): boolean {
  return bytes > MAX_FRAME_BYTES[kind];
}
