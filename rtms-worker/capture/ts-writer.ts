// A minimal MPEG-TS muxer for one H.264 track: each access unit becomes one PES packet with its
// own PTS (90 kHz), so ffmpeg can copy the video into mp4 keeping the RTMS timing and the gaps.

const PAT_PID = 0x0000;
const PMT_PID = 0x1000;
const VIDEO_PID = 0x0100;
const PACKET = 188;
/** Keeps PCR (= PTS - 0.5 s) positive for the first frame. */
export const PTS_BASE = 90_000;
const PSI_EVERY_FRAMES = 50;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32Mpeg2(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc >>> 0;
}

function section(body: number[]): Buffer {
  const s = Buffer.from(body);
  const crc = crc32Mpeg2(s);
  return Buffer.concat([s, Buffer.from([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff])]);
}

const PAT = section([
  0x00,
  0xb0,
  13,
  0x00,
  0x01,
  0xc1,
  0x00,
  0x00,
  0x00,
  0x01,
  0xe0 | (PMT_PID >> 8),
  PMT_PID & 0xff,
]);
const PMT = section([
  ...[0x02, 0xb0, 18, 0x00, 0x01, 0xc1, 0x00, 0x00],
  ...[0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0x00],
  ...[0x1b, 0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0x00],
]);

/** Writes 33-bit timestamps with 32-bit-safe arithmetic. */
function ptsBytes(pts: number): Buffer {
  const hi = Math.floor(pts / 2 ** 30) & 0x07;
  const lo = pts % 2 ** 30;
  return Buffer.from([
    0x21 | (hi << 1),
    (lo >>> 22) & 0xff,
    (((lo >>> 15) & 0x7f) << 1) | 1,
    (lo >>> 7) & 0xff,
    ((lo & 0x7f) << 1) | 1,
  ]);
}

function pcrBytes(pcrBase: number): Buffer {
  const top = Math.floor(pcrBase / 2); // bits 32..1
  return Buffer.from([
    (top >>> 24) & 0xff,
    (top >>> 16) & 0xff,
    (top >>> 8) & 0xff,
    top & 0xff,
    ((pcrBase & 1) << 7) | 0x7e,
    0x00,
  ]);
}

export class TsMuxer {
  private readonly cc = new Map<number, number>();
  private frames = 0;

  /** TS packets for one access unit at `pts` (90 kHz ticks from PTS_BASE). */
  frame(au: Buffer, pts: number, keyframe: boolean): Buffer {
    const out: Buffer[] = [];
    if (this.frames++ % PSI_EVERY_FRAMES === 0 || keyframe)
      out.push(this.psi(PAT_PID, PAT), this.psi(PMT_PID, PMT));
    const pesHeader = Buffer.concat([
      Buffer.from([0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x80, 0x80, 0x05]),
      ptsBytes(pts),
    ]);
    const payload = Buffer.concat([pesHeader, au]);
    let off = 0;
    let first = true;
    while (off < payload.length) {
      const afBody = first
        ? Buffer.concat([Buffer.from([keyframe ? 0x50 : 0x10]), pcrBytes(Math.max(0, pts - 45_000))])
        : Buffer.alloc(0);
      const remaining = payload.length - off;
      const pkt = Buffer.alloc(PACKET, 0xff);
      let n: number;
      let pos = 4;
      if (afBody.length === 0 && remaining >= PACKET - 4) {
        n = PACKET - 4;
        this.header(pkt, VIDEO_PID, first, 1);
      } else {
        n = Math.min(remaining, PACKET - 5 - afBody.length);
        const afLen = PACKET - 5 - n; // bytes after the length byte
        this.header(pkt, VIDEO_PID, first, 3);
        pkt[pos++] = afLen;
        if (afLen > 0) {
          if (afBody.length > 0) afBody.copy(pkt, pos);
          else pkt[pos] = 0x00;
        }
        pos += afLen;
      }
      payload.copy(pkt, pos, off, off + n);
      off += n;
      first = false;
      out.push(pkt);
    }
    return Buffer.concat(out);
  }

  private psi(pid: number, sec: Buffer): Buffer {
    const pkt = Buffer.alloc(PACKET, 0xff);
    this.header(pkt, pid, true, 1);
    pkt[4] = 0x00; // pointer field
    sec.copy(pkt, 5);
    return pkt;
  }

  private header(pkt: Buffer, pid: number, pusi: boolean, afc: 1 | 3): void {
    const cc = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (cc + 1) & 0x0f);
    pkt[0] = 0x47;
    pkt[1] = (pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    pkt[2] = pid & 0xff;
    pkt[3] = (afc << 4) | cc;
  }
}
