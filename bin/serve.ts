// `serve` and `worker`: start the webhook service and/or the rtms-worker, and stop them cleanly on
// SIGTERM/SIGINT (Cloud Run sends SIGTERM before stopping an instance). On the embedded default
// `serve` also holds DATA_DIR, runs the scheduled jobs and takes jobs from the CLI (serve-local.ts).
import type { RequestListener, Server } from 'node:http';
import { createWebhookService } from '../webhook/create-webhook.ts';
import { listen, urlOf, waitForSignal } from '../core/http-server.ts';
import { exposureProblem, listenHost } from '../core/listen-address.ts';
import type { Clock } from '../jobs/scheduler/clock.ts';
import type { JobStatus } from '../jobs/scheduler/scheduler.ts';
import type { CommandContext } from '../core/command.ts';
import { assertPortFree, portInUse } from './port-in-use.ts';
import { claimDataDir, startLocalJobs, type LocalJobs } from './serve-local.ts';

export interface ServeOptions {
  /** The clock of the service and its scheduled jobs (tests inject one to cross 23:00). */
  clock?: Clock;
}

export interface RunningServe {
  url: string | undefined;
  /** The scheduled jobs (embedded default only). */
  schedule(): JobStatus[] | undefined;
  stop(): Promise<void>;
}

export async function serve(ctx: CommandContext, what: { webhook: boolean; worker: boolean }): Promise<void> {
  const running = await startServe(ctx, what);
  const signal = await waitForSignal();
  ctx.log.info({ signal }, what.worker ? 'shutting down: handing streams over' : 'shutting down');
  await running.stop();
}

export async function startServe(
  ctx: CommandContext,
  what: { webhook: boolean; worker: boolean },
  opts: ServeOptions = {},
): Promise<RunningServe> {
  const { config, log } = ctx;
  // Run in this order on stop: the jobs, the worker, the service, then the DATA_DIR lock.
  const closers: {
    jobs?: () => Promise<void>;
    worker?: () => Promise<void>;
    service?: () => Promise<void>;
    lock?: () => Promise<void>;
  } = {};
  let server: Server | undefined;
  let jobs: LocalJobs | undefined;
  const host = listenHost(config);
  const bind = async (listener: RequestListener): Promise<Server> => {
    try {
      return await listen(listener, config.PORT, host, log);
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? portInUse(config.PORT, host) : err;
    }
  };

  async function stop(): Promise<void> {
    // Stop accepting, close the services (which also ends long-lived dashboard streams), then wait
    // for the last requests; waiting for the server first would hang on an open dashboard tab.
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const close of [closers.jobs, closers.worker, closers.service, closers.lock])
      await close?.().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
    server?.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
    server?.closeAllConnections();
  }

  try {
    if (what.webhook) {
      const problem = exposureProblem(config);
      if (problem) throw new Error(problem);
      const lock = config.BACKEND === 'local' ? await claimDataDir(config, log) : undefined;
      if (lock) closers.lock = () => lock.release();
      await assertPortFree(config.PORT, host);
      const service = await createWebhookService(config, log, opts.clock?.now, {
        schedule: () => jobs?.status(),
      });
      closers.service = () => service.close();
      if (what.worker) closers.worker = (await startWorker(ctx, service.backends)).stop;
      server = await bind(service.listener);
      log.info(
        { url: `${urlOf(server)}/webhook`, host: host ?? 'all interfaces', backend: config.BACKEND },
        'webhook service listening',
      );
      if (lock) {
        const local = await startLocalJobs({
          config,
          log,
          backends: service.backends,
          url: urlOf(server),
          lock,
          ...(opts.clock && { clock: opts.clock }),
        });
        jobs = local;
        closers.jobs = () => local.close();
      }
    } else if (what.worker) {
      await assertPortFree(config.PORT, host);
      const worker = await startWorker(ctx, undefined);
      closers.worker = () => worker.stop();
      if (worker.listener) {
        server = await bind(worker.listener);
        log.info(
          { url: `${urlOf(server)}/pubsub/push`, host: host ?? 'all interfaces' },
          'rtms-worker listening',
        );
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: server ? urlOf(server) : undefined, schedule: () => jobs?.status(), stop };
}

type Backends = Awaited<ReturnType<typeof createWebhookService>>['backends'];

/** Starts the rtms-worker in this process; on the embedded default it subscribes to the in-process queue. */
async function startWorker(
  ctx: CommandContext,
  backends: Backends | undefined,
): Promise<{ listener?: RequestListener; stop(): Promise<void> }> {
  const { createRtmsWorkerService } = await import('../rtms-worker/create-rtms-worker.ts');
  return createRtmsWorkerService(ctx.config, ctx.log, backends);
}
