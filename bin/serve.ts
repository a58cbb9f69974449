// `serve` and `worker`: start the webhook service and/or the rtms-worker, and stop them cleanly on
// SIGTERM/SIGINT (Cloud Run sends SIGTERM before stopping an instance).
import type { RequestListener, Server } from 'node:http';
import { listen, createWebhookService, urlOf } from '../webhook/main.ts';
import { exposureProblem, listenHost } from '../core/listen-address.ts';
import type { CommandContext } from './main.ts';

export async function serve(ctx: CommandContext, what: { webhook: boolean; worker: boolean }): Promise<void> {
  const { config, log } = ctx;
  const closers: (() => Promise<void>)[] = [];
  let server: Server | undefined;
  const host = listenHost(config);

  if (what.webhook) {
    const problem = exposureProblem(config);
    if (problem) throw new Error(problem);
    const service = await createWebhookService(config, log);
    closers.push(() => service.close());
    let worker: { listener?: unknown; stop(): Promise<void> } | undefined;
    if (what.worker) worker = await startWorker(ctx, service.backends);
    if (worker) closers.unshift(() => worker.stop());
    server = await listen(service.listener, config.PORT, host, log);
    log.info(
      { url: `${urlOf(server)}/webhook`, host: host ?? 'all interfaces', backend: config.BACKEND },
      'webhook service listening',
    );
  } else if (what.worker) {
    const worker = await startWorker(ctx, undefined);
    closers.push(() => worker.stop());
    if (worker.listener) {
      server = await listen(worker.listener, config.PORT, host, log);
      log.info(
        { url: `${urlOf(server)}/pubsub/push`, host: host ?? 'all interfaces' },
        'rtms-worker listening',
      );
    }
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // Stop accepting, close the services (which also ends long-lived dashboard streams), then wait
  // for the last requests; waiting for the server first would hang on an open dashboard tab.
  const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  for (const close of closers)
    await close().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  server?.closeIdleConnections();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
  server?.closeAllConnections();
}

type Backends = Awaited<ReturnType<typeof createWebhookService>>['backends'];

/** Starts the rtms-worker in this process; on the embedded default it subscribes to the in-process queue. */
async function startWorker(
  ctx: CommandContext,
  backends: Backends | undefined,
): Promise<{ listener?: RequestListener; stop(): Promise<void> }> {
  const { startRtmsWorker } = await import('../rtms-worker/main.ts');
  return startRtmsWorker(ctx.config, ctx.log, backends);
}
