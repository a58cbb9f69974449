// Benchmark of POST /webhook on the embedded default against a bare baseline server run in the
// same process (verify the signature, write one durable file per event). Load comes from a worker
// thread; saturation alternates between the two in rounds. `--tmpfs` puts the data under /dev/shm.
// Prints a table and writes bench/results/webhook.json (webhook-tmpfs.json with --tmpfs).
import { createHash } from 'node:crypto';
import { close as closeCallback, fdatasync, open as openCallback, write } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { verifyWebhookSignature } from '../core/zoom/signature.ts';
import { createWebhookService } from '../webhook/create-webhook.ts';
import { readBody } from '../core/http.ts';
import { BENCH_SECRET as SECRET, signedBatch } from './lib/bench-events.ts';
import { mib, round, runLoad, type LoadSummary } from './lib/load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SATURATION_EVENTS = Number(args.get('events') ?? 20_000);
const MEMORY_EVENTS = Number(args.get('memory-events') ?? 100_000);
const STEADY_RATE = 500;
const STEADY_SECONDS = Number(args.get('steady-seconds') ?? 10);
const CONCURRENCY = Number(args.get('concurrency') ?? 64);
/** `--tmpfs`: DATA_DIR (and the baseline's files) under /dev/shm, the disk out of the way. */
const TMPFS = args.has('tmpfs');
/** Alternating saturation rounds (baseline, full); the round with the median ratio is reported. */
const ROUNDS = Number(args.get('rounds') ?? 3);

const openFd = promisify(openCallback);
const fdatasyncFd = promisify(fdatasync);
const closeFd = promisify(closeCallback);
const writeFd = (fd: number, buf: Buffer): Promise<number> =>
  new Promise((resolve, reject) =>
    write(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))),
  );

/** The baseline: verify, then one durable file per event, nothing else. */
function baselineListener(dir: string): RequestListener {
  return (req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        verifyWebhookSignature(
          body,
          {
            signature: req.headers['x-zm-signature'] as string,
            timestamp: req.headers['x-zm-request-timestamp'] as string,
          },
          SECRET,
          Date.now(),
          300,
        );
        // The same durable write the archive uses (plain descriptors, fdatasync), so the ratio
        // measures the pipeline's extra work, not a different way of writing a file.
        const name = `${createHash('sha256').update(body).digest('hex').slice(0, 32)}.json`;
        const fd = await openFd(join(dir, name), 'w');
        try {
          await writeFd(fd, body);
          await fdatasyncFd(fd);
        } finally {
          await closeFd(fd);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } catch {
        res.writeHead(401).end();
      }
    })();
  };
}

async function listen(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAliveTimeout: 65_000 }, listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

async function saturate(url: string, seed: number, count = SATURATION_EVENTS): Promise<LoadSummary> {
  return runLoad({ url, ...signedBatch(count, seed), concurrency: CONCURRENCY, rate: 0 });
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(TMPFS ? '/dev/shm' : tmpdir(), 'zt-bench-'));
  const results: Record<string, unknown> = {
    node: process.version,
    cpus: 2,
    date: new Date().toISOString(),
    dataDir: TMPFS ? 'tmpfs' : 'disk',
    concurrency: CONCURRENCY,
  };
  try {
    // Both servers up at once; saturation runs alternate between them round by round, so a
    // neighbour's load on a shared machine weighs on both sides of the ratio alike.
    const baseDir = join(root, 'baseline');
    await mkdir(baseDir, { recursive: true });
    const base = await listen(baselineListener(baseDir));
    const config = parseConfig({ DATA_DIR: join(root, 'full'), ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    const service = await createWebhookService(config, silentLogger());
    const full = await listen(service.listener);
    await saturate(base.url, 90, 2000); // warm-up
    await saturate(full.url, 91, 2000);
    await service.warehouse.flush();
    const rounds: { baseline: LoadSummary; full: LoadSummary; ratio: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await saturate(base.url, 1 + 2 * r);
      const f = await saturate(full.url, 2 + 2 * r);
      await service.warehouse.flush(); // its batches land before the next baseline round
      rounds.push({ baseline: b, full: f, ratio: round(f.perSecond / b.perSecond) });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[
      Math.floor(rounds.length / 2)
    ] as (typeof rounds)[0];
    const { baseline, full: saturated } = median;
    const baselineSteady = await runLoad({
      url: base.url,
      ...signedBatch(STEADY_RATE * STEADY_SECONDS, 50),
      concurrency: CONCURRENCY,
      rate: STEADY_RATE,
    });
    await close(base.server);
    const steady = await runLoad({
      url: full.url,
      ...signedBatch(STEADY_RATE * STEADY_SECONDS, 51),
      concurrency: CONCURRENCY,
      rate: STEADY_RATE,
    });

    // Memory over many events, in chunks so signatures stay fresh.
    const samples: { events: number; rssMiB: number; heapMiB: number }[] = [];
    const chunk = 10_000;
    for (let sent = 0; sent < MEMORY_EVENTS; sent += chunk) {
      await saturate(full.url, 100 + sent / chunk, chunk);
      await fetch(`${full.url.replace(/\/webhook$/, '')}/api/meetings`); // a dashboard looking in
      global.gc?.();
      const m = process.memoryUsage();
      samples.push({ events: sent + chunk, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed) });
    }
    await close(full.server);
    await service.close();

    Object.assign(results, {
      baseline: { saturation: baseline, steady500: baselineSteady },
      full: { saturation: saturated, steady500: steady },
      throughputRatio: median.ratio,
      roundRatios: rounds.map((r) => r.ratio),
      memory: samples,
    });
    console.log(
      `\nPOST /webhook, ${SATURATION_EVENTS} signed events at concurrency ${CONCURRENCY}, DATA_DIR on ${TMPFS ? 'tmpfs' : 'disk'}; steady ${STEADY_RATE}/s for ${STEADY_SECONDS}s`,
    );
    console.table({
      'baseline (verify + 1 durable file)': row(baseline, baselineSteady),
      'zoom-tracker (archive + DuckDB + state + queue)': row(saturated, steady),
    });
    console.log(
      `throughput ratio full/baseline: ${String(results['throughputRatio'])} (median of rounds ${rounds.map((r) => r.ratio).join(', ')})`,
    );
    console.table(samples);
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL(`./results/webhook${TMPFS ? '-tmpfs' : ''}.json`, import.meta.url),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function row(sat: LoadSummary, steady: LoadSummary): Record<string, number | string> {
  const errors = Object.entries(sat.statuses)
    .filter(([s]) => s !== '200')
    .reduce((n, [, c]) => n + c, 0);
  return {
    'events/s (saturation)': sat.perSecond,
    'p50 ms (sat)': sat.p50,
    'p99 ms (sat)': sat.p99,
    'p50 ms @500/s': steady.p50,
    'p99 ms @500/s': steady.p99,
    'non-200': errors,
  };
}

await main();
