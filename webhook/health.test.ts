// GET /health over real HTTP: it answers within 2 s whatever is down (Firestore unreachable on
// BACKEND=gcp), names what is degraded, and reflects a failed archive write (disk full) until a
// later write succeeds.
import { write } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { signedHeaders } from '../core/zoom/signature.ts';
import { MEETING, PEOPLE, zoom } from '../demo/simulator/zoom-events.ts';
import { startLocalWebhook, TEST_SECRET, type LocalWebhook } from '../test/helpers/local-webhook.ts';
import { startBigQueryServer, type BigQueryTestServer } from '../test/servers/bigquery-server.ts';
import { startGcsServer, type GcsTestServer } from '../test/servers/gcs-server.ts';
import { listen, urlOf } from '../core/http-server.ts';
import { createServer } from './server.ts';

interface Health {
  status: string;
  degraded: string[];
  archive: { ok: boolean; detail?: string };
  liveState: { ok: boolean; backend: string; detail?: string };
}

async function health(url: string): Promise<{ status: number; ms: number; body: Health }> {
  const started = Date.now();
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, ms: Date.now() - started, body: (await res.json()) as Health };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('archive writes and /health (embedded default)', () => {
  let hook: LocalWebhook;
  let server: Server;
  let diskFull = false;
  beforeAll(async () => {
    hook = await startLocalWebhook();
    // The service's own archive directory, through a disk that can be made full.
    const archive = createFileArchive(join(hook.dataDir, 'gcs'), {
      io: {
        write: (fd, buf, offset) =>
          new Promise((resolve, reject) => {
            if (diskFull)
              return reject(
                Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
              );
            write(fd, buf, offset, buf.length - offset, null, (err, n) => (err ? reject(err) : resolve(n)));
          }),
      },
    });
    server = await listen(createServer({ ...hook.service.deps, archive }), 0, '127.0.0.1');
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await hook.close();
  });

  it('reports the archive degraded after a failed write, and ok again after the next success', async () => {
    const url = urlOf(server);
    expect((await health(url)).body.status).toBe('ok');
    const body = Buffer.from(JSON.stringify(zoom.joined(MEETING, PEOPLE[0]!, Date.now())));
    const post = () =>
      fetch(`${url}/webhook`, {
        method: 'POST',
        headers: signedHeaders(TEST_SECRET, body, Date.now()),
        body,
      });

    diskFull = true;
    expect((await post()).status).toBe(503);
    const down = await health(url);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('degraded');
    expect(down.body.degraded).toContain('archive');
    expect(down.body.archive).toMatchObject({ ok: false, detail: expect.stringMatching(/ENOSPC/) as string });

    diskFull = false;
    expect((await post()).status).toBe(200); // Zoom's retry of the same event
    const up = await health(url);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ok', degraded: [], archive: { ok: true } });
  });
});

describe('/health on BACKEND=gcp with Firestore unreachable', () => {
  let gcs: GcsTestServer;
  let bq: BigQueryTestServer;
  let gcp: LocalWebhook;
  beforeAll(async () => {
    [gcs, bq] = await Promise.all([startGcsServer(), startBigQueryServer()]);
    gcp = await startLocalWebhook({
      env: {
        BACKEND: 'gcp',
        GCP_PROJECT_ID: 'zt-health',
        GCS_BUCKET: 'zt-health-archive',
        PUBSUB_TOPIC: 'rtms',
        FIRESTORE_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`,
        PUBSUB_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`,
        STORAGE_EMULATOR_HOST: gcs.url,
        BIGQUERY_API_ENDPOINT: bq.url,
      },
    });
  });
  afterAll(async () => {
    // Closing a Firestore client that never connected can wait on its retries: do not hang on it.
    await Promise.race([gcp?.close(), new Promise((r) => setTimeout(r, 3000))]);
    await Promise.allSettled([gcs?.close(), bq?.close()]);
  });

  it('answers within 2 s, every time, naming the live state as degraded', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await health(gcp.url);
      expect(res.ms).toBeLessThan(2000);
      expect(res.status).toBe(200); // the archive (Cloud Storage) is up: events are still durable
      expect(res.body.status).toBe('degraded');
      expect(res.body.degraded).toContain('liveState');
      expect(res.body.liveState).toMatchObject({ ok: false, backend: 'liveState' });
      expect(res.body.archive.ok).toBe(true);
    }
  }, 15_000);
});
