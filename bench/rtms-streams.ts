// How many concurrent RTMS streams (16 kHz audio in 20 ms frames + 720p25 H.264 + transcript) one
// rtms-worker process holds with no frame lost and bounded memory. The simulator runs in a child
// process; this process is the worker (real sockets, real capture to disk). Writes bench/results/rtms-streams.json.
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../core/config.ts';
import { createLogger, silentLogger } from '../core/log.ts';
import type { LiveState, Warehouse } from '../core/ports.ts';
import { createLocalMediaStore } from '../core/adapters/local/local-media-store.ts';
import { createMemoryLeaseStore } from '../core/adapters/local/memory-lease-store.ts';
import { encodePushEnvelope } from '../core/zoom/push-envelope.ts';
import { createRtmsWorker } from '../rtms-worker/worker.ts';
import type { SimCommand, SimStreamStats } from '../test/simulator/sim-process.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const LEVELS = (args.get('streams') ?? '25,50,100,150,200').split(',').map(Number);
const SECONDS = Number(args.get('seconds') ?? 20);
const LOG = args.get('log')
  ? createLogger({ level: args.get('log')!, format: 'json' }, process.stderr)
  : silentLogger();
const CLIENT = {
  ZM_CLIENT_ID: 'sim-client-id',
  ZM_CLIENT_SECRET: 'sim-client-secret',
  RTMS_ALLOWED_HOSTS: '127.0.0.1',
};

/** RTMS events go nowhere here: the benchmark is about media. */
const nullWarehouse: Warehouse = {
  insertEvents: async () => undefined,
  health: async () => ({ ok: true, backend: 'null' }),
  close: async () => undefined,
};
const nullLiveState = { apply: async () => undefined } as unknown as LiveState;

type Reply = {
  ok: string;
  url?: string;
  urls?: { streamId: string; serverUrls: string }[];
  streams?: SimStreamStats[];
  cpu?: NodeJS.CpuUsage;
};

function startSim(): Promise<{ call(c: SimCommand): Promise<Reply>; url: string; kill(): void }> {
  const child = fork(fileURLToPath(new URL('../test/simulator/sim-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const waiting: ((r: Reply) => void)[] = [];
  child.on('message', (m) => waiting.shift()?.(m as Reply));
  const next = () => new Promise<Reply>((r) => waiting.push(r));
  return next().then((started) => ({
    url: started.url!,
    call: (c) => {
      const p = next();
      child.send(c);
      return p;
    },
    kill: () => child.kill(),
  }));
}

const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LevelResult {
  streams: number;
  ready: number;
  seconds: number;
  framesSent: number;
  framesReceived: number;
  framesWritten: number;
  lost: number;
  dropped: number;
  workerCpuCores: number;
  simCpuCores: number;
  streamsPerWorkerCore: number;
  rssMib: { before: number; peak: number; after: number };
  loopDelayP99Ms: number;
  mibPerSecond: number;
  ok: boolean;
}

async function runLevel(
  n: number,
  sim: Awaited<ReturnType<typeof startSim>>,
  root: string,
): Promise<LevelResult> {
  const dir = join(root, `n${n}`);
  await mkdir(dir, { recursive: true });
  const config = parseConfig({ DATA_DIR: dir, RTMS_MAX_STREAMS: String(n + 10), ...CLIENT });
  const worker = createRtmsWorker(
    {
      leases: createMemoryLeaseStore(),
      warehouse: nullWarehouse,
      liveState: nullLiveState,
      media: createLocalMediaStore(join(dir, 's3')),
      log: LOG,
    },
    config,
    { capturesDir: join(dir, 'captures') },
  );
  const { urls } = await sim.call({
    cmd: 'streams',
    prefix: `b${n}`,
    count: n,
    meetingUuid: `bench-${n}==`,
    media: 'h264-720p25',
  });
  const rssBefore = process.memoryUsage().rss;
  for (const [i, u] of urls!.entries()) {
    const status = await worker.push(
      encodePushEnvelope(
        {
          kind: 'started',
          eventId: `e-${u.streamId}`,
          eventTs: Date.now(),
          meetingUuid: `bench-${n}==`,
          rtmsStreamId: u.streamId,
          serverUrls: u.serverUrls,
        },
        `m${i}`,
        new Date(),
      ),
    );
    if (status !== 204) throw new Error(`push refused (${status}) at stream ${i}`);
  }
  const deadline = Date.now() + 30_000;
  let ready = 0;
  while (Date.now() < deadline) {
    ready = (await sim.call({ cmd: 'stats' })).streams!.filter((s) => s.ready).length;
    if (ready === n) break;
    await sleep(250);
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const sim0 = (await sim.call({ cmd: 'stats' })).cpu!;
  const t0 = performance.now();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  await sleep(SECONDS * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sim1 = (await sim.call({ cmd: 'stats' })).cpu!;
  loop.disable();
  // stop sending, let the sockets drain, then compare what was sent with what the worker received and wrote
  await sim.call({ cmd: 'silence', on: true });
  await sleep(2_000);
  clearInterval(sampler);
  const sent = (await sim.call({ cmd: 'stats' })).streams!;
  const sessions = worker.manager.allSessions();
  const byId = new Map(sessions.map((s) => [s.streamId, s]));
  let framesSent = 0;
  let framesReceived = 0;
  let framesWritten = 0;
  let dropped = 0;
  for (const s of sent) {
    framesSent += s.sent.audio + s.sent.video + s.sent.transcript;
    const session = byId.get(s.streamId);
    const st = session?.stats;
    const cs = session?.captureStats;
    framesReceived += (st?.audio ?? 0) + (st?.video ?? 0) + (st?.transcript ?? 0);
    framesWritten += (cs?.audioFrames ?? 0) + (cs?.videoFrames ?? 0) + (cs?.transcriptItems ?? 0);
    dropped += cs?.droppedFrames ?? 0;
  }
  // revoked (stop reason 8) discards each capture: the mux is measured by bench/rtms-mux.ts
  await sim.call({ cmd: 'stop', reason: 8 });
  await Promise.all(sessions.map((s) => s.done));
  await worker.stop();
  const after = process.memoryUsage().rss;
  const workerCores = (cpu.user + cpu.system) / 1e6 / elapsed;
  const simCores = (sim1.user + sim1.system - sim0.user - sim0.system) / 1e6 / elapsed;
  const lost = framesSent - framesReceived;
  const perStreamMiBs = 0.19; // 1.5 Mbit/s video + 32 KB/s audio, as raw bytes on disk
  await rm(dir, { recursive: true, force: true });
  return {
    streams: n,
    ready,
    seconds: Math.round(elapsed),
    framesSent,
    framesReceived,
    framesWritten,
    lost,
    dropped,
    workerCpuCores: Math.round(workerCores * 100) / 100,
    simCpuCores: Math.round(simCores * 100) / 100,
    streamsPerWorkerCore: Math.round(n / Math.max(workerCores, 0.01)),
    rssMib: { before: mib(rssBefore), peak: mib(peak), after: mib(after) },
    loopDelayP99Ms: Math.round(loop.percentile(99) / 1e6),
    mibPerSecond: Math.round(n * perStreamMiBs * 10) / 10,
    ok: ready === n && lost === 0 && dropped === 0 && framesWritten === framesReceived,
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rtms-bench-'));
  const sim = await startSim();
  const results: LevelResult[] = [];
  try {
    for (const n of LEVELS) {
      const r = await runLevel(n, sim, root);
      results.push(r);
      console.log(
        `${String(n).padStart(4)} streams: ${r.ok ? 'no loss' : 'LOSS'} (sent ${r.framesSent}, received ${r.framesReceived}, written ${r.framesWritten}, dropped ${r.dropped}); worker ${r.workerCpuCores} cores -> ${r.streamsPerWorkerCore} streams/core; sim ${r.simCpuCores} cores; RSS peak ${r.rssMib.peak} MiB; loop p99 ${r.loopDelayP99Ms} ms`,
      );
      if (!r.ok) break;
    }
  } finally {
    sim.kill();
    await rm(root, { recursive: true, force: true });
  }
  const best = results.filter((r) => r.ok).at(-1);
  const out = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    stream:
      '16 kHz mono L16 in 20 ms frames + 1280x720@25 H.264 ~1.5 Mbit/s + a transcript line every 2 s, JSON/base64 over WebSocket',
    secondsPerLevel: SECONDS,
    levels: results,
    maxStreamsWithoutLoss: best?.streams ?? 0,
    streamsPerCoreAtMax: best?.streamsPerWorkerCore ?? 0,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/rtms-streams.json', import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log(
    `max without loss: ${out.maxStreamsWithoutLoss} streams; ${out.streamsPerCoreAtMax} streams per worker core (target 100)`,
  );
}

void main();
