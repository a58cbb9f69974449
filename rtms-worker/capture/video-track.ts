// Video gating and timing (pure): the track starts on the first IDR with SPS/PPS available
// (earlier frames are dropped and counted), repeated or out-of-order timestamps are dropped, and
// gaps (camera off, nobody sending) are measured; the mp4 holds the last frame through them.
import { NalType, nalStarts, splitNals } from './h264.ts';

export interface VideoTrackStats {
  frames: number;
  droppedBeforeKeyframe: number;
  droppedOutOfOrder: number;
  gaps: number;
  heldMs: number;
  firstTs?: number;
  lastTs?: number;
}

export interface AcceptedFrame {
  au: Buffer;
  keyframe: boolean;
}

/** NAL types up to and including the first slice: enough to classify an access unit cheaply. */
export function leadingNalTypes(au: Buffer): number[] {
  const out: number[] = [];
  for (const s of nalStarts(au.subarray(0, Math.min(au.length, 4096)))) {
    const t = (au[s] ?? 0) & 0x1f;
    out.push(t);
    if (t === NalType.NonIdr || t === NalType.Idr) break;
  }
  return out;
}

export class VideoGate {
  private sps?: Buffer;
  private pps?: Buffer;
  private started = false;
  readonly stats: VideoTrackStats = {
    frames: 0,
    droppedBeforeKeyframe: 0,
    droppedOutOfOrder: 0,
    gaps: 0,
    heldMs: 0,
  };

  constructor(private readonly frameMs: number) {}

  accept(ts: number, au: Buffer): AcceptedFrame | undefined {
    const types = leadingNalTypes(au);
    const keyframe = types.includes(NalType.Idr);
    if (!this.started) {
      if (types.includes(NalType.Sps) || types.includes(NalType.Pps)) this.rememberParams(au);
      if (!keyframe || !this.sps || !this.pps) {
        this.stats.droppedBeforeKeyframe++;
        return undefined;
      }
      this.started = true;
      if (!types.includes(NalType.Sps) || !types.includes(NalType.Pps))
        au = Buffer.concat([this.sps, this.pps, au]);
      this.stats.firstTs = ts;
    } else if (ts <= (this.stats.lastTs ?? -Infinity)) {
      this.stats.droppedOutOfOrder++;
      return undefined;
    } else {
      const delta = ts - (this.stats.lastTs ?? ts);
      if (delta > this.frameMs * 1.5) {
        this.stats.gaps++;
        this.stats.heldMs += delta - this.frameMs;
      }
    }
    this.stats.lastTs = ts;
    this.stats.frames++;
    return { au, keyframe };
  }

  private rememberParams(au: Buffer): void {
    for (const nal of splitNals(au)) {
      const t = (nal[4] ?? 0) & 0x1f;
      if (t === NalType.Sps) this.sps = nal;
      else if (t === NalType.Pps) this.pps = nal;
    }
  }
}
