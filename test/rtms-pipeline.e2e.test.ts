// The embedded default end to end, as `zoom-tracker serve` runs it: signed rtms_started / rtms_stopped
// webhooks into the webhook service, the in-process queue pushing to the worker, the worker capturing
// from the RTMS simulator, the recording in $DATA_DIR/s3, RTMS camera events in DuckDB and live state.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import type { DuckDbWarehouse } from '../core/adapters/local/duckdb-warehouse.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { createWebhookService, type WebhookService } from '../webhook/create-webhook.ts';
import { loadTestMedia } from '../demo/simulator/media.ts';
import {
  SIM_ALLOWED_HOSTS,
  SIM_CLIENT,
  startRtmsSimulator,
  type RtmsSimulator,
} from '../demo/simulator/rtms-simulator.ts';
import { createWebhookSender } from '../demo/simulator/webhook-sender.ts';
import { createRtmsWorkerService } from '../rtms-worker/create-rtms-worker.ts';

let dir: string;
let sim: RtmsSimulator;
let service: WebhookService;
let worker: Awaited<ReturnType<typeof createRtmsWorkerService>>;
let server: Server;
const SECRET = 'pipeline-webhook-secret';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtms-pipeline-'));
  const config = parseConfig({
    DATA_DIR: dir,
    ZOOM_WEBHOOK_SECRET_TOKEN: SECRET,
    ZM_CLIENT_ID: SIM_CLIENT.clientId,
    ZM_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    RTMS_ALLOWED_HOSTS: SIM_ALLOWED_HOSTS,
  });
  const log = silentLogger();
  service = await createWebhookService(config, log);
  worker = await createRtmsWorkerService(config, log, service.backends);
  server = createServer(service.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sim = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 500 });
});
afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await worker?.stop();
  await service?.backends.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

it('rtms_started webhook -> capture -> rtms_stopped webhook -> recording, camera events in the warehouse', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const zoom = createWebhookSender(url, SECRET);
  const meetingUuid = 'pipe+line/uuid==';
  const s = sim.stream({
    meetingUuid,
    streamId: 'pipeline-1',
    media: await loadTestMedia({ seconds: 4 }),
    speed: 2,
    events: [
      { atMs: 500, eventType: 8, userIds: [16778240] },
      { atMs: 2_000, eventType: 9, userIds: [16778240] },
    ],
  });
  const started = await zoom.rtmsStarted({
    meetingUuid,
    streamId: s.streamId,
    serverUrls: s.serverUrls,
    meetingId: '93201235621',
  });
  expect(started.status).toBe(200);
  await s.ready;
  await new Promise((r) => setTimeout(r, 1_800)); // 3.6 s of media at 2x
  // Zoom ends the stream: the server's own stop and the webhook race, as they do in production
  s.stop(6);
  expect((await zoom.rtmsStopped({ meetingUuid, streamId: s.streamId, stopReason: 6 })).status).toBe(200);

  const manifestPath = join(dir, 's3', meetingKeyOf(meetingUuid), s.streamId, 'manifest.json');
  const until = Date.now() + 30_000;
  let manifest: { status?: string; streamId?: string } | undefined;
  while (!manifest && Date.now() < until) {
    manifest = await readFile(manifestPath, 'utf8').then(
      (t) => JSON.parse(t) as { status: string; streamId: string },
      () => undefined,
    );
    if (!manifest) await new Promise((r) => setTimeout(r, 100));
  }
  expect(manifest).toMatchObject({ streamId: 'pipeline-1' });
  expect(s.stats.signalingHandshakes).toBe(1);

  const wh = service.backends.warehouse as DuckDbWarehouse;
  const rows = (
    await wh.connection.runAndReadAll(
      "SELECT action, participant_id, participant_name FROM raw_events WHERE source = 'rtms' AND action LIKE 'VIDEO%' ORDER BY event_ts",
    )
  ).getRowObjectsJS();
  expect(rows).toEqual([
    { action: 'VIDEO_ON', participant_id: '16778240', participant_name: 'Ann Example' },
    { action: 'VIDEO_OFF', participant_id: '16778240', participant_name: 'Ann Example' },
  ]);
}, 60_000);
