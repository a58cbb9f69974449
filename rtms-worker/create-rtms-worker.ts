// Wires the rtms-worker without listening: config -> backends, leases, media store -> recovered
// captures -> worker (worker.ts, HTTP handler in server.ts). `zoom-tracker worker|serve` listens with it.
import type { RequestListener } from 'node:http';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
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
import { createRtmsWorker } from './worker.ts';

/**
 * Used by `zoom-tracker serve|worker` (bin/serve.ts) and the demo; subscribes to the in-process
 * queue locally. `stop()` hands live streams over to another worker, then closes what it opened.
 */
export async function createRtmsWorkerService(
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
