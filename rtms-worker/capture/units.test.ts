// Pure parts of the capture, tested with tables: record format (torn tails), the Matroska
// intermediate, the wav timeline (jitter, gaps, mixing, duplicates), the video gate, transcripts.
import { describe, expect, it } from 'vitest';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordDecoder, RecordKind, SEGMENT_MAGIC, encodeRecord } from './segment-format.ts';
import { MkvMuxer, avcConfig, toLengthPrefixed } from './mkv-writer.ts';
import { WavTimeline } from './audio-track.ts';
import { VideoGate } from './video-track.ts';
import { TranscriptBook, toCues, toSrt, toVtt } from './transcripts.ts';
import { createLimiter } from './limiter.ts';

const nal = (type: number, len = 8): Buffer =>
  Buffer.concat([Buffer.from([0, 0, 0, 1, type]), Buffer.alloc(len, 0x42)]);

describe('segment records', () => {
  it('round-trips across arbitrary chunk boundaries and reports a torn tail', () => {
    const recs = [
      encodeRecord(RecordKind.Audio, 0, 1000, Buffer.alloc(640, 1)),
      encodeRecord(RecordKind.Video, 4_000_000_000, 1040.5, Buffer.alloc(5000, 2)),
    ];
    const file = Buffer.concat([SEGMENT_MAGIC, ...recs, recs[0]!.subarray(0, 30)]);
    for (const step of [1, 7, 64, file.length]) {
      const d = new RecordDecoder();
      const got = [];
      for (let i = 0; i < file.length; i += step) got.push(...d.push(file.subarray(i, i + step)));
      expect(got.map((r) => [r.kind, r.userId, r.timestamp, r.data.length])).toEqual([
        [1, 0, 1000, 640],
        [2, 4_000_000_000, 1040.5, 5000],
      ]);
      expect(d.truncatedBytes()).toBe(30);
    }
  });

  it('a file that is not a segment is reported corrupt, not parsed', () => {
    const d = new RecordDecoder();
    expect(d.push(Buffer.from('definitely not a segment file'))).toEqual([]);
    expect(d.isCorrupt()).toBe(true);
  });
});

describe('Matroska intermediate', () => {
  it('Annex-B access units become length-prefixed NAL units (3- and 4-byte start codes)', () => {
    const au = Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5, 6]);
    expect([...toLengthPrefixed(au)]).toEqual([
      0, 0, 0, 3, 0x67, 1, 2, 0, 0, 0, 2, 0x68, 3, 0, 0, 0, 4, 0x65, 4, 5, 6,
    ]);
  });

  it('avcC carries profile, compatibility and level from the SPS, then SPS and PPS', () => {
    const cfg = avcConfig(
      Buffer.from([0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac]),
      Buffer.from([0, 0, 0, 1, 0x68, 0xee]),
    );
    expect([...cfg]).toEqual([
      1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, 5, 0x67, 0x64, 0x00, 0x1f, 0xac, 1, 0, 2, 0x68, 0xee,
    ]);
  });

  it('frames are buffered into clusters; the last one gets its duration and a reference when not a keyframe', () => {
    const mux = new MkvMuxer();
    const head = mux.header(Buffer.concat([nal(7), nal(8), nal(5)]));
    expect(head.subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    expect(mux.frame(Buffer.concat([nal(7), nal(8), nal(5)]), 0, true)).toBeUndefined();
    expect(mux.frame(nal(1), 40, false)).toBeUndefined();
    const out = mux.end(3000);
    expect(out.subarray(0, 4)).toEqual(Buffer.from([0x1f, 0x43, 0xb6, 0x75])); // one cluster
    const durationAt = out.indexOf(Buffer.from([0x9b, 0x01, 0, 0, 0, 0, 0, 0, 0x02]));
    expect(out.readUInt16BE(durationAt + 9)).toBe(2960); // held from 40 ms to 3000 ms
    expect(out.includes(Buffer.from([0xfb, 0x01, 0, 0, 0, 0, 0, 0, 0x02, 0xff, 0xd8]))).toBe(true); // ReferenceBlock -40
  });
});

describe('wav timeline', () => {
  const cases: {
    name: string;
    frames: [number, number, number][];
    duration: number;
    expect: Record<string, number>;
  }[] = [
    {
      name: 'contiguous',
      frames: [
        [0, 0, 1],
        [0, 20, 1],
        [0, 40, 1],
      ],
      duration: 60,
      expect: { gaps: 0, silenceFilledMs: 0 },
    },
    {
      name: 'jitter of 3 ms is absorbed',
      frames: [
        [0, 0, 1],
        [0, 23, 1],
        [0, 38, 1],
      ],
      duration: 60,
      expect: { gaps: 0, mixedFrames: 0 },
    },
    {
      name: 'muted gap becomes silence',
      frames: [
        [0, 0, 1],
        [0, 100, 1],
      ],
      duration: 120,
      expect: { gaps: 1, silenceFilledMs: 80 },
    },
    {
      name: 'late start and early end',
      frames: [[0, 40, 1]],
      duration: 100,
      expect: { gaps: 2, silenceFilledMs: 80 },
    },
    {
      name: 'two speakers at once are mixed',
      frames: [
        [1, 0, 1],
        [2, 0, 2],
      ],
      duration: 20,
      expect: { mixedFrames: 1 },
    },
    {
      name: 'a redelivered frame is kept once',
      frames: [
        [1, 0, 1],
        [1, 0, 1],
      ],
      duration: 20,
      expect: { duplicateFrames: 1 },
    },
  ];
  it.each(cases)('$name', async (c) => {
    const dir = await mkdtemp(join(tmpdir(), 'wav-'));
    const fh = await open(join(dir, 'a.wav'), 'w+');
    try {
      const w = new WavTimeline(fh, 10_000);
      for (const [user, at, level] of c.frames) {
        const f = Buffer.alloc(640);
        for (let i = 0; i < 640; i += 2) f.writeInt16LE(level * 100, i);
        await w.put(user, 10_000 + at, f);
      }
      const bytes = await w.finish(c.duration);
      expect(bytes).toBe(Math.max(c.duration * 32, bytes));
      expect(w.stats).toMatchObject(c.expect);
      if (c.name.startsWith('two speakers')) {
        const b = Buffer.alloc(2);
        await fh.read(b, 0, 2, 44);
        expect(b.readInt16LE(0)).toBe(300);
      }
    } finally {
      await fh.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('video gate', () => {
  it('starts on SPS+PPS+IDR (parameter sets may come earlier), drops repeats, measures gaps', () => {
    const g = new VideoGate(40);
    expect(g.accept(0, nal(1))).toBeUndefined(); // P-frame first
    expect(g.accept(40, Buffer.concat([nal(7), nal(8), nal(1)]))).toBeUndefined(); // params but no IDR
    const first = g.accept(80, nal(5));
    expect(first?.keyframe).toBe(true);
    expect(first?.au.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 1, 7])); // SPS/PPS prepended
    expect(g.accept(80, nal(1))).toBeUndefined();
    expect(g.accept(120, nal(1))?.keyframe).toBe(false);
    expect(g.accept(1120, nal(5))).toBeDefined();
    expect(g.stats).toMatchObject({
      frames: 3,
      droppedBeforeKeyframe: 2,
      droppedOutOfOrder: 1,
      gaps: 1,
      heldMs: 960,
      firstTs: 80,
      lastTs: 1120,
    });
  });
});

describe('transcripts', () => {
  const names = new Map([[5, 'Eve']]);
  it.each([
    {
      name: 'end from end_time',
      items: [{ userId: 5, timestamp: 1000, startTime: 1000, endTime: 2500, text: 'hi' }],
      cue: { startMs: 0, endMs: 1500, speaker: 'Eve' },
    },
    {
      name: 'no end: until the next cue',
      items: [
        { userId: 5, timestamp: 1000, text: 'a' },
        { userId: 6, userName: 'Al', timestamp: 3000, text: 'b' },
      ],
      cue: { startMs: 0, endMs: 2000 },
    },
    {
      name: 'no end and last: 3 s',
      items: [{ userId: 9, timestamp: 1000, text: 'x' }],
      cue: { startMs: 0, endMs: 3000, speaker: 'Speaker 9' },
    },
  ])('$name', ({ items, cue }) => {
    expect(toCues(items, 1000, names)[0]).toMatchObject(cue);
  });

  it('update replaces, delete removes, redelivery keeps one; formats', () => {
    const book = new TranscriptBook();
    book.add({ userId: 5, timestamp: 0, startTime: 0, text: 'helo', attribute: 1 });
    book.add({ userId: 5, timestamp: 0, startTime: 0, endTime: 61_001, text: 'hello', attribute: 2 });
    book.add({ userId: 5, timestamp: 0, startTime: 0, endTime: 61_001, text: 'hello', attribute: 2 });
    book.add({ userId: 6, timestamp: 10, text: 'gone' });
    book.add({ userId: 6, timestamp: 10, text: '', attribute: 3 });
    const cues = toCues(book.values(), 0, names);
    expect(toVtt(cues)).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:01:01.001\n<v Eve>hello\n');
    expect(toSrt(cues)).toBe('1\n00:00:00,000 --> 00:01:01,001\nEve: hello\n');
  });
});

describe('finalize limiter', () => {
  it('runs at most `slots` finalizations at once and frees a slot when one fails', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const task = (fail: boolean) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (fail) throw new Error('ffmpeg failed');
      return 'ok';
    };
    const results = await Promise.allSettled(
      [true, false, false, false, false].map((f) => limiter.run(task(f))),
    );
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(limiter.waiting()).toBe(0);
  });
});
