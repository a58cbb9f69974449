// Test harness: an in-process rtms-worker on real parts (HTTP push endpoint on 127.0.0.1:0, DuckDB
// warehouse, in-process live state, local media store, the real capture + ffmpeg) and helpers to
// push queue messages and probe what it stored.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig, type Config } from '../../core/config.ts';
import { silentLogger, type Logger } from '../../core/log.ts';
import type { LeaseStore, MediaStore } from '../../core/ports.ts';
import { createDuckDbWarehouse, type DuckDbWarehouse } from '../../core/adapters/local/duckdb-warehouse.ts';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import { createMemoryLeaseStore } from '../../core/adapters/local/memory-lease-store.ts';
import { createMemoryLiveState } from '../../core/adapters/local/memory-live-state.ts';
import { encodePushEnvelope } from '../../core/zoom/push-envelope.ts';
import type { RtmsQueueMessage } from '../../core/zoom/types.ts';
import type { ManagerSettings } from '../../rtms-worker/stream-manager.ts';
import { createRtmsWorker, type RtmsWorker, type RtmsWorkerDeps } from '../../rtms-worker/worker.ts';
import { SIM_ALLOWED_HOSTS, SIM_CLIENT } from '../../demo/simulator/rtms-simulator.ts';

const run = promisify(execFile);

/** The harness worker's WORKER_PUSH_SECRET: every push carries it unless a test says otherwise. */
export const HARNESS_PUSH_SECRET = 'harness-push-secret';

export interface Harness {
  dir: string;
  config: Config;
  worker: RtmsWorker;
  url: string;
  warehouse: DuckDbWarehouse;
  liveState: ReturnType<typeof createMemoryLiveState>;
  media: MediaStore;
  mediaDir: string;
  push(m: RtmsQueueMessage): Promise<number>;
  /** Files stored under the media store, relative paths. */
  storedFiles(): Promise<string[]>;
  rtmsRows(
    streamId: string,
  ): Promise<
    { action: string; participant_id: string; participant_name: string | null; event_type: string }[]
  >;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    leases?: LeaseStore;
    dir?: string;
    settings?: Partial<ManagerSettings>;
    log?: Logger;
    env?: Record<string, string>;
    openCapture?: RtmsWorkerDeps['openCapture'];
  } = {},
): Promise<Harness> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'rtms-worker-')));
  const config = parseConfig({
    DATA_DIR: dir,
    ZM_CLIENT_ID: SIM_CLIENT.clientId,
    ZM_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    RTMS_ALLOWED_HOSTS: SIM_ALLOWED_HOSTS,
    WORKER_PUSH_SECRET: HARNESS_PUSH_SECRET,
    ...opts.env,
  });
  const log = opts.log ?? silentLogger();
  const warehouse = await createDuckDbWarehouse(
    join(dir, `warehouse-${randomUUID().slice(0, 8)}.duckdb`),
    log,
  );
  const liveState = createMemoryLiveState({ now: Date.now, ttlDays: 7 });
  const mediaDir = join(dir, 's3');
  const media = createLocalMediaStore(mediaDir);
  const worker = createRtmsWorker(
    {
      leases: opts.leases ?? createMemoryLeaseStore(),
      warehouse,
      liveState,
      media,
      log,
      ...(opts.openCapture && { openCapture: opts.openCapture }),
    },
    config,
    {
      capturesDir: join(dir, 'captures'),
      settings: { watchdogMs: 3_000, reconnectWindowMs: 30_000, ...opts.settings },
    },
  );
  const server: Server = createServer(worker.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    dir,
    config,
    worker,
    url,
    warehouse,
    liveState,
    media,
    mediaDir,
    push: (m) => postPush(`${url}/pubsub/push`, m),
    async storedFiles() {
      return (await walk(mediaDir)).map((f) => relative(mediaDir, f)).sort();
    },
    async rtmsRows(streamId) {
      const reader = await warehouse.connection.runAndReadAll(
        `SELECT action, participant_id, participant_name, event_type FROM raw_events WHERE source = 'rtms' AND rtms_stream_id = '${streamId.replace(/'/g, "''")}' ORDER BY event_ts, participant_id`,
      );
      return reader.getRowObjectsJS() as never;
    },
    async close() {
      await worker.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await warehouse.close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Posts a push envelope with `Authorization: Bearer <secret>` (none when secret is ''); returns the status. */
export async function postPush(
  url: string,
  m: RtmsQueueMessage,
  secret = HARNESS_PUSH_SECRET,
): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret && { authorization: `Bearer ${secret}` }) },
    body: JSON.stringify(encodePushEnvelope(m, randomUUID(), new Date())),
  });
  await res.arrayBuffer();
  return res.status;
}

export function startedMessage(
  s: { meetingUuid: string; streamId: string; serverUrls: string },
  eventId = `start-${s.streamId}`,
): RtmsQueueMessage {
  return {
    kind: 'started',
    eventId,
    eventTs: Date.now(),
    meetingUuid: s.meetingUuid,
    rtmsStreamId: s.streamId,
    serverUrls: s.serverUrls,
    meetingId: '93201235621',
  };
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

export interface Probe {
  streams: {
    codec_type: string;
    codec_name: string;
    duration?: string;
    nb_frames?: string;
    start_time?: string;
  }[];
  format: { duration: string };
}

export async function ffprobe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,duration,nb_frames,start_time:format=duration',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as Probe;
}
