// A minimal Matroska muxer for one H.264 track: each access unit becomes one block with its own
// timestamp (ms), and the last block carries a duration, so ffmpeg can copy the video into mp4
// keeping the RTMS timing: each frame is held until the next one, the last until the end.
import { NalType, splitNals } from './h264.ts';

const TRACK = 1;
const CLUSTER_MAX_MS = 5000;
const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimestampScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  Cluster: 0x1f43b675,
  Timestamp: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  BlockDuration: 0x9b,
  ReferenceBlock: 0xfb,
} as const;

function uintBytes(n: number): Buffer {
  const out: number[] = [];
  let v = Math.max(0, Math.floor(n));
  do {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Buffer.from(out);
}

/** An element with an 8-byte size field (simple, and room for anything). */
function el(id: number, body: Buffer): Buffer {
  const size = Buffer.alloc(8);
  size[0] = 0x01;
  let v = body.length;
  for (let i = 7; i >= 1; i--) {
    size[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return Buffer.concat([uintBytes(id), size, body]);
}
const uint = (id: number, n: number): Buffer => el(id, uintBytes(n));
const str = (id: number, s: string): Buffer => el(id, Buffer.from(s, 'ascii'));
function sint16(id: number, n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(Math.max(-32768, Math.min(32767, Math.round(n))));
  return el(id, b);
}

/** AVCDecoderConfigurationRecord from SPS and PPS NAL units (with their start codes). */
export function avcConfig(sps: Buffer, pps: Buffer): Buffer {
  const s = sps.subarray(4);
  const p = pps.subarray(4);
  const len = (b: Buffer): Buffer => Buffer.from([b.length >> 8, b.length & 0xff]);
  const head = Buffer.from([1, s[1] ?? 0x42, s[2] ?? 0, s[3] ?? 0x1f, 0xff, 0xe1]);
  return Buffer.concat([head, len(s), s, Buffer.from([1]), len(p), p]);
}

/** An Annex-B access unit as 4-byte length-prefixed NAL units (the Matroska/MP4 form). */
export function toLengthPrefixed(au: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const nal of splitNals(au)) {
    const body = nal.subarray(4);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    parts.push(len, body);
  }
  return Buffer.concat(parts);
}

interface Pending {
  ts: number;
  data: Buffer;
  keyframe: boolean;
  prevTs: number | undefined;
}

export class MkvMuxer {
  private cluster: Buffer[] = [];
  private clusterTs = -1;
  private pending: Pending | undefined;
  private lastTs: number | undefined;

  /** EBML header, a segment of unknown size, info and the track (avcC from the first keyframe). */
  header(firstKeyframe: Buffer): Buffer {
    let sps: Buffer | undefined;
    let pps: Buffer | undefined;
    for (const nal of splitNals(firstKeyframe)) {
      const t = (nal[4] ?? 0) & 0x1f;
      if (t === NalType.Sps) sps ??= nal;
      if (t === NalType.Pps) pps ??= nal;
    }
    if (!sps || !pps) throw new Error('the first keyframe carries no SPS/PPS');
    const ebml = el(
      ID.EBML,
      Buffer.concat([
        uint(0x4286, 1),
        uint(0x42f7, 1),
        uint(0x42f2, 4),
        uint(0x42f3, 8),
        str(0x4282, 'matroska'),
        uint(0x4287, 4),
        uint(0x4285, 2),
      ]),
    );
    const unknownSize = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const info = el(
      ID.Info,
      Buffer.concat([
        uint(ID.TimestampScale, 1_000_000),
        str(ID.MuxingApp, 'zoom-tracker'),
        str(ID.WritingApp, 'zoom-tracker'),
      ]),
    );
    const track = el(
      ID.TrackEntry,
      Buffer.concat([
        uint(ID.TrackNumber, TRACK),
        uint(ID.TrackUID, 1),
        uint(ID.TrackType, 1),
        str(ID.CodecID, 'V_MPEG4/ISO/AVC'),
        el(ID.CodecPrivate, avcConfig(sps, pps)),
      ]),
    );
    return Buffer.concat([ebml, uintBytes(ID.Segment), unknownSize, info, el(ID.Tracks, track)]);
  }

  /** Adds a frame at `ts` ms (increasing); returns a finished cluster to write, if any. */
  frame(au: Buffer, ts: number, keyframe: boolean): Buffer | undefined {
    const prev = this.pending;
    this.pending = { ts, data: toLengthPrefixed(au), keyframe, prevTs: this.lastTs };
    this.lastTs = ts;
    return prev ? this.add(prev, undefined) : undefined;
  }

  /** Writes the last frame, held until `endTs` ms, and the open cluster. */
  end(endTs: number): Buffer {
    const last = this.pending;
    this.pending = undefined;
    const out = last ? this.add(last, Math.max(1, Math.round(endTs - last.ts))) : undefined;
    return Buffer.concat([out ?? Buffer.alloc(0), this.flushCluster()]);
  }

  private add(f: Pending, duration: number | undefined): Buffer | undefined {
    let out: Buffer | undefined;
    if (this.clusterTs < 0 || f.ts - this.clusterTs > CLUSTER_MAX_MS) {
      out = this.flushCluster();
      this.clusterTs = f.ts;
    }
    const rel = Math.round(f.ts - this.clusterTs);
    const head = Buffer.from([0x80 | TRACK, (rel >> 8) & 0xff, rel & 0xff, f.keyframe ? 0x80 : 0x00]);
    if (duration === undefined) {
      this.cluster.push(el(ID.SimpleBlock, Buffer.concat([head, f.data])));
    } else {
      // In a BlockGroup a frame is a keyframe unless it names a reference.
      head[3] = 0x00;
      const ref =
        !f.keyframe && f.prevTs !== undefined ? sint16(ID.ReferenceBlock, f.prevTs - f.ts) : Buffer.alloc(0);
      this.cluster.push(
        el(
          ID.BlockGroup,
          Buffer.concat([el(ID.Block, Buffer.concat([head, f.data])), uint(ID.BlockDuration, duration), ref]),
        ),
      );
    }
    return out && out.length > 0 ? out : undefined;
  }

  private flushCluster(): Buffer {
    if (this.cluster.length === 0) return Buffer.alloc(0);
    const body = Buffer.concat([uint(ID.Timestamp, this.clusterTs), ...this.cluster]);
    this.cluster = [];
    return el(ID.Cluster, body);
  }
}
