// On-disk record format of capture segments: a magic header, then length-prefixed records each
// keeping the frame's RTMS timestamp, so a crash loses at most the incomplete tail record.

export const SEGMENT_MAGIC = Buffer.from('RTMSSEG1', 'ascii');
export const RECORD_HEADER_BYTES = 20;

export const RecordKind = {
  Audio: 1,
  Video: 2,
  Transcript: 3,
  /** user id -> user name, written the first time a name is seen. */
  Name: 4,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface SegmentRecord {
  kind: RecordKind;
  userId: number;
  /** Zoom-server epoch ms. */
  timestamp: number;
  data: Buffer;
}

/** [u8 kind][u8 0][u16 0][u32 userId][f64 timestamp][u32 length] + data, little-endian. */
export function encodeRecord(kind: RecordKind, userId: number, timestamp: number, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + data.length);
  out.writeUInt8(kind, 0);
  out.writeUInt8(0, 1);
  out.writeUInt16LE(0, 2);
  out.writeUInt32LE(userId >>> 0, 4);
  out.writeDoubleLE(timestamp, 8);
  out.writeUInt32LE(data.length, 16);
  data.copy(out, RECORD_HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder: feed chunks, get whole records. A trailing partial record (crash mid-write)
 * stays in `pending` and is reported by `truncatedBytes()` at the end.
 */
export class RecordDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private sawMagic = false;
  private corrupt = false;

  push(chunk: Buffer): SegmentRecord[] {
    if (this.corrupt) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SegmentRecord[] = [];
    let off = 0;
    if (!this.sawMagic) {
      if (this.buf.length < SEGMENT_MAGIC.length) return out;
      if (!this.buf.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
        this.corrupt = true;
        return out;
      }
      this.sawMagic = true;
      off = SEGMENT_MAGIC.length;
    }
    while (this.buf.length - off >= RECORD_HEADER_BYTES) {
      const kind = this.buf.readUInt8(off);
      const len = this.buf.readUInt32LE(off + 16);
      if (kind < 1 || kind > 4) {
        this.corrupt = true;
        break;
      }
      if (this.buf.length - off < RECORD_HEADER_BYTES + len) break;
      out.push({
        kind: kind as RecordKind,
        userId: this.buf.readUInt32LE(off + 4),
        timestamp: this.buf.readDoubleLE(off + 8),
        data: this.buf.subarray(off + RECORD_HEADER_BYTES, off + RECORD_HEADER_BYTES + len),
      });
      off += RECORD_HEADER_BYTES + len;
    }
    this.buf = this.buf.subarray(off);
    return out;
  }

  /** Bytes left over at the end: a torn tail record, or unreadable data. */
  truncatedBytes(): number {
    return this.buf.length;
  }

  isCorrupt(): boolean {
    return this.corrupt;
  }
}
