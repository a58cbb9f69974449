// The Functions Framework target serves the same app: the signature is checked on the framework's
// raw body (its JSON parser must not change what is verified) and the event lands in the archive.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../core/zoom/signature.ts';
import { MEETING, PEOPLE, zoom } from '../demo/simulator/zoom-events.ts';

let dataDir: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zt-ff-'));
  // function.ts builds its app from the environment, as on Cloud Run.
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    ZOOM_WEBHOOK_SECRET_TOKEN: 'ff-secret',
    LOG_LEVEL: 'silent',
  });
  await import('./function.ts');
  const { getTestServer } = await import('@google-cloud/functions-framework/testing');
  server = getTestServer('zoomWebhook');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('Functions Framework target zoomWebhook', () => {
  it('verifies the raw bytes and archives a pretty-printed body exactly', async () => {
    const raw = Buffer.from(
      JSON.stringify(zoom.joined(MEETING, PEOPLE[0] as (typeof PEOPLE)[0], Date.now()), null, 2),
    );
    const res = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: signedHeaders('ff-secret', raw, Date.now()),
      body: raw,
    });
    expect(res.status).toBe(200);
    const { event_id: id } = (await res.json()) as { event_id: string };
    const days = await readdir(join(dataDir, 'gcs', 'raw'));
    const paths = (
      await Promise.all(
        days.map(async (d) => (await readdir(join(dataDir, 'gcs', 'raw', d))).map((f) => join(d, f))),
      )
    ).flat();
    const path = paths.find((p) => p.endsWith(`${id}.json`));
    expect(path).toBeDefined();
    expect(await readFile(join(dataDir, 'gcs', 'raw', path as string))).toEqual(raw);
  });

  it('refuses a bad signature with 401', async () => {
    const raw = Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{}}');
    const res = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { ...signedHeaders('wrong', raw, Date.now()) },
      body: raw,
    });
    expect(res.status).toBe(401);
  });

  it('answers URL validation with the HMAC of the plain token keyed by the secret', async () => {
    const raw = Buffer.from(
      JSON.stringify({
        event: 'endpoint.url_validation',
        event_ts: Date.now(),
        payload: { plainToken: 'abc' },
      }),
    );
    const res = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: signedHeaders('ff-secret', raw, Date.now()),
      body: raw,
    });
    // printf '%s' 'abc' | openssl dgst -sha256 -hmac 'ff-secret'
    expect(await res.json()).toEqual({
      plainToken: 'abc',
      encryptedToken: '26e5095b293e79c83ade91464ac519364390575475d45bcd042559d9739593be',
    });
  });
});
