// Starts the rtms-worker: config -> backends -> worker -> listen; SIGTERM hands streams over. The
// only rtms-worker module that reads the environment, listens or exits (run directly, or by `serve`).
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/log.ts';
import type { LeaseStore, Queue } from '../core/ports.ts';
import {
  createBackends,
  createLeaseStore,
  createMediaStore,
  dataPaths,
  type Backends,
} from '../core/adapters/create-backends.ts';
import { recoverCaptures } from './capture/recover.ts';
import { createHttpPushQueue } from './http-push-queue.ts';
import { resolvePushSecret, sharedSecretVerifier } from './push-secret.ts';
import { listenHost } from '../core/listen-address.ts';
import { createRtmsWorker } from './worker.ts';

/** Used by `zoom-tracker serve|worker` and by `main()`; subscribes to the in-process queue locally. */
export async function startRtmsWorker(
  config: Config,
  log: Logger,
  backends?: Backends,
): Promise<{ listener: RequestListener; stop(): Promise<void> }> {
  const own = backends === undefined;
  const b = backends ?? (await createBackends(config, log));
  const paths = dataPaths(config);
  // Firestore in production; locally a file lease under $DATA_DIR/leases/ shared by worker processes.
  const leases: LeaseStore = await createLeaseStore(config, log);
  // Pushes carry a shared secret outside Cloud Run; locally it is generated once per DATA_DIR.
  const push = await resolvePushSecret(config);
  if (push && config.BACKEND === 'local')
    log.info({ secretFile: push.source }, 'push secret for local workers');
  const queue: Queue | undefined = config.RTMS_HANDOVER_PUSH_URL
    ? createHttpPushQueue(config.RTMS_HANDOVER_PUSH_URL, { ...(push && { secret: push.secret }) })
    : config.BACKEND === 'gcp'
      ? b.queue
      : undefined;
  const media = await createMediaStore(config, log);
  // Captures a previous process left on this disk are parked for a live stream or finished if stale.
  const recovered = await recoverCaptures(paths.captures, { media, ffmpegPath: config.FFMPEG_PATH, log });
  if (recovered.length > 0)
    log.info({ recovered: recovered.map((r) => `${r.streamId}:${r.action}`) }, 'partial captures recovered');
  const worker = createRtmsWorker(
    {
      leases,
      warehouse: b.warehouse,
      liveState: b.liveState,
      media,
      log,
      ...(queue && { queue }),
      ...(push && !config.WORKER_PUSH_AUDIENCE && { verifyPushToken: sharedSecretVerifier(push.secret) }),
    },
    config,
    { capturesDir: paths.captures },
  );
  b.localQueue?.subscribe((envelope) => worker.push(envelope));
  return {
    listener: worker.listener,
    async stop() {
      const outcomes = await worker.stop();
      log.info({ outcomes }, 'rtms-worker stopped');
      if (own) await b.close();
    },
  };
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const log = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT ?? (config.BACKEND === 'gcp' ? 'json' : 'pretty'),
    name: 'rtms-worker',
  });
  const worker = await startRtmsWorker(config, log);
  const server = createHttpServer({ keepAliveTimeout: 65_000 }, worker.listener);
  const host = listenHost(config);
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(config.PORT, host, () => resolve()),
  );
  const { port, address } = server.address() as AddressInfo;
  const at = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  log.info(
    {
      url: `http://${at.includes(':') ? `[${at}]` : at}:${port}/pubsub/push`,
      port,
      host: host ?? 'all interfaces',
    },
    'rtms-worker listening',
  );
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down: handing streams over');
    server.close();
    await worker.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`rtms-worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
