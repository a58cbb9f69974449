// The Cloud Storage archive adapter with the real @google-cloud/storage client against
// test/servers/gcs-server.ts, a mock of the GCS JSON API (Cloud Storage has no local emulator).
import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGcsArchive } from '../../core/adapters/gcp/gcs-archive.ts';
import { parseConfig } from '../../core/config.ts';
import { NonRetriableError, TransientUpstreamError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { Archive } from '../../core/ports.ts';
import { startGcsServer, WRITE_REFUSED, type GcsTestServer } from '../servers/gcs-server.ts';

let server: GcsTestServer;
let archive: Archive;
const BUCKET = 'zoom-tracker-test';

beforeAll(async () => {
  server = await startGcsServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.buckets.clear();
  server.requests.length = 0;
  server.fail(0);
  server.failWrites(0);
  const config = parseConfig({
    GCP_PROJECT_ID: 'demo',
    GCS_BUCKET: BUCKET,
    STORAGE_EMULATOR_HOST: server.url,
  });
  archive = createGcsArchive(config, silentLogger(), { maxRetries: 0 });
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('gcs archive', () => {
  it('creates once: a second putIfAbsent finds the object and leaves its bytes unchanged', async () => {
    const key = 'raw/2026-02-03/abc.json';
    expect(await archive.putIfAbsent(key, bytes('{"event":"first"} ✓'), 'application/json')).toBe('created');
    expect(await archive.putIfAbsent(key, bytes('{"event":"second"}'), 'application/json')).toBe('exists');
    expect((await archive.get(key))?.toString('utf8')).toBe('{"event":"first"} ✓');
    const stored = server.buckets.get(BUCKET)?.get(key);
    expect(stored?.contentType).toBe('application/json');
    const uploads = server.requests.filter((r) => r.path.startsWith('/upload/'));
    expect(
      uploads.every((r) => r.query.ifGenerationMatch === '0' && r.query.uploadType === 'multipart'),
    ).toBe(true);
  });

  it('concurrent create-only writes of one key: exactly one is created', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        archive.putIfAbsent('raw/2026-02-03/same.json', bytes(`v${i}`), 'application/json'),
      ),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(5);
  });

  it('put replaces, from bytes or from a stream', async () => {
    const key = 'reports/DAILY_REPORT_2026-02-03_000000000000.csv';
    await archive.put(key, bytes('a,b\n1,2\n'), 'text/csv');
    const rows = Array.from({ length: 2000 }, (_, i) => `row-${i},${'x'.repeat(50)}\n`);
    await archive.put(key, Readable.from(['a,b\n', ...rows]), 'text/csv');
    const got = (await archive.get(key))?.toString('utf8');
    expect(got?.startsWith('a,b\nrow-0,')).toBe(true);
    expect(got?.length).toBe(4 + rows.join('').length);
  });

  it('get of a missing key is undefined', async () => {
    expect(await archive.get('raw/2026-02-03/missing.json')).toBeUndefined();
  });

  it('lists a prefix in lexical order across pages', async () => {
    const keys = Array.from(
      { length: 1203 },
      (_, i) => `raw/2026-02-03/${String((i * 7919) % 1203).padStart(5, '0')}.json`,
    );
    // Seeded straight into the server: 1,203 uploads would only slow the test down.
    server.buckets.set(
      BUCKET,
      new Map(
        keys.map((k) => [
          k,
          {
            bytes: Buffer.from('{}'),
            contentType: 'application/json',
            generation: 1,
            created: new Date().toISOString(),
          },
        ]),
      ),
    );
    await archive.putIfAbsent('raw/2026-02-04/other.json', bytes('{}'), 'application/json');
    const listed = await collect(archive.list('raw/2026-02-03/'));
    expect(listed).toEqual([...keys].sort());
    expect(
      server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/o')).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('an outage (503) is a TransientUpstreamError, and health says so', async () => {
    server.fail(Infinity, 503);
    await expect(
      archive.putIfAbsent('raw/2026-02-03/x.json', bytes('{}'), 'application/json'),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
    await expect(archive.get('raw/2026-02-03/x.json')).rejects.toBeInstanceOf(TransientUpstreamError);
    await expect(collect(archive.list('raw/'))).rejects.toBeInstanceOf(TransientUpstreamError);
    expect(await archive.health()).toEqual({ ok: false, backend: 'gcs', detail: 'injected failure' });
    server.fail(0);
    // The bucket answers again, but the last write failed: health says so until a write succeeds.
    expect(await archive.health()).toEqual({
      ok: false,
      backend: 'gcs',
      detail: expect.stringMatching(/^last write failed at \S+: injected failure$/) as string,
    });
    expect(await archive.putIfAbsent('raw/2026-02-03/x.json', bytes('{}'), 'application/json')).toBe(
      'created',
    );
    expect(await archive.health()).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });
  });

  it('a bucket that refuses writes (403) reports the last failure until a later write succeeds', async () => {
    expect(await archive.health()).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });
    server.failWrites(Infinity, 403);
    const before = Date.now();
    await expect(
      archive.putIfAbsent('raw/2026-02-03/a.json', bytes('{"n":1}'), 'application/json'),
    ).rejects.toBeInstanceOf(NonRetriableError);
    const after = Date.now();
    server.requests.length = 0;
    const down = await archive.health();
    // The bucket still lists (the probe succeeded): only the remembered write makes health fail.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /storage/v1/b/${BUCKET}/o`]);
    const match = /^last write failed at (\S+): (.*)$/.exec(down.detail ?? '');
    expect(down).toMatchObject({ ok: false, backend: 'gcs' });
    expect(match?.[2]).toBe(WRITE_REFUSED[403]?.[1]);
    expect(match?.[2]).toBe(
      'zoom-tracker@demo.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object.',
    );
    const at = Date.parse(match?.[1] ?? '');
    expect(new Date(at).toISOString()).toBe(match?.[1]);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    // Reading does not clear it: only a successful write does.
    expect(await archive.get('raw/2026-02-03/a.json')).toBeUndefined();
    expect((await archive.health()).detail).toBe(down.detail);

    server.failWrites(0);
    expect(await archive.putIfAbsent('raw/2026-02-03/a.json', bytes('{"n":1}'), 'application/json')).toBe(
      'created',
    );
    expect(await archive.health()).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });
    expect(server.buckets.get(BUCKET)?.get('raw/2026-02-03/a.json')?.bytes.toString('utf8')).toBe('{"n":1}');
  });

  it('a refused export (quota, 429) counts too, and a redelivery found existing clears it', async () => {
    await archive.putIfAbsent('raw/2026-02-03/b.json', bytes('{}'), 'application/json');
    server.failWrites(1, 429);
    await expect(
      archive.put('reports/DAILY_REPORT_2026-02-03_000000000000.csv', bytes('a,b\n'), 'text/csv'),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
    const down = await archive.health();
    expect(down.ok).toBe(false);
    expect(down.detail).toMatch(
      /^last write failed at \S+: The project exceeded the rate limit for CloudStorage and this API method\.$/,
    );
    // A redelivery of an archived event: the bucket answers 412, the write is done, health is ok again.
    expect(await archive.putIfAbsent('raw/2026-02-03/b.json', bytes('{}'), 'application/json')).toBe(
      'exists',
    );
    expect(await archive.health()).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });
  });

  it('5xx on every retry is one remembered failure; a 503 the retry gets past is none', async () => {
    const config = parseConfig({
      GCP_PROJECT_ID: 'demo',
      GCS_BUCKET: BUCKET,
      STORAGE_EMULATOR_HOST: server.url,
    });
    const ingest = createGcsArchive(config, silentLogger()); // the webhook's settings: one retry
    server.failWrites(1, 503);
    expect(await ingest.putIfAbsent('raw/2026-02-03/c.json', bytes('{}'), 'application/json')).toBe(
      'created',
    );
    expect(await ingest.health()).toEqual({ ok: true, backend: 'gcs', detail: `gs://${BUCKET}` });

    server.requests.length = 0;
    server.failWrites(Infinity, 503);
    await expect(
      ingest.putIfAbsent('raw/2026-02-03/d.json', bytes('{}'), 'application/json'),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
    // Tracking adds no request: the two upload attempts are all the write sent.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /upload/storage/v1/b/${BUCKET}/o`,
      `POST /upload/storage/v1/b/${BUCKET}/o`,
    ]);
    expect((await ingest.health()).detail).toMatch(
      /^last write failed at \S+: We encountered an internal error\. Please try again\.$/,
    );
  });

  it('a refused connection is a TransientUpstreamError', async () => {
    const config = parseConfig({
      GCP_PROJECT_ID: 'demo',
      GCS_BUCKET: BUCKET,
      STORAGE_EMULATOR_HOST: 'http://127.0.0.1:1',
    });
    const down = createGcsArchive(config, silentLogger(), { maxRetries: 0 });
    await expect(
      down.putIfAbsent('raw/2026-02-03/y.json', bytes('{}'), 'application/json'),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
  });

  it("a stalled Cloud Storage fails the create-only write within Zoom's 3 s budget", async () => {
    const sockets: Socket[] = [];
    const stalled = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const port = (stalled.address() as { port: number }).port;
    const config = parseConfig({
      GCP_PROJECT_ID: 'demo',
      GCS_BUCKET: BUCKET,
      STORAGE_EMULATOR_HOST: `http://127.0.0.1:${port}`,
    });
    const started = Date.now();
    await expect(
      createGcsArchive(config, silentLogger()).putIfAbsent(
        'raw/2026-02-03/z.json',
        bytes('{}'),
        'application/json',
      ),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => stalled.close(resolve));
  });

  it('retries a create-only write after a 503 without writing twice', async () => {
    const config = parseConfig({
      GCP_PROJECT_ID: 'demo',
      GCS_BUCKET: BUCKET,
      STORAGE_EMULATOR_HOST: server.url,
    });
    const retrying = createGcsArchive(config, silentLogger(), { maxRetries: 2 });
    server.fail(1, 503);
    expect(await retrying.putIfAbsent('raw/2026-02-03/r.json', bytes('{"n":1}'), 'application/json')).toBe(
      'created',
    );
    expect(server.buckets.get(BUCKET)?.size).toBe(1);
  });
});
