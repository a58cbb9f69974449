// CPU per event of each stage of POST /webhook's pipeline, each stage run alone over the same signed
// deliveries (process CPU, all threads; async stages at concurrency 32) on a DATA_DIR under tmpfs
// (`--disk` for the temp dir). Prints a table and writes bench/results/webhook-stages.json.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackends } from '../core/adapters/create-backends.ts';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { createBatchedWarehouse } from '../core/warehouse/batched-warehouse.ts';
import { eventIdOf, rawArchiveKey } from '../core/zoom/event-id.ts';
import { normalizeEvent, type Normalized } from '../core/zoom/normalize.ts';
import { verifyWebhookSignature } from '../core/zoom/signature.ts';
import { BENCH_SECRET, signedBatch } from './lib/bench-events.ts';
import { round } from './lib/load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const EVENTS = Number(args.get('events') ?? 20_000);
const ON_DISK = args.has('disk');
const CONCURRENCY = 32;

/** CPU microseconds (user + system, every thread) per event of `run`, and its wall time per event. */
async function measure(run: () => unknown): Promise<{ cpuUs: number; wallUs: number }> {
  global.gc?.();
  const cpu = process.cpuUsage();
  const t = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return {
    cpuUs: round((used.user + used.system) / EVENTS, 1),
    wallUs: round(((performance.now() - t) * 1000) / EVENTS, 1),
  };
}

/** Runs `fn` over the items, `CONCURRENCY` at a time, as the server's concurrent requests would. */
async function concurrently<T>(
  items: readonly T[],
  fn: (item: T, i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(ON_DISK ? tmpdir() : '/dev/shm', 'zt-stages-'));
  const config = parseConfig({ DATA_DIR: root, ZOOM_WEBHOOK_SECRET_TOKEN: BENCH_SECRET });
  const log = silentLogger();
  const backends = await createBackends(config, log);
  const warehouse = createBatchedWarehouse(backends.warehouse, log);
  try {
    const { bodies: texts, headers } = signedBatch(EVENTS, 7);
    const bodies = texts.map((t) => Buffer.from(t));
    const now = Date.now();
    const insertedAt = new Date(now).toISOString();
    let parsed: unknown[] = [];
    let ids: string[] = [];
    let normalized: Normalized[] = [];
    const stages: Record<string, { cpuUs: number; wallUs: number }> = {};
    stages['verify'] = await measure(() =>
      bodies.forEach((b, i) =>
        verifyWebhookSignature(
          b,
          { signature: headers[i]?.['x-zm-signature'], timestamp: headers[i]?.['x-zm-request-timestamp'] },
          BENCH_SECRET,
          now,
          300,
        ),
      ),
    );
    stages['parse'] = await measure(
      () => (parsed = bodies.map((b) => JSON.parse(b.toString('utf8')) as unknown)),
    );
    stages['hash'] = await measure(() => (ids = parsed.map((p) => eventIdOf(p))));
    stages['validate'] = await measure(
      () =>
        (normalized = parsed.map((p, i) =>
          normalizeEvent(p, { eventId: ids[i] as string, gcsPath: '', insertedAt }),
        )),
    );
    normalized.forEach((n, i) => (n.row.gcs_path = rawArchiveKey(n.row.event_date, ids[i] as string)));
    stages['archive'] = await measure(() =>
      concurrently(normalized, (n, i) =>
        backends.archive.putIfAbsent(n.row.gcs_path, bodies[i] as Buffer, 'application/json'),
      ),
    );
    stages['warehouse'] = await measure(async () => {
      await concurrently(normalized, (n) => warehouse.insertEvents([n.row]));
      await warehouse.flush();
    });
    stages['state'] = await measure(() =>
      concurrently(normalized, async (n) => {
        if (n.state) await backends.liveState.apply([n.state]);
      }),
    );
    stages['queue'] = await measure(() =>
      concurrently(normalized, async (n) => {
        if (n.rtms) await backends.queue.publish(n.rtms);
      }),
    );
    const total = round(
      Object.values(stages).reduce((s, x) => s + x.cpuUs, 0),
      1,
    );
    console.log(`\nCPU per event by stage, ${EVENTS} events, DATA_DIR on ${ON_DISK ? 'disk' : 'tmpfs'}`);
    console.table({ ...stages, total: { cpuUs: total, wallUs: NaN } });
    const results = {
      node: process.version,
      date: new Date().toISOString(),
      events: EVENTS,
      dataDir: ON_DISK ? 'disk' : 'tmpfs',
      cpuUsPerEvent: { ...Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.cpuUs])), total },
      wallUsPerEvent: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.wallUs])),
    };
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL(`./results/webhook-stages${ON_DISK ? '-disk' : ''}.json`, import.meta.url),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  } finally {
    await warehouse.close().catch(() => undefined);
    await backends.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
