// Frames and names beyond their limits never cost the recording: an 11 MiB audio frame (and oversized
// video and transcript items) is dropped and counted, live and when recovering segments that already
// hold one; 40,000 users with 8 KiB names leave a bounded name book. Real files, real ffmpeg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.ts';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import type { MediaStore } from '../../core/ports.ts';
import { loadTestMedia, type TestMedia } from '../../demo/simulator/media.ts';
import { captureDirOf, openCapture, type Capture } from './capture.ts';
import { MAX_FRAME_BYTES } from './frame-limits.ts';
import { MAX_NAME_CHARS, MAX_USERS } from './name-book.ts';
import { recoverCaptures } from './recover.ts';
import { RecordKind, encodeRecord } from './segment-format.ts';
import { feed, probeStreams, type FeedPlan } from '../../test/rtms-worker/capture-support.ts';

const T0 = 1_700_000_000_000;
const UUID = 'limits+meeting/A==';
const KEY = 'limits-meeting_A==';
const plan: FeedPlan = { t0: T0, durationMs: 4000, fps: 25 };
const ELEVEN_MIB = 11 * 1024 * 1024;

let root: string;
let store: MediaStore;
let media: TestMedia;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'capture-limits-'));
  store = createLocalMediaStore(join(root, 's3'));
  media = await loadTestMedia({ seconds: 4 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

function open(streamId: string, dir = 'caps'): Promise<Capture> {
  return openCapture({
    rootDir: join(root, dir),
    meetingUuid: UUID,
    streamId,
    owner: 'w',
    media: store,
    ffmpegPath: 'ffmpeg',
    log: silentLogger(),
    videoFps: 25,
    retryBaseMs: 5,
    retryAttempts: 3,
  });
}

async function expectFullRecording(streamId: string): Promise<void> {
  const dir = join(root, 's3', KEY, streamId);
  // 4 s of 16 kHz mono s16le: 44-byte header + 4000 ms × 32 bytes
  expect((await stat(join(dir, 'audio.wav'))).size).toBe(44 + 4000 * 32);
  const streams = await probeStreams(join(dir, 'recording.mp4'));
  expect(streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
  for (const s of streams) expect(Math.abs(Number(s.duration) - 4)).toBeLessThan(0.1);
}

describe('oversized frames', () => {
  it('an 11 MiB audio frame (msg 14) is dropped and counted; recording.mp4 and audio.wav cover the whole 4 s', async () => {
    const cap = await open('big-audio');
    feed(cap, media, { ...plan, toMs: 2000 });
    cap.audio({ userId: 0, timestamp: T0 + 2000, data: Buffer.alloc(ELEVEN_MIB, 3) });
    feed(cap, media, { ...plan, fromMs: 2000 });
    expect(cap.stats().oversizedFrames).toBe(1);
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m).toMatchObject({
      status: 'incomplete',
      durationMs: 4000,
      framesDropped: { oversized: 1 },
      audio: { durationMs: 4000 },
    });
    expect(m.problems).toEqual(['1 frames over the size limits dropped']);
    expect(m.files.map((f) => f.name)).toEqual(expect.arrayContaining(['recording.mp4', 'audio.wav']));
    await expectFullRecording('big-audio');
  });

  it('video over 4 MiB and a transcript item over 64 KiB are dropped and counted too; frames at the limit are kept', async () => {
    const cap = await open('big-other');
    feed(cap, media, plan);
    cap.video({ userId: 0, timestamp: T0 + 1000, data: Buffer.alloc(MAX_FRAME_BYTES.video + 1) });
    cap.transcript({ userId: 1, timestamp: T0 + 1000, text: 'x'.repeat(MAX_FRAME_BYTES.transcript) });
    cap.audio({ userId: 0, timestamp: T0 + 4000, data: Buffer.alloc(MAX_FRAME_BYTES.audio) }); // 8.192 s, kept
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m.framesDropped).toEqual({ oversized: 2 });
    expect(m.audio?.durationMs).toBe(4000 + MAX_FRAME_BYTES.audio / 32);
  });

  it('recovery after a crash: a segment that already holds an 11 MiB audio record still becomes the recording', async () => {
    const cap = await open('crash-big', 'crash');
    feed(cap, media, plan);
    for (let i = 0; i < 500 && cap.stats().backlogBytes > 0; i++) await new Promise((r) => setTimeout(r, 10));
    const dir = captureDirOf(join(root, 'crash'), UUID, 'crash-big');
    const seg = (await readdir(dir)).find((f) => f.startsWith('seg-'))!;
    // as written by a worker from before the limits: the record is on disk, the process died
    await appendFile(
      join(dir, seg),
      encodeRecord(RecordKind.Audio, 0, T0 + 1000, Buffer.alloc(ELEVEN_MIB, 5)),
    );
    const [r] = await recoverCaptures(join(root, 'crash'), {
      media: store,
      ffmpegPath: 'ffmpeg',
      log: silentLogger(),
      staleAfterMs: -1,
      retryBaseMs: 5,
    });
    expect(r).toMatchObject({
      action: 'finish',
      manifest: { durationMs: 4000, framesDropped: { oversized: 1 }, audio: { durationMs: 4000 } },
    });
    await expectFullRecording('crash-big');
  });
});

describe('participant names', () => {
  it('40,000 users with 8 KiB names: at most 5,000 names of 128 characters are kept, the rest counted', async () => {
    const cap = await open('many-names');
    const longName = (i: number) => `${i}:`.padEnd(8 * 1024, 'n');
    for (let i = 0; i < 40_000; i++)
      cap.audio({
        userId: 1_000_000 + i,
        userName: longName(i),
        timestamp: T0 + i / 16,
        data: Buffer.alloc(2),
      });
    feed(cap, media, plan);
    expect(cap.stats()).toMatchObject({ namesRefused: 40_000 - MAX_USERS, oversizedFrames: 0 });
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m.participants).toHaveLength(MAX_USERS);
    expect(m.participants[0]).toEqual({ userId: 1_000_000, userName: longName(0).slice(0, MAX_NAME_CHARS) });
    expect(Math.max(...m.participants.map((p) => p.userName.length))).toBe(MAX_NAME_CHARS);
    expect(m.capture.namesRefused).toBe(40_000 - MAX_USERS);
  });
});
