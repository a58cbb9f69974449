// Builds audio.wav (16 kHz mono s16le) from timestamped frames by writing each frame at the
// position of its RTMS timestamp: holes read back as zeros, so missing audio becomes silence.
// Small timestamp jitter (≤ 5 ms) is absorbed; overlapping speakers are mixed; duplicates kept once.
import type { FileHandle } from 'node:fs/promises';

export const SAMPLE_RATE = 16_000;
export const BYTES_PER_MS = (SAMPLE_RATE * 2) / 1000;
const WAV_HEADER_BYTES = 44;
const JITTER_BYTES = 5 * BYTES_PER_MS;
const PENDING_BYTES = 512 * 1024;

export interface AudioTrackStats {
  frames: number;
  gaps: number;
  /** Silence inserted where no audio arrived (including before the first and after the last frame). */
  silenceFilledMs: number;
  mixedFrames: number;
  duplicateFrames: number;
}

export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return h;
}

export class WavTimeline {
  private pending = Buffer.alloc(PENDING_BYTES);
  private pendingStart = 0;
  private pendingLen = 0;
  /** End (data bytes) of everything written or pending. */
  private head = 0;
  private readonly nextByUser = new Map<number, number>();
  readonly stats: AudioTrackStats = {
    frames: 0,
    gaps: 0,
    silenceFilledMs: 0,
    mixedFrames: 0,
    duplicateFrames: 0,
  };

  constructor(
    private readonly fh: FileHandle,
    private readonly t0: number,
  ) {}

  async put(userId: number, timestamp: number, frame: Buffer): Promise<void> {
    const data = frame.length % 2 === 0 ? frame : frame.subarray(0, frame.length - 1);
    if (data.length === 0) return;
    this.stats.frames++;
    let pos = Math.max(0, Math.round((timestamp - this.t0) * (BYTES_PER_MS / 2)) * 2);
    const expected = this.nextByUser.get(userId);
    if (expected !== undefined && Math.abs(pos - expected) <= JITTER_BYTES) pos = expected;
    this.nextByUser.set(userId, pos + data.length);

    if (pos >= this.head) {
      if (pos > this.head) {
        this.stats.gaps++;
        this.stats.silenceFilledMs += (pos - this.head) / BYTES_PER_MS;
      }
      if (
        pos !== this.pendingStart + this.pendingLen ||
        this.pendingLen + data.length > this.pending.length
      ) {
        await this.flush();
        this.pendingStart = pos;
      }
      if (data.length > this.pending.length) {
        // Larger than the batch buffer (the capture drops such frames; old segments may hold one).
        await this.fh.write(data, 0, data.length, WAV_HEADER_BYTES + pos);
        this.pendingStart = pos + data.length;
        this.head = pos + data.length;
        return;
      }
      data.copy(this.pending, this.pendingLen);
      this.pendingLen += data.length;
      this.head = pos + data.length;
      return;
    }
    await this.overlap(pos, data);
  }

  /** A frame landing on audio already placed: a redelivered duplicate, or another speaker to mix in. */
  private async overlap(pos: number, data: Buffer): Promise<void> {
    await this.flush();
    const existing = Buffer.alloc(data.length);
    await this.fh.read(existing, 0, data.length, WAV_HEADER_BYTES + pos);
    if (existing.equals(data)) {
      this.stats.duplicateFrames++;
      return;
    }
    const mixed = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i += 2) {
      const s = existing.readInt16LE(i) + data.readInt16LE(i);
      mixed.writeInt16LE(s > 32767 ? 32767 : s < -32768 ? -32768 : s, i);
    }
    await this.fh.write(mixed, 0, mixed.length, WAV_HEADER_BYTES + pos);
    this.stats.mixedFrames++;
    if (pos + data.length > this.head) this.head = pos + data.length;
  }

  private async flush(): Promise<void> {
    if (this.pendingLen === 0) return;
    await this.fh.write(this.pending, 0, this.pendingLen, WAV_HEADER_BYTES + this.pendingStart);
    this.pendingStart += this.pendingLen;
    this.pendingLen = 0;
  }

  /** Pads with silence to `durationMs` and writes the header; returns the data bytes. */
  async finish(durationMs: number): Promise<number> {
    await this.flush();
    const total = Math.max(this.head, Math.round(durationMs * (BYTES_PER_MS / 2)) * 2);
    if (total > this.head) {
      if (this.stats.frames > 0) this.stats.gaps++;
      this.stats.silenceFilledMs += (total - this.head) / BYTES_PER_MS;
    }
    await this.fh.truncate(WAV_HEADER_BYTES + total);
    await this.fh.write(wavHeader(total), 0, WAV_HEADER_BYTES, 0);
    return total;
  }
}
