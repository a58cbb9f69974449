// End to end through the real ffmpeg/ffprobe and a real S3 API (s3rver in-process): a capture
// with a late keyframe, a camera-off gap and a muted gap becomes an in-sync mp4, a wav, the
// transcripts and a manifest under `<meeting-key>/<stream-id>/`; handover between two captures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { startTestS3Server, type TestS3Server } from '../../test/s3-server.ts';
import { loadTestMedia, type TestMedia } from '../../demo/simulator/media.ts';
import { captureDirOf, openCapture, type Capture, type OpenCaptureOptions } from './capture.ts';
import type { Manifest } from './finalize.ts';
import {
  decodeAudio,
  feed,
  frameMd5,
  probeStreams,
  readStream,
  rms,
  videoPacketTimes,
  type FeedPlan,
} from '../../test/rtms-worker/capture-support.ts';

const T0 = 1_700_000_000_000;
const UUID = 'AbC/dEf+gh==';
const KEY = 'AbC_dEf-gh==';

let s3: TestS3Server;
let store: MediaStore;
let media: TestMedia;
let root: string;

beforeAll(async () => {
  [s3, media] = await Promise.all([startTestS3Server(), loadTestMedia({ seconds: 4 })]);
  store = createS3MediaStore(
    { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' },
    silentLogger(),
    {
      credentials: s3.credentials,
    },
  );
  root = await mkdtemp(join(tmpdir(), 'capture-test-'));
});
afterAll(async () => {
  await s3.close();
  await rm(root, { recursive: true, force: true });
});

function open(
  streamId: string,
  dir: string,
  owner = 'worker-a',
  extra: Partial<OpenCaptureOptions> = {},
): Promise<Capture> {
  return openCapture({
    ...extra,
    rootDir: join(root, dir),
    meetingUuid: UUID,
    streamId,
    owner,
    media: store,
    ffmpegPath: 'ffmpeg',
    log: silentLogger(),
    videoFps: 25,
    retryBaseMs: 10,
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

async function download(key: string, dir: string): Promise<string> {
  const body = await readStream(await store.get(key));
  if (!body) throw new Error(`missing ${key}`);
  const path = join(dir, key.split('/').pop()!);
  await writeFile(path, body);
  return path;
}

const plan: FeedPlan = {
  t0: T0,
  durationMs: 12_000,
  fps: 25,
  videoFromMs: 500, // frames 13..24 are P-frames before the first IDR at 1000 ms
  videoGaps: [[4000, 6000]], // camera off
  audioGaps: [[7000, 8500]], // muted
  userName: 'Ann Lee',
};

describe('capture to recording', () => {
  let manifest: Manifest;
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(root, 'out-'));
    const cap = await open('stream-1', 'w1');
    const sent = feed(cap, media, plan);
    expect(sent.video).toBe(300 - 13 - 50);
    cap.transcript({
      userId: 16778240,
      userName: 'Ann Lee',
      timestamp: T0 + 1200,
      startTime: T0 + 1200,
      endTime: T0 + 2400,
      text: 'Hello <all>',
      attribute: 1,
    });
    cap.transcript({
      userId: 7,
      userName: 'Bo',
      timestamp: T0 + 3000,
      startTime: T0 + 3000,
      endTime: T0 + 3900,
      text: 'draft',
      attribute: 1,
    });
    cap.transcript({
      userId: 7,
      userName: 'Bo',
      timestamp: T0 + 3000,
      startTime: T0 + 3000,
      endTime: T0 + 4100,
      text: 'Hi Ann',
      attribute: 2,
    });
    cap.transcript({ userId: 7, timestamp: T0 + 5000, startTime: T0 + 5000, text: 'removed', attribute: 1 });
    cap.transcript({ userId: 7, timestamp: T0 + 5000, startTime: T0 + 5000, text: '', attribute: 3 });
    expect(cap.stats()).toMatchObject({
      audioFrames: 600 - 75,
      videoFrames: 237,
      transcriptItems: 5,
      droppedFrames: 0,
    });
    manifest = await cap.finish({ endedAt: T0 + 12_500, stopReason: 6 });
  });

  it('writes every object under <meeting-key>/<stream-id>/ and removes the local capture', async () => {
    expect(await keysUnder(`${KEY}/stream-1/`)).toEqual(
      [
        'audio.wav',
        'manifest.json',
        'recording.mp4',
        'transcript.srt',
        'transcript.txt',
        'transcript.vtt',
      ].map((n) => `${KEY}/stream-1/${n}`),
    );
    await expect(readdir(captureDirOf(join(root, 'w1'), UUID, 'stream-1'))).rejects.toThrow(/ENOENT/);
  });

  it('manifest: timeline, gaps filled, keyframe start, sizes and checksums of the stored objects', async () => {
    const stored = JSON.parse(
      (await readStream(await store.get(`${KEY}/stream-1/manifest.json`)))!.toString('utf8'),
    ) as Manifest;
    expect(stored).toEqual(manifest);
    expect(manifest).toMatchObject({
      status: 'complete',
      meetingUuid: UUID,
      meetingKey: KEY,
      streamId: 'stream-1',
      stopReason: 6,
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 12_000).toISOString(),
      durationMs: 12_000,
      audio: { frames: 525, gaps: 1, silenceFilledMs: 1500, durationMs: 12_000 },
      video: {
        frames: 225,
        droppedBeforeKeyframe: 12,
        gaps: 1,
        heldMs: 2000,
        startOffsetMs: 1000,
        durationMs: 11_000,
        codec: 'h264',
        copied: true,
      },
      transcript: { cues: 2, unreadable: 0 },
      participants: [
        { userId: 16778240, userName: 'Ann Lee' },
        { userId: 7, userName: 'Bo' },
      ],
    });
    for (const f of manifest.files) {
      const body = (await readStream(await store.get(f.key)))!;
      expect(body.length).toBe(f.bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(f.sha256);
    }
  });

  it('mp4: H.264 copied (decoded pictures identical to the input), AAC audio, durations', async () => {
    const mp4 = await download(`${KEY}/stream-1/recording.mp4`, out);
    const streams = await probeStreams(mp4);
    const v = streams.find((s) => s.codec_type === 'video')!;
    const a = streams.find((s) => s.codec_type === 'audio')!;
    expect(v.codec_name).toBe('h264');
    expect(a.codec_name).toBe('aac');
    expect(Number(v.nb_frames)).toBe(225);
    // The first keyframe (RTMS time 1.0 s) is held from the start; the last frame until the end.
    expect(Number(v.start_time)).toBe(0);
    expect(Math.abs(Number(v.duration) - Number(a.duration))).toBeLessThan(0.07);
    expect(Math.abs(Number(a.duration) - 12)).toBeLessThan(0.07);
    const gop = join(out, 'gop.h264');
    await writeFile(gop, Buffer.concat(media.videoFrames.slice(25, 50)));
    expect(await frameMd5(['-i', mp4], 25)).toEqual(await frameMd5(['-f', 'h264', '-i', gop], 25));
  });

  it('A/V sync within one frame across the gaps: video at its RTMS times, silence where muted', async () => {
    const mp4 = await download(`${KEY}/stream-1/recording.mp4`, out);
    const times = await videoPacketTimes(mp4);
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = i * 40;
      if (t >= 1000 && !(t >= 4000 && t < 6000)) expected.push(t / 1000);
    }
    expected[0] = 0; // the first keyframe is shown from the start of the recording
    expect(times).toHaveLength(expected.length);
    for (let k = 0; k < times.length; k++) expect(Math.abs(times[k]! - expected[k]!)).toBeLessThan(0.04);
    expect(times[times.indexOf(times.find((t) => t > 5)!) - 1]).toBeCloseTo(3.96, 2); // held through the gap
    const pcm = await decodeAudio(mp4);
    expect(pcm.length / 32_000).toBeCloseTo(12, 1);
    expect(rms(pcm, 7100, 8400)).toBeLessThan(50);
    expect(rms(pcm, 1000, 6900)).toBeGreaterThan(1000);
    expect(rms(pcm, 8600, 11_900)).toBeGreaterThan(1000);
  });

  it('wav: 16 kHz mono covering the whole stream with the muted part silent', async () => {
    const wav = await download(`${KEY}/stream-1/audio.wav`, out);
    const streams = await probeStreams(wav);
    expect(streams[0]).toMatchObject({ codec_name: 'pcm_s16le', duration: '12.000000' });
    const pcm = await decodeAudio(wav);
    expect(pcm.length).toBe(12_000 * 32);
    expect(rms(pcm, 7000, 8500)).toBe(0);
    expect(rms(pcm, 0, 7000)).toBeGreaterThan(1000);
  });

  it('transcripts: updates replace, deletes remove, times relative to the stream start', async () => {
    const text = async (n: string): Promise<string> =>
      (await readStream(await store.get(`${KEY}/stream-1/${n}`)))!.toString('utf8');
    expect(await text('transcript.vtt')).toBe(
      'WEBVTT\n\n1\n00:00:01.200 --> 00:00:02.400\n<v Ann Lee>Hello &lt;all&gt;\n\n2\n00:00:03.000 --> 00:00:04.100\n<v Bo>Hi Ann\n',
    );
    expect(await text('transcript.srt')).toBe(
      '1\n00:00:01,200 --> 00:00:02,400\nAnn Lee: Hello <all>\n\n2\n00:00:03,000 --> 00:00:04,100\nBo: Hi Ann\n',
    );
    expect(await text('transcript.txt')).toBe('[00:00:01] Ann Lee: Hello <all>\n[00:00:03] Bo: Hi Ann\n');
  });
});

describe('camera off at the end', () => {
  it('the last frame is held until the audio ends, so both tracks cover the whole recording', async () => {
    const cap = await open('stream-tail', 'wt');
    feed(cap, media, { ...plan, videoFromMs: 0, videoGaps: [[8000, 12_000]], audioGaps: [] });
    const m = await cap.finish({ endedAt: T0 + 12_000 });
    expect(m.video).toMatchObject({ frames: 200, durationMs: 8000, startOffsetMs: 0 });
    const mp4 = await download(`${KEY}/stream-tail/recording.mp4`, await mkdtemp(join(root, 'out-')));
    const streams = await probeStreams(mp4);
    const v = streams.find((s) => s.codec_type === 'video')!;
    expect(Number(v.duration)).toBeCloseTo(12, 1);
    expect((await videoPacketTimes(mp4)).at(-1)).toBeCloseTo(7.96, 2);
  });
});

describe('handover between workers', () => {
  it('worker A parks its segments in the store; worker B finishes one recording covering the whole stream', async () => {
    const a = await open('stream-2', 'wa', 'worker-a');
    feed(a, media, { ...plan, fromMs: 0, toMs: 5000 });
    await a.handOver();
    const parked = await keysUnder(`${KEY}/stream-2/parts/`);
    expect(parked.length).toBeGreaterThan(0);
    await expect(readdir(captureDirOf(join(root, 'wa'), UUID, 'stream-2'))).rejects.toThrow(/ENOENT/);

    const b = await open('stream-2', 'wb', 'worker-b');
    feed(b, media, { ...plan, fromMs: 5000, toMs: 12_000 });
    const m = await b.finish({ endedAt: T0 + 12_000 });
    expect(m).toMatchObject({
      status: 'complete',
      durationMs: 12_000,
      audio: { frames: 525, gaps: 1 },
      video: { frames: 225, gaps: 1 },
    });
    expect(m.capture.segments).toBe(parked.length + 1);
    expect(await keysUnder(`${KEY}/stream-2/parts/`)).toEqual([]);
    const mp4 = await download(`${KEY}/stream-2/recording.mp4`, await mkdtemp(join(root, 'out-')));
    const v = (await probeStreams(mp4)).find((s) => s.codec_type === 'video')!;
    expect(Number(v.nb_frames)).toBe(225);
  });

  it('full segments are parked while capturing, so the handover only uploads the open one', async () => {
    const a = await open('stream-4', 'wa', 'worker-a', { segmentBytes: 128 * 1024 });
    for (let t = 0; t < 6000; t += 500) {
      // Frames arrive over time, as from the socket: the writer flushes small batches.
      feed(a, media, { ...plan, fromMs: t, toMs: t + 500 });
      while (a.stats().backlogBytes > 0) await new Promise((r) => setTimeout(r, 2));
    }
    const localSegments = async (): Promise<number> =>
      (await readdir(captureDirOf(join(root, 'wa'), UUID, 'stream-4'))).filter((f) => f.startsWith('seg-'))
        .length;
    // Parking runs in the background: wait (bounded) until it has caught up.
    for (let i = 0; i < 300; i++) {
      if ((await keysUnder(`${KEY}/stream-4/parts/`)).length >= 2 && (await localSegments()) <= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = await keysUnder(`${KEY}/stream-4/parts/`);
    expect(before.length).toBeGreaterThanOrEqual(2); // parked before any handover
    expect(await localSegments()).toBeLessThanOrEqual(2); // parked segments leave the local disk (memory on Cloud Run)
    await a.handOver();
    const after = await keysUnder(`${KEY}/stream-4/parts/`);
    expect(after.length).toBeGreaterThan(before.length);
    const b = await open('stream-4', 'wb', 'worker-b', { parkWhileCapturing: false });
    feed(b, media, { ...plan, fromMs: 6000, toMs: 12_000 });
    const m = await b.finish({ endedAt: T0 + 12_000 });
    expect(m).toMatchObject({
      status: 'complete',
      durationMs: 12_000,
      audio: { frames: 525 },
      video: { frames: 225 },
    });
    expect(m.capture.segments).toBe(after.length + 1);
    expect(await keysUnder(`${KEY}/stream-4/parts/`)).toEqual([]);
  });

  it('a frame redelivered to both workers around the handover is kept once', async () => {
    const a = await open('stream-3', 'wa', 'worker-a');
    feed(a, media, { ...plan, videoGaps: [], audioGaps: [], fromMs: 0, toMs: 6000 });
    await a.handOver();
    const b = await open('stream-3', 'wb', 'worker-b');
    feed(b, media, { ...plan, videoGaps: [], audioGaps: [], fromMs: 5000, toMs: 12_000 });
    const m = await b.finish({ endedAt: T0 + 12_000 });
    expect(m.audio).toMatchObject({ frames: 650, duplicateFrames: 50, gaps: 0, mixedFrames: 0 });
    expect(m.video).toMatchObject({ frames: 275, droppedOutOfOrder: 25, gaps: 0 });
  });
});
