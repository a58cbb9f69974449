// Webhook latency on the embedded default (webhook + rtms-worker in one process) while RTMS streams
// flood the worker: signed webhooks at a fixed rate, first alone (baseline), then during a flood of
// ~300k frames from the simulator (a child process). Writes bench/results/webhook-under-rtms.json.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { signedHeaders } from '../core/zoom/signature.ts';
import { createLocalMediaStore } from '../core/adapters/local/local-media-store.ts';
import { createMemoryLeaseStore } from '../core/adapters/local/memory-lease-store.ts';
import { createWebhookService } from '../webhook/create-webhook.ts';
import { listen, urlOf } from '../core/http-server.ts';
import { createRtmsWorker } from '../rtms-worker/worker.ts';
import type { StreamSession } from '../rtms-worker/stream-session.ts';
import { zoom, type MeetingRef } from '../demo/simulator/zoom-events.ts';
import { runLoad, round, type LoadSummary } from './lib/load.ts';
import { FLOOD_CLIENT, startFloodSim, type FloodSim } from './lib/flood-sim.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const STREAMS = Number(args.get('streams') ?? 10);
const FRAMES = Number(args.get('frames') ?? 300_000);
const RATE = Number(args.get('rate') ?? 200);
const BASELINE_SECONDS = Number(args.get('seconds') ?? 10);
/** Timeline speed of each stream: far beyond real time, so the simulator sends as fast as the worker reads. */
const SPEED = Number(args.get('speed') ?? 200);
const MAX_FLOOD_SECONDS = 180;
const SECRET = 'bench-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signed participant webhooks (join, leave) for `count` requests, fresh enough for the whole run. */
function signedEvents(count: number, seed: string): { bodies: string[]; headers: Record<string, string>[] } {
  const now = Date.now();
  const bodies: string[] = [];
  const headers: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
    const m = Math.floor(i / 40);
    const meeting: MeetingRef = {
      id: String(81_000_000_000 + m),
      uuid: `load-${seed}-${m}==`,
      topic: `Load ${m}`,
      hostId: 'host',
      startTime: new Date(now - 3_600_000).toISOString(),
    };
    const p = i % 20;
    const person = {
      name: `Person ${p}`,
      email: `p${p}@example.com`,
      uuid: `u-${seed}-${m}-${p}`,
      userId: String(16_000_000 + p),
    };
    const at = now - 3_600_000 + m * 60_000 + (i % 40) * 100;
    const body = JSON.stringify(
      i % 40 < 20 ? zoom.joined(meeting, person, at) : zoom.left(meeting, person, at),
    );
    bodies.push(body);
    headers.push(signedHeaders(SECRET, Buffer.from(body), now));
  }
  return { bodies, headers };
}

interface Phase {
  webhook: LoadSummary;
  loopDelayMs: { p99: number; max: number };
  seconds: number;
}

async function measure(
  url: string,
  seed: string,
  during: (stop: () => void) => Promise<void>,
): Promise<Phase> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const events = signedEvents(RATE * MAX_FLOOD_SECONDS, seed);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now();
  const load = runLoad({ url, ...events, concurrency: 256, rate: RATE, stop: flag });
  await during(() => Atomics.store(flag, 0, 1));
  const webhook = await load;
  loop.disable();
  return {
    webhook,
    loopDelayMs: { p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) },
    seconds: round((performance.now() - t0) / 1000, 1),
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'zt-webhook-rtms-'));
  const config = parseConfig({
    DATA_DIR: root,
    ZOOM_WEBHOOK_SECRET_TOKEN: SECRET,
    RTMS_ALLOWED_HOSTS: '127.0.0.1',
    RTMS_MAX_STREAMS: String(STREAMS + 10),
    ZM_CLIENT_ID: FLOOD_CLIENT.clientId,
    ZM_CLIENT_SECRET: FLOOD_CLIENT.clientSecret,
  });
  const log = silentLogger();
  // The embedded default: one process, the worker fed by the webhook's in-process queue.
  const service = await createWebhookService(config, log);
  const worker = createRtmsWorker(
    {
      leases: createMemoryLeaseStore(),
      warehouse: service.backends.warehouse,
      liveState: service.backends.liveState,
      media: createLocalMediaStore(join(root, 's3')),
      log,
    },
    config,
    { capturesDir: join(root, 'captures') },
  );
  service.backends.localQueue?.subscribe((e) => worker.push(e));
  const server = await listen(service.listener, 0, '127.0.0.1', log);
  const url = `${urlOf(server)}/webhook`;
  let sim: FloodSim | undefined;
  try {
    sim = await startFloodSim();
    await measure(url, 'warm', async (stop) => (await sleep(2_000), stop()));
    const baseline = await measure(
      url,
      'base',
      async (stop) => (await sleep(BASELINE_SECONDS * 1000), stop()),
    );

    const meetingUuid = 'flood-meeting==';
    const { urls } = await sim.call({
      cmd: 'flood',
      meetingUuid,
      streams: STREAMS,
      speed: SPEED,
      frames: FRAMES,
    });
    const meeting: MeetingRef = {
      id: '82000000000',
      uuid: meetingUuid,
      topic: 'Flood',
      hostId: 'host',
      startTime: new Date().toISOString(),
    };
    let held: StreamSession[] = [];
    const received = () =>
      held.reduce((n, s) => n + (s.stats ? s.stats.audio + s.stats.video + s.stats.transcript : 0), 0);
    let sent = 0;
    const flood = await measure(url, 'flood', async (stop) => {
      for (const u of urls!) {
        const body = Buffer.from(
          JSON.stringify(zoom.rtmsStarted(meeting, u.streamId, u.serverUrls, Date.now())),
        );
        const res = await fetch(url, {
          method: 'POST',
          headers: signedHeaders(SECRET, body, Date.now()),
          body,
        });
        if (res.status !== 200) throw new Error(`rtms_started answered ${res.status}`);
      }
      const deadline = Date.now() + MAX_FLOOD_SECONDS * 1000;
      while (held.length < STREAMS && Date.now() < deadline) {
        held = worker.manager.allSessions();
        await sleep(20);
      }
      // the flood is over once every stream has sent its frames and the worker has read them all
      for (;;) {
        const st = await sim!.call({ cmd: 'stats' });
        sent = st.sent!;
        if ((sent >= st.expected! && received() >= sent) || Date.now() > deadline) break;
        await sleep(50);
      }
      stop();
    });
    await sleep(1_000); // the disk backlog
    const written = held.reduce((n, s) => {
      const c = s.captureStats;
      return n + (c ? c.audioFrames + c.videoFrames + c.transcriptItems : 0);
    }, 0);
    const dropped = held.reduce((n, s) => n + (s.captureStats?.droppedFrames ?? 0), 0);
    // revoked (stop reason 8): each capture is discarded, no mux (bench/rtms-mux.ts measures that)
    await sim.call({ cmd: 'stop', reason: 8 });
    await Promise.all(held.map((s) => s.done));

    const out = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      setup: `embedded default (webhook + rtms-worker in one process); signed participant webhooks at ${RATE}/s from a worker thread; ${STREAMS} RTMS streams from the simulator in a child process at ${SPEED}x real time (tiny audio and video frames, JSON/base64 over WebSocket), ${FRAMES} frames in all`,
      baseline,
      flood: {
        ...flood,
        streams: STREAMS,
        framesSent: sent,
        framesReceived: received(),
        framesWritten: written,
        dropped,
        lost: sent - written,
        framesPerSecond: Math.round(sent / flood.seconds),
      },
      p99Ratio: round(flood.webhook.p99 / Math.max(baseline.webhook.p99, 0.01), 1),
    };
    console.table({
      baseline: row(baseline),
      [`during flood (${sent} frames)`]: row(flood),
    });
    console.log(
      `frames: sent ${sent}, received ${received()}, written ${written}, dropped ${dropped}, lost ${sent - written}; ${out.flood.framesPerSecond} frames/s`,
    );
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/webhook-under-rtms.json', import.meta.url),
      `${JSON.stringify(out, null, 2)}\n`,
    );
  } finally {
    sim?.kill();
    await worker.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await service.close();
    await rm(root, { recursive: true, force: true });
  }
}

function row(p: Phase): Record<string, number | string> {
  const non200 = Object.entries(p.webhook.statuses)
    .filter(([s]) => s !== '200')
    .reduce((n, [, c]) => n + c, 0);
  return {
    seconds: p.seconds,
    webhooks: p.webhook.requests,
    'p50 ms': p.webhook.p50,
    'p99 ms': p.webhook.p99,
    'max ms': p.webhook.max,
    'non-200': non200,
    'loop delay p99 ms': p.loopDelayMs.p99,
    'loop delay max ms': p.loopDelayMs.max,
  };
}

await main();
