// GET /health of the webhook service on BACKEND=gcp while Cloud Storage refuses writes: the bucket
// still lists, yet /health answers 503 naming the failed write (as the embedded default does after a
// full disk), and 200 again once a write succeeds. Firestore and Pub/Sub emulators, GCS and BigQuery
// mock servers (those two have no emulator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, zoom } from '../../demo/simulator/zoom-events.ts';
import { startLocalWebhook, type LocalWebhook } from '../helpers/local-webhook.ts';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../emulators.ts';
import { startBigQueryServer, type BigQueryTestServer } from '../servers/bigquery-server.ts';
import { startGcsServer, type GcsTestServer } from '../servers/gcs-server.ts';

const PROJECT = 'zt-gcs-health';
const BUCKET = 'zt-gcs-health-archive';
let firestore: Emulator;
let pubsub: Emulator;
let gcs: GcsTestServer;
let bq: BigQueryTestServer;
let gcp: LocalWebhook;

interface Health {
  status: string;
  degraded: string[];
  archive: { ok: boolean; backend: string; detail?: string };
}

async function health(): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${gcp.url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Health };
}

beforeAll(async () => {
  [firestore, pubsub, gcs, bq] = await Promise.all([
    startFirestoreEmulator(),
    startPubSubEmulator(),
    startGcsServer(),
    startBigQueryServer(),
  ]);
  gcp = await startLocalWebhook({
    env: {
      BACKEND: 'gcp',
      GCP_PROJECT_ID: PROJECT,
      GCS_BUCKET: BUCKET,
      PUBSUB_TOPIC: 'rtms',
      FIRESTORE_EMULATOR_HOST: firestore.host,
      PUBSUB_EMULATOR_HOST: pubsub.host,
      STORAGE_EMULATOR_HOST: gcs.url,
      BIGQUERY_API_ENDPOINT: bq.url,
    },
  });
}, 120_000);

afterAll(async () => {
  await gcp?.close();
  await Promise.allSettled([firestore?.stop(), pubsub?.stop(), gcs?.close(), bq?.close()]);
});

describe('/health on BACKEND=gcp while Cloud Storage refuses writes', () => {
  it('answers 503 naming the failed write, and 200 once a later write succeeds', async () => {
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body.archive).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });

    const event = zoom.joined(MEETING, PEOPLE[0]!, Date.now());
    gcs.failWrites(Infinity, 503);
    const before = Date.now();
    expect((await gcp.post(event)).status).toBe(503);
    const after = Date.now();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('degraded');
    expect(down.body.degraded).toEqual(['archive']);
    expect(down.body.archive).toMatchObject({ ok: false, backend: 'gcs' });
    const match = /^last write failed at (\S+): (.*)$/.exec(down.body.archive.detail ?? '');
    expect(match?.[2]).toBe('We encountered an internal error. Please try again.');
    const at = Date.parse(match?.[1] ?? '');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(gcs.buckets.get(BUCKET)?.size ?? 0).toBe(0);

    gcs.failWrites(0);
    expect((await gcp.post(event)).status).toBe(200); // Zoom's retry of the same event
    expect(gcs.buckets.get(BUCKET)?.size).toBe(1);
    const again = await health();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      status: 'ok',
      degraded: [],
      archive: { ok: true, backend: 'gcs', detail: `gs://${BUCKET}` },
    });
  }, 30_000);
});
