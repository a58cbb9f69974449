// Wires the webhook service without listening: config -> backends -> recovery -> dashboard ->
// HTTP handler (server.ts). `zoom-tracker serve` (bin/serve.ts) listens with it; tests drive it in-process.
import type { RequestListener } from 'node:http';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { createBackends, type Backends } from '../core/adapters/create-backends.ts';
import { recoverFromArchive } from '../core/adapters/local/rebuild-state.ts';
import { createBatchedWarehouse, type BatchedWarehouse } from '../core/warehouse/batched-warehouse.ts';
import { accessPolicy } from '../core/access-policy.ts';
import { withDashboardAuth } from './dashboard/auth.ts';
import { createDashboard, type DashboardDeps } from './dashboard/dashboard.ts';
import { loadRosterKeys } from './roster-keys.ts';
import { resolveWebhookSecret } from './secret.ts';
import { createServer, type WebhookServerDeps } from './server.ts';
import type { RecoveryReport } from './health.ts';

export interface WebhookService {
  backends: Backends;
  deps: WebhookServerDeps;
  listener: RequestListener;
  secret: string;
  /** Rows go to the warehouse in batches off the request path; flush() waits for them. */
  warehouse: BatchedWarehouse;
  /** Flushes batched rows and closes the backends. */
  close(): Promise<void>;
}

/** Builds everything but does not listen (used by serve, the Functions Framework target and the demo). */
export async function createWebhookService(
  config: Config,
  log: Logger,
  now: () => number = Date.now,
  extras: Pick<DashboardDeps, 'schedule'> = {},
): Promise<WebhookService> {
  const backends = await createBackends(config, log, now);
  const { secret, source } = await resolveWebhookSecret(config);
  let recovery: RecoveryReport | undefined;
  if (config.BACKEND === 'local') {
    log.info({ secretFile: source }, 'webhook secret for local signing');
    const started = performance.now();
    const summary = await recoverFromArchive(backends.archive, backends, {
      now: now(),
      days: config.STATE_TTL_DAYS,
      log,
    });
    recovery = { ok: summary.skipped === 0 && summary.lastError === undefined, ...summary };
    log[recovery.ok ? 'info' : 'warn'](
      { ...summary, ms: Math.round(performance.now() - started) },
      'live state and warehouse recovered from the archive',
    );
  }
  // In production the request waits for its batch (group commit), so no row depends on CPU time
  // after the response; locally rows are written behind the response and recovered at start.
  const warehouse = createBatchedWarehouse(
    backends.warehouse,
    log,
    config.BACKEND === 'gcp' ? { awaitWrite: true, maxDelayMs: 25 } : {},
  );
  const dashboard = createDashboard({
    config,
    liveState: backends.liveState,
    archive: backends.archive,
    engine: backends.readEngine,
    log,
    now,
    ...extras,
  });
  const deps: WebhookServerDeps = {
    archive: backends.archive,
    warehouse,
    liveState: backends.liveState,
    queue: backends.queue,
    log,
    now,
    secret,
    toleranceSeconds: config.WEBHOOK_TIMESTAMP_TOLERANCE_S,
    downstreamTimeoutMs: 2000,
    extraRoutes: dashboard.routes,
    recovery: () => recovery,
  };
  // The API and pages need a token in production; locally they are open on the developer's machine.
  const access = accessPolicy(config);
  const roster = config.ROSTER_FILE ? await loadRosterKeys(config.ROSTER_FILE) : undefined;
  if (roster) log.info({ members: roster.size }, 'roster loaded for live matching');
  return {
    backends,
    deps,
    listener: withDashboardAuth(
      createServer(deps, { access, ...(roster && { roster }) }),
      access.kind === 'token' ? access.token : undefined,
    ),
    secret,
    warehouse,
    async close() {
      dashboard.close();
      await warehouse.flush();
      await backends.close();
    },
  };
}
