// The webhook service on BACKEND=gcp, wired by createBackends, against the Firestore and Pub/Sub
// emulators and the GCS / BigQuery mock servers (those two have no emulator): a shuffled, triplicated
// delivery leaves the same archive, rows and live state as the embedded default given one ordered delivery.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoom, sampleMeeting, MEETING, type MeetingRef } from '../../demo/simulator/zoom-events.ts';
import { startLocalWebhook, type LocalWebhook } from '../helpers/local-webhook.ts';
import { seededShuffle as shuffle } from '../helpers/seeded-shuffle.ts';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../emulators.ts';
import { startBigQueryServer, type BigQueryTestServer } from '../servers/bigquery-server.ts';
import { startGcsServer, type GcsTestServer } from '../servers/gcs-server.ts';

const PROJECT = 'zt-e2e';
const BUCKET = 'zt-archive';
let firestore: Emulator;
let pubsubEmulator: Emulator;
let gcs: GcsTestServer;
let bq: BigQueryTestServer;
let pubsub: PubSub;
let local: LocalWebhook;
let gcp: LocalWebhook;

// A meeting happening now (started 45 minutes ago), so live-state expiry and signatures use the real clock.
const t0 = Math.floor((Date.now() - 45 * 60_000) / 1000) * 1000;
const meeting: MeetingRef = {
  ...MEETING,
  uuid: 'e2eMeetingUuid/+A==',
  startTime: new Date(t0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
};
const events = [
  ...sampleMeeting(meeting),
  zoom.rtmsStarted(meeting, 'stream-e2e', 'wss://rtms.example.test', t0 + 5 * 60_000),
];

beforeAll(async () => {
  [firestore, pubsubEmulator, gcs, bq] = await Promise.all([
    startFirestoreEmulator(),
    startPubSubEmulator(),
    startGcsServer(),
    startBigQueryServer(),
  ]);
  pubsub = new PubSub({
    projectId: PROJECT,
    apiEndpoint: pubsubEmulator.host,
    emulatorMode: true,
    clientOptions: { universeDomain: 'googleapis.com' },
  });
  const [topic] = await pubsub.createTopic('rtms');
  await topic.createSubscription('rtms-worker', { enableMessageOrdering: true });
  local = await startLocalWebhook();
  gcp = await startLocalWebhook({
    env: {
      BACKEND: 'gcp',
      GCP_PROJECT_ID: PROJECT,
      GCS_BUCKET: BUCKET,
      PUBSUB_TOPIC: 'rtms',
      FIRESTORE_EMULATOR_HOST: firestore.host,
      PUBSUB_EMULATOR_HOST: pubsubEmulator.host,
      STORAGE_EMULATOR_HOST: gcs.url,
      BIGQUERY_API_ENDPOINT: bq.url,
      DASHBOARD_TOKEN: 'e2e-dashboard-token',
    },
  });
});

afterAll(async () => {
  await Promise.allSettled([local?.close(), gcp?.close()]);
  await pubsub?.close();
  await Promise.allSettled([firestore?.stop(), pubsubEmulator?.stop(), gcs?.close(), bq?.close()]);
});

async function localArchive(): Promise<Record<string, string>> {
  const root = join(local.dataDir, 'gcs');
  const files = (await readdir(join(root, 'raw'), { recursive: true })).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    await Promise.all(
      files.map(async (f) => [`raw/${f}`, await readFile(join(root, 'raw', f), 'utf8')] as const),
    ),
  );
}

function pullOne(): Promise<Message> {
  const sub = pubsub.subscription('rtms-worker');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no Pub/Sub message')), 15_000);
    sub.once('message', (m: Message) => {
      clearTimeout(timer);
      m.ack();
      void sub.close().then(() => resolve(m));
    });
  });
}

describe('BACKEND=gcp end to end', () => {
  it('a shuffled triple delivery equals one ordered delivery on the embedded default', async () => {
    for (const e of events) expect((await local.post(e)).status).toBe(200);
    const messy = shuffle([...events, ...events, ...events], 7);
    for (let i = 0; i < messy.length; i += 3) {
      const statuses = await Promise.all(messy.slice(i, i + 3).map(async (e) => (await gcp.post(e)).status));
      expect(statuses).toEqual(statuses.map(() => 200));
    }

    const archived = Object.fromEntries(
      [...(gcs.buckets.get(BUCKET) ?? new Map())].map(([k, o]) => [k, o.bytes.toString('utf8')]),
    );
    expect(archived).toEqual(await localArchive());

    await gcp.service.warehouse.flush();
    const rowIds = [...(bq.tables.get(`${PROJECT}.zoom_tracker.raw_events`)?.keys() ?? [])].sort();
    expect(rowIds).toEqual(
      Object.keys(archived)
        .map((k) => k.replace(/^raw\/[^/]+\//, '').replace(/\.json$/, ''))
        .sort(),
    );

    const [fromGcp, fromLocal] = await Promise.all(
      [gcp, local].map((h) =>
        fetch(`${h.url}/api/meetings/${meeting.id}/live-participants`, {
          headers: { authorization: 'Bearer e2e-dashboard-token' },
        }).then((r) => r.json()),
      ),
    );
    expect(fromGcp).toMatchObject({ meeting: { meetingUuid: meeting.uuid, status: 'ended' } });
    expect(fromGcp).toEqual(fromLocal);

    const message = await pullOne();
    expect(message.attributes).toMatchObject({ kind: 'started', rtms_stream_id: 'stream-e2e' });
    expect(message.orderingKey).toBe('stream-e2e');
    const health = (await (await fetch(`${gcp.url}/health`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(health)).toContain('firestore');
  });

  it('answers 503 while Cloud Storage is down, so Zoom retries, and 200 once it is back', async () => {
    const late = zoom.joined(
      meeting,
      { name: 'Late Comer', email: 'late@example.com', uuid: 'LATE-0001', userId: '16790000' },
      t0 + 50 * 60_000,
    );
    gcs.fail(Infinity, 503);
    expect((await gcp.post(late)).status).toBe(503);
    gcs.fail(0);
    expect((await gcp.post(late)).status).toBe(200);
  });
});
