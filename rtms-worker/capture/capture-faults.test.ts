// Bad input and failures each give a clear log line and a defined outcome: a full disk (injected
// failing write stream), a transient disk error, S3 unavailable (s3rver stopped), ffmpeg missing,
// video without SPS/PPS, a crash leaving a torn segment, and a revoked stream (reason 8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { startTestS3Server, type TestS3Server } from '../../test/s3-server.ts';
import { loadTestMedia, type TestMedia } from '../../demo/simulator/media.ts';
import { captureDirOf, openCapture, type Capture, type SegmentIo } from './capture.ts';
import { defaultSegmentIo } from './segment-writer.ts';
import { recoverCaptures } from './recover.ts';
import { feed, probeStreams, readStream, type FeedPlan } from '../../test/rtms-worker/capture-support.ts';

const T0 = 1_700_000_000_000;
const UUID = 'faults-meeting==';
const plan: FeedPlan = { t0: T0, durationMs: 4000, fps: 25 };

let s3: TestS3Server;
let store: MediaStore;
let media: TestMedia;
let root: string;

function memoryLog(): { log: Logger; lines: () => { message: string; [k: string]: unknown }[] } {
  const out: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return {
    log: createLogger({ level: 'info', format: 'json' }, dest),
    lines: () => out.map((l) => JSON.parse(l) as { message: string }),
  };
}

function open(
  streamId: string,
  extra: { log?: Logger; io?: SegmentIo; ffmpegPath?: string; dir?: string } = {},
): Promise<Capture> {
  return openCapture({
    rootDir: join(root, extra.dir ?? 'caps'),
    meetingUuid: UUID,
    streamId,
    owner: 'w',
    media: store,
    ffmpegPath: extra.ffmpegPath ?? 'ffmpeg',
    log: extra.log ?? memoryLog().log,
    videoFps: 25,
    retryBaseMs: 5,
    retryAttempts: 3,
    ...(extra.io ? { io: extra.io } : {}),
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

/** A disk that fails every write after `okBytes` (ENOSPC), or only the first `failFirst` writes. */
function failingIo(opts: { okBytes?: number; failFirst?: number }): SegmentIo {
  let written = 0;
  let failures = 0;
  return {
    async open(path) {
      const f = await defaultSegmentIo.open(path);
      return {
        async write(buf) {
          if (
            (opts.okBytes !== undefined && written + buf.length > opts.okBytes) ||
            failures < (opts.failFirst ?? 0)
          ) {
            failures++;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          written += buf.length;
          await f.write(buf);
        },
        close: () => f.close(),
      };
    },
  };
}

beforeAll(async () => {
  [s3, media] = await Promise.all([startTestS3Server(), loadTestMedia({ seconds: 4 })]);
  store = createS3MediaStore(
    { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' },
    memoryLog().log,
    {
      credentials: s3.credentials,
    },
  );
  root = await mkdtemp(join(tmpdir(), 'capture-faults-'));
});
afterAll(async () => {
  await s3.close();
  await rm(root, { recursive: true, force: true });
});

describe('disk', () => {
  it('full disk: the capture is marked failed with a clear log line, frames are refused, the recording says incomplete', async () => {
    const { log, lines } = memoryLog();
    const cap = await open('disk-full', { log, io: failingIo({ okBytes: 400_000 }) });
    feed(cap, media, { ...plan, toMs: 1000 });
    await until(() => cap.stats().backlogBytes === 0);
    expect(cap.stats().failed).toBeUndefined();
    feed(cap, media, { ...plan, fromMs: 1000, toMs: 2000 });
    await until(() => cap.stats().failed !== undefined);
    expect(cap.stats().failed).toMatch(/ENOSPC/);
    feed(cap, media, { ...plan, fromMs: 2000 });
    expect(cap.stats().droppedFrames).toBeGreaterThan(0);
    expect(
      lines().some(
        (l) => l.message.includes('capture failed: segment write failed for good') && l.code === 'ENOSPC',
      ),
    ).toBe(true);
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m.status).toBe('incomplete');
    expect(m.problems.join(' ')).toMatch(/disk write failed: ENOSPC/);
    expect(m.durationMs).toBe(1000);
    expect(m.files.map((f) => f.name)).toContain('recording.mp4');
  });

  it('a transient disk error is retried in a fresh segment and nothing is lost', async () => {
    const { log, lines } = memoryLog();
    const cap = await open('disk-blip', { log, io: failingIo({ failFirst: 1 }) });
    feed(cap, media, plan);
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m).toMatchObject({ status: 'complete', audio: { frames: 200, gaps: 0 }, video: { frames: 100 } });
    expect(lines().some((l) => l.message === 'segment write failed, retrying')).toBe(true);
  });
});

describe('store and tools unavailable', () => {
  it('S3 down at finish: finish rejects clearly and keeps the capture; recovery finishes it once S3 is back', async () => {
    const { log, lines } = memoryLog();
    const cap = await open('s3-down', { log, dir: 's3down' });
    feed(cap, media, plan);
    await s3.stop();
    try {
      await expect(cap.finish({ endedAt: T0 + 4000 })).rejects.toThrow(/S3 (list|upload) failed/);
    } finally {
      await s3.start();
    }
    expect(lines().some((l) => l.message.startsWith('recording finalize failed'))).toBe(true);
    expect(
      (await readdir(captureDirOf(join(root, 's3down'), UUID, 's3-down'))).some((f) => f.startsWith('seg-')),
    ).toBe(true);
    const [r] = await recoverCaptures(join(root, 's3down'), {
      media: store,
      ffmpegPath: 'ffmpeg',
      log,
      decide: () => 'finish',
      retryBaseMs: 5,
    });
    expect(r).toMatchObject({ action: 'finish', manifest: { status: 'complete', durationMs: 4000 } });
    expect(await keysUnder('faults-meeting==/s3-down/')).toContain('faults-meeting==/s3-down/recording.mp4');
  });

  it('ffmpeg missing: finish rejects naming the path; segments stay for a retry', async () => {
    const cap = await open('no-ffmpeg', { ffmpegPath: '/nonexistent/ffmpeg', dir: 'noff' });
    feed(cap, media, plan);
    await expect(cap.finish({ endedAt: T0 + 4000 })).rejects.toThrow(
      /cannot run ffmpeg at "\/nonexistent\/ffmpeg"/,
    );
    expect(
      (await readdir(captureDirOf(join(root, 'noff'), UUID, 'no-ffmpeg'))).some((f) => f.startsWith('seg-')),
    ).toBe(true);
  });
});

describe('bad media', () => {
  it('H.264 that never carries SPS/PPS: no video track, every frame counted as dropped, audio kept', async () => {
    const cap = await open('no-sps');
    const pFrames = media.videoFrames.filter((_f, i) => i % 25 !== 0);
    feed(cap, { ...media, videoFrames: pFrames }, plan);
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m.video).toBeUndefined();
    expect(m.problems).toContain('100 video frames but no keyframe with SPS/PPS: no video track');
    expect(m.audio).toMatchObject({ frames: 200 });
    const mp4 = join(root, 'no-sps.mp4');
    const body = (await readStream(await store.get('faults-meeting==/no-sps/recording.mp4')))!;
    await appendFile(mp4, body);
    expect((await probeStreams(mp4)).map((s) => s.codec_type)).toEqual(['audio']);
  });

  it('impossible timestamps (a year ahead, NaN) are dropped and reported instead of becoming days of silence', async () => {
    const cap = await open('bad-ts');
    cap.audio({ userId: 0, timestamp: 5, data: Buffer.alloc(640, 1) }); // the very first frame is the corrupt one
    feed(cap, media, plan);
    cap.audio({ userId: 0, timestamp: T0 + 365 * 86_400_000, data: Buffer.alloc(640, 1) });
    cap.video({ userId: 0, timestamp: Number.NaN, data: media.videoFrames[0]! });
    const m = await cap.finish({ endedAt: T0 + 4000 });
    expect(m).toMatchObject({ status: 'incomplete', durationMs: 4000, capture: { outOfRangeFrames: 3 } });
    expect(m.problems).toContain('3 frames dropped for an impossible timestamp');
  });
});

describe('crash and revoke', () => {
  it('a crash leaves segments with a torn tail: recovery finalizes what was written and says so', async () => {
    const cap = await open('crashed', { dir: 'crash' });
    feed(cap, media, plan);
    await until(() => cap.stats().backlogBytes === 0);
    const dir = captureDirOf(join(root, 'crash'), UUID, 'crashed');
    const seg = (await readdir(dir)).find((f) => f.startsWith('seg-'))!;
    await appendFile(join(dir, seg), Buffer.from([2, 0, 0, 0, 1, 2, 3])); // half a record header
    const { log, lines } = memoryLog();
    const [r] = await recoverCaptures(join(root, 'crash'), {
      media: store,
      ffmpegPath: 'ffmpeg',
      log,
      staleAfterMs: -1,
    });
    expect(r).toMatchObject({
      action: 'finish',
      manifest: { status: 'incomplete', durationMs: 4000, capture: { tornBytes: 7 } },
    });
    expect(lines().some((l) => l.message === 'recovering partial capture left by a previous process')).toBe(
      true,
    );
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('a recent crash is parked in the store for whichever worker resumes the stream', async () => {
    const cap = await open('crashed-recent', { dir: 'crash2' });
    feed(cap, media, plan);
    await until(() => cap.stats().backlogBytes === 0);
    const [r] = await recoverCaptures(join(root, 'crash2'), {
      media: store,
      ffmpegPath: 'ffmpeg',
      log: memoryLog().log,
    });
    expect(r?.action).toBe('park');
    expect((await keysUnder('faults-meeting==/crashed-recent/parts/')).length).toBe(1);
  });

  it('revoked (stop reason 8): discard deletes local segments, parked parts and stored files', async () => {
    const a = await open('revoked', { dir: 'ra' });
    feed(a, media, { ...plan, toMs: 2000 });
    await a.handOver();
    const b = await open('revoked', { dir: 'rb' });
    feed(b, media, { ...plan, fromMs: 2000 });
    expect((await keysUnder('faults-meeting==/revoked/')).length).toBeGreaterThan(0);
    await b.discard();
    expect(await keysUnder('faults-meeting==/revoked/')).toEqual([]);
    await expect(readdir(captureDirOf(join(root, 'rb'), UUID, 'revoked'))).rejects.toThrow(/ENOENT/);
    b.audio({ userId: 1, timestamp: T0, data: Buffer.alloc(640) }); // late frame: ignored, no throw
    expect(b.stats().droppedFrames).toBe(1);
  });
});
