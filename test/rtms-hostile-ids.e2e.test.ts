// Hostile identifiers end to end, as `zoom-tracker serve` wires it: signed rtms_started webhooks with
// meeting_uuid / rtms_stream_id of "..", ".", "../x", NUL or 300 bytes, an unreachable server_urls,
// the in-process queue, the worker, the file lease store and the local media store in a real
// DATA_DIR. Unencodable ids get 400; the rest are encoded and every session ends without deleting
// anything outside the capture root (sentinels next to and above DATA_DIR survive).
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { createLeaseStore, createMediaStore, dataPaths } from '../core/adapters/create-backends.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { decodePushEnvelope } from '../core/zoom/push-envelope.ts';
import { createWebhookService, type WebhookService } from '../webhook/create-webhook.ts';
import { urlOf } from '../core/http-server.ts';
import { createWebhookSender, type WebhookSender } from '../demo/simulator/webhook-sender.ts';
import { SIM_CLIENT } from '../demo/simulator/rtms-simulator.ts';
import { createRtmsWorker, type RtmsWorker } from '../rtms-worker/worker.ts';

const SECRET = 'hostile-ids-secret';
const MEETING = 'hwkAADUySwyG3GyUkqc0vA==';
/** Nothing listens on port 1: every connection is refused at once. */
const UNREACHABLE = 'ws://127.0.0.1:1/signal';

let root: string;
let dataDir: string;
let service: WebhookService;
let worker: RtmsWorker;
let server: Server;
let zoom: WebhookSender;
const claimed = new Map<string, Promise<string>>();

const SENTINELS: Record<string, string> = {
  'above.txt': 'next to DATA_DIR',
  'data/keep/notes.txt': 'inside DATA_DIR, outside the stores',
  'data/gcs/raw/2000-01-01/sentinel.json': '{"archived":"before the test"}',
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hostile-ids-'));
  dataDir = join(root, 'data');
  for (const [path, body] of Object.entries(SENTINELS)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), body);
  }
  const config = parseConfig({
    DATA_DIR: dataDir,
    ZOOM_WEBHOOK_SECRET_TOKEN: SECRET,
    ZM_CLIENT_ID: SIM_CLIENT.clientId,
    ZM_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    RTMS_ALLOWED_HOSTS: '127.0.0.1',
  });
  const log = silentLogger();
  service = await createWebhookService(config, log);
  worker = createRtmsWorker(
    {
      leases: await createLeaseStore(config, log),
      warehouse: service.backends.warehouse,
      liveState: service.backends.liveState,
      media: await createMediaStore(config, log),
      log,
    },
    config,
    {
      capturesDir: dataPaths(config).captures,
      // the 90 s reconnect window of production, shortened: the first refused connection gives up
      settings: { reconnectWindowMs: 1_000, handshakeTimeoutMs: 1_000, watchdogMs: 2_000 },
    },
  );
  // Remember each claimed session as the push returns (a refused connection can end it within ms).
  service.backends.localQueue!.subscribe(async (envelope) => {
    const status = await worker.push(envelope);
    const id = decodePushEnvelope(envelope).message.rtmsStreamId;
    const session = worker.manager.sessionOf(id);
    if (session) claimed.set(id, session.done);
    return status;
  });
  server = createServer(service.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  zoom = createWebhookSender(`${urlOf(server)}/webhook`, SECRET);
});

afterAll(async () => {
  await worker?.stop();
  await new Promise<void>((r) => server?.close(() => r()));
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

async function sentinelsIntact(): Promise<void> {
  for (const [path, body] of Object.entries(SENTINELS))
    expect(await readFile(join(root, path), 'utf8'), path).toBe(body);
}

/** Waits until the worker has claimed and then released the stream (its session is over). */
async function sessionOver(streamId: string): Promise<string> {
  await service.backends.localQueue!.idle();
  const done = claimed.get(streamId);
  if (!done) throw new Error(`no session for ${JSON.stringify(streamId)}`);
  return done;
}

describe('identifiers that cannot be encoded: 400 at the webhook, nothing queued', () => {
  it.each([
    ['..', 'gcs'],
    ['..', '..'],
    ['.', 'captures'],
    [MEETING, 'a\u0000b'],
    [MEETING, 'x'.repeat(300)],
  ])('meeting_uuid %j, rtms_stream_id %j -> 400', async (meetingUuid, streamId) => {
    const res = await zoom.rtmsStarted({ meetingUuid, streamId, serverUrls: UNREACHABLE });
    expect(res.status).toBe(400);
    await service.backends.localQueue!.idle();
    expect(worker.manager.activeStreams).toBe(0);
    await sentinelsIntact();
  });
});

describe('stream ids that are encoded: the session runs and ends inside the capture root', () => {
  it.each([
    ['..', '~Li4'],
    ['.', '~Lg'],
    ['../x', '~Li4veA'],
    ['gcs', 'gcs'],
  ])(
    'rtms_stream_id %j (key %s): 200, session fails on the unreachable server, nothing else deleted',
    async (streamId, key) => {
      const res = await zoom.rtmsStarted({ meetingUuid: MEETING, streamId, serverUrls: UNREACHABLE });
      expect(res.status).toBe(200);
      expect(await sessionOver(streamId)).toBe('failed');
      await sentinelsIntact();
      // the capture directory was <captures>/<meeting-key>/<stream-key>, and is gone again
      const meetingDir = join(dataDir, 'captures', meetingKeyOf(MEETING));
      expect(await readdir(meetingDir).catch(() => [])).not.toContain(key);
      expect((await readdir(join(dataDir, 'captures'))).every((n) => n === meetingKeyOf(MEETING))).toBe(true);
      // the lease was released (the file lease store leaves no file behind)
      expect(await readdir(join(dataDir, 'leases'))).toEqual([]);
    },
  );

  it('afterwards DATA_DIR still holds its stores and every accepted event is archived', async () => {
    const top = (await readdir(dataDir)).sort();
    expect(top).toEqual(expect.arrayContaining(['captures', 'gcs', 'keep', 'leases']));
    const days = (await readdir(join(dataDir, 'gcs', 'raw'))).sort();
    expect(days[0]).toBe('2000-01-01');
    let archived = 0;
    for (const d of days.slice(1)) archived += (await readdir(join(dataDir, 'gcs', 'raw', d))).length;
    expect(archived).toBe(4);
    await sentinelsIntact();
  });
});
