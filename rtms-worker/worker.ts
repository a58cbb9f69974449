// createRtmsWorker: the stream manager plus its HTTP listener and in-process push subscriber, from
// ports and Config. create-rtms-worker.ts wires it for `zoom-tracker worker` and `serve`.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { LeaseStore, LiveState, MediaStore, Queue, Warehouse } from '../core/ports.ts';
import { decodePushEnvelope, type PushEnvelope } from '../core/zoom/push-envelope.ts';
import {
  openCapture as defaultOpenCapture,
  type Capture,
  type OpenCaptureOptions,
} from './capture/capture.ts';
import { wsSocketFactory, type SocketFactory } from './protocol/socket.ts';
import { createServer } from './server.ts';
import { StreamManager, type ManagerSettings } from './stream-manager.ts';
import type { SessionOutcome } from './stream-session.ts';

export interface RtmsWorkerDeps {
  leases: LeaseStore;
  warehouse: Warehouse;
  liveState: LiveState;
  media: MediaStore;
  /** Where handover messages go on shutdown (Pub/Sub topic, or a peer worker locally). */
  queue?: Queue;
  log: Logger;
  openCapture?: (o: OpenCaptureOptions) => Promise<Capture>;
  socketFactory?: SocketFactory;
  now?: () => number;
  verifyPushToken?: (bearer: string | undefined) => Promise<void>;
}

export interface RtmsWorker {
  manager: StreamManager;
  listener: RequestListener;
  /** For the in-process queue: the same envelope Pub/Sub would push; returns an HTTP-like status. */
  push(envelope: PushEnvelope): Promise<number>;
  /** Hands every stream over and stops (SIGTERM). */
  stop(): Promise<Record<string, SessionOutcome>>;
}

export function workerIdOf(config: Pick<Config, 'WORKER_ID'>): string {
  return config.WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function settingsFromConfig(
  config: Config,
  capturesDir: string,
  overrides: Partial<ManagerSettings> = {},
): ManagerSettings {
  return {
    workerId: workerIdOf(config),
    clientId: config.ZM_CLIENT_ID ?? '',
    clientSecret: config.ZM_CLIENT_SECRET ?? '',
    capturesDir,
    ffmpegPath: config.FFMPEG_PATH,
    media: { videoFps: config.RTMS_VIDEO_FPS, resolution: config.RTMS_VIDEO_RESOLUTION },
    allowedHosts: config.RTMS_ALLOWED_HOSTS,
    maxStreams: config.RTMS_MAX_STREAMS,
    leaseTtlMs: 30_000,
    heartbeatMs: 10_000,
    ...overrides,
  };
}

/** Builds the worker from ports; nothing listens here. */
export function createRtmsWorker(
  deps: RtmsWorkerDeps,
  config: Config,
  opts: { capturesDir: string; settings?: Partial<ManagerSettings> },
): RtmsWorker {
  const log = deps.log.child({ component: 'rtms-worker' });
  if (!config.ZM_CLIENT_ID)
    log.warn('ZM_CLIENT_ID / ZM_CLIENT_SECRET are not set: RTMS handshakes will be refused (status 3)');
  const settings = settingsFromConfig(config, opts.capturesDir, opts.settings);
  const manager = new StreamManager(
    {
      leases: deps.leases,
      warehouse: deps.warehouse,
      liveState: deps.liveState,
      media: deps.media,
      openCapture: deps.openCapture ?? defaultOpenCapture,
      socketFactory: deps.socketFactory ?? wsSocketFactory,
      log,
      now: deps.now ?? Date.now,
      ...(deps.queue && { queue: deps.queue }),
    },
    settings,
  );
  log.info({ workerId: settings.workerId, maxStreams: settings.maxStreams }, 'rtms-worker ready');
  return {
    manager,
    listener: createServer(
      { manager, log, ...(deps.verifyPushToken && { verifyPushToken: deps.verifyPushToken }) },
      config,
    ),
    async push(envelope) {
      let decoded;
      try {
        decoded = decodePushEnvelope(envelope);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'malformed in-process push message');
        return 400;
      }
      return (await manager.handle(decoded.message)) === 'ack' ? 204 : 503;
    },
    stop: () => manager.shutdown(),
  };
}
