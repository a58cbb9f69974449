// SIGTERM mid-capture with takeover by a second worker process: two real `zoom-tracker worker`
// processes (bin/zoom-tracker.js, the container's entry) with their own local disks, sharing the recordings store (s3rver,
// in-process) and a file lease directory; the RTMS simulator plays Zoom. The stopping worker parks
// its segments in S3, releases the lease and posts the handover to its peer (RTMS_HANDOVER_PUSH_URL),
// authenticated by the shared WORKER_PUSH_SECRET both processes are given.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { createS3MediaStore } from '../core/adapters/s3-media-store.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { startTestS3Server, type TestS3Server } from '../test/s3-server.ts';
import { loadTestMedia } from '../demo/simulator/media.ts';
import {
  SIM_ALLOWED_HOSTS,
  SIM_CLIENT,
  startRtmsSimulator,
  type RtmsSimulator,
} from '../demo/simulator/rtms-simulator.ts';
import { ffprobe, postPush, startedMessage } from '../test/simulator/worker-harness.ts';

let s3: TestS3Server;
let sim: RtmsSimulator;
let root: string;
const children: ChildProcess[] = [];
const PUSH_SECRET = 'handover-shared-push-secret';

beforeAll(async () => {
  s3 = await startTestS3Server('handover');
  sim = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 1_000 });
  root = await mkdtemp(join(tmpdir(), 'rtms-handover-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sim?.close();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

interface Worker {
  proc: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startWorker(name: string, extraEnv: Record<string, string> = {}): Promise<Worker> {
  const dataDir = join(root, name);
  await mkdir(dataDir, { recursive: true });
  await mkdir(join(root, 'leases'), { recursive: true });
  await symlink(join(root, 'leases'), join(dataDir, 'leases'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BACKEND: 'local',
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    WORKER_ID: name,
    WORKER_PUSH_SECRET: PUSH_SECRET,
    ZM_CLIENT_ID: SIM_CLIENT.clientId,
    ZM_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    RTMS_ALLOWED_HOSTS: SIM_ALLOWED_HOSTS,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ...extraEnv,
  };
  // The entry Cloud Run runs (deploy/: `zoom-tracker worker`), not a test-only start.
  const proc = spawn(process.execPath, ['bin/zoom-tracker.js', 'worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.message === 'rtms-worker listening')
            resolve(String(entry.url).replace(/\/pubsub\/push$/, ''));
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited ${code}: ${stderr}`)));
  });
  return { proc, url, logs, exited };
}

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('SIGTERM mid-capture: the stream is parked, taken over by the second process, and the recording covers it all', async () => {
  const media = await loadTestMedia({ seconds: 4 });
  const b = await startWorker('worker-b');
  const a = await startWorker('worker-a', { RTMS_HANDOVER_PUSH_URL: `${b.url}/pubsub/push` });
  const meetingUuid = 'hand+over/meeting==';
  const s = sim.stream({ meetingUuid, streamId: 'handover-1', media, durationMs: 8_000, speed: 1 });

  expect(await postPush(`${a.url}/pubsub/push`, startedMessage(s), '')).toBe(401);
  expect(await postPush(`${a.url}/pubsub/push`, startedMessage(s), 'not-the-secret')).toBe(401);
  expect(await postPush(`${a.url}/pubsub/push`, startedMessage(s), PUSH_SECRET)).toBe(204);
  expect(await postPush(`${b.url}/pubsub/push`, startedMessage(s), PUSH_SECRET)).toBe(503); // A holds the lease
  await s.ready;
  await new Promise((r) => setTimeout(r, 2_500));
  a.proc.kill('SIGTERM');
  expect(await a.exited).toBe(0);
  expect(a.logs.some((l) => l.message === 'capture parked for another worker')).toBe(true);

  await waitFor(() => b.logs.some((l) => l.message === 'stream claimed' && l.takeover === true));
  expect(await s.ended).toBe(6);
  await waitFor(() => b.logs.some((l) => l.message === 'stream released'));
  expect(b.logs.find((l) => l.message === 'stream released')).toMatchObject({ outcome: 'finished' });
  expect(s.stats.signalingHandshakes).toBe(2);
  expect(s.stats.refused).toEqual([]);

  const config = parseConfig({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' });
  const store = createS3MediaStore(config, silentLogger(), { credentials: s3.credentials });
  const prefix = `${meetingKeyOf(meetingUuid)}/handover-1/`;
  const keys: string[] = [];
  for await (const k of store.list(prefix)) keys.push(k);
  for (const f of [
    'recording.mp4',
    'audio.wav',
    'transcript.vtt',
    'transcript.srt',
    'transcript.txt',
    'manifest.json',
  ])
    expect(keys).toContain(prefix + f);
  expect(keys.filter((k) => k.includes('/parts/'))).toEqual([]); // parked parts are removed once merged

  const local = join(root, 'recording.mp4');
  await pipeline((await store.get(prefix + 'recording.mp4'))!, createWriteStream(local));
  const probe = await ffprobe(local);
  const v = probe.streams.find((x) => x.codec_type === 'video')!;
  const au = probe.streams.find((x) => x.codec_type === 'audio')!;
  expect(Number(v.duration)).toBeGreaterThan(7.8);
  expect(Math.abs(Number(v.duration) - Number(au.duration))).toBeLessThan(0.07);
  const wav = join(root, 'audio.wav');
  await pipeline((await store.get(prefix + 'audio.wav'))!, createWriteStream(wav));
  expect((await stat(wav)).size - 44).toBe(8 * 32_000);

  b.proc.kill('SIGTERM');
  expect(await b.exited).toBe(0);
}, 90_000);
