// The batch jobs as `zoom-tracker` subcommands (and Cloud Run job entries): report, export,
// backfill-camera, replay, attendance. Each checks its options, opens its backends (BigQuery + Cloud
// Storage, or DuckDB + files; inside `serve`, the service's own), runs, and logs what it did.
import { readFile, writeFile } from 'node:fs/promises';
import { requireSettings } from '../core/config.ts';
import { runAttendance } from './attendance/run-attendance.ts';
import { createQosClient } from './backfill/qos-client.ts';
import { createRateLimiter } from './backfill/rate-limiter.ts';
import { readBudgetUsed, runBackfill, type BackfillDeps } from './backfill/run-backfill.ts';
import { registeredRedactor } from '../core/privacy/erasure-register.ts';
import { resolveErasureSecret } from '../core/privacy/erasure-secret.ts';
import { createPseudonyms } from '../core/privacy/pseudonym.ts';
import { createTokenSource } from './backfill/zoom-token.ts';
import { JOB_HELP } from './command-help.ts';
import type { JobCommand, JobContext } from './job-command.ts';
import { openJobBackends, type JobBackends } from './job-backends.ts';
import { normalizeJobArgv, oneDay, parseJobArgs, runDays, UsageError, type JobOption } from './job-args.ts';
import { createProgress, type Progress } from './progress.ts';
import { runReplay } from './replay.ts';
import { runExport, runReport } from './report.ts';
import { eraseCommand } from './erase/erase-command.ts';
import { retentionCommand } from './retention/retention-command.ts';

export { parseJobArgs, UsageError } from './job-args.ts';
export type { JobCommand, JobContext } from './job-command.ts';

async function withBackends(ctx: JobContext, work: (a: JobBackends) => Promise<void>): Promise<void> {
  const backends = await (ctx.backends ?? (() => openJobBackends(ctx.config, ctx.log)))();
  try {
    await work(backends);
  } finally {
    await backends.engine.close();
  }
}

function dataset(a: JobBackends): { dataset?: string } {
  return a.dataset !== undefined ? { dataset: a.dataset } : {};
}

/**
 * The erasure registers the backfill applies to data fetched again (README "Erasing a person"); on
 * Google Cloud only where the job has ERASURE_SECRET, else it says what that means.
 */
async function erasuresOf(ctx: JobContext, a: JobBackends): Promise<BackfillDeps['erasures']> {
  if (ctx.config.BACKEND === 'gcp' && !ctx.config.ERASURE_SECRET) {
    ctx.log.warn(
      'ERASURE_SECRET not set: QoS data fetched for a meeting someone was erased from is stored as Zoom sends it',
    );
    return undefined;
  }
  const pseudonyms = createPseudonyms(await resolveErasureSecret(ctx.config));
  return (meetingUuid) => registeredRedactor(a.archive, meetingUuid, pseudonyms);
}

const nowOf = (ctx: JobContext): number => (ctx.now ?? Date.now)();
const progressOf = (ctx: JobContext): Progress => (ctx.progress ?? createProgress)();

function job(name: keyof typeof JOB_HELP, options: readonly JobOption[], run: JobCommand['run']): JobCommand {
  const { usage, help } = JOB_HELP[name];
  return { name, usage, help, options, check: (argv, cwd) => normalizeJobArgv(argv, options, cwd), run };
}

/** `report` and `export`: the days, the engine, one job function per day. */
function reportJob(name: 'report' | 'export', work: typeof runReport | typeof runExport): JobCommand {
  return job(name, ['date'], async (argv, ctx) => {
    const days = runDays(parseJobArgs(argv, ['date']), nowOf(ctx), ctx.config.REPORT_TIMEZONE);
    await withBackends(ctx, async (a) => {
      for (const date of days) {
        await work(
          {
            engine: a.engine,
            archive: a.archive,
            log: ctx.log,
            timeZone: ctx.config.REPORT_TIMEZONE,
            now: () => nowOf(ctx),
            ...dataset(a),
          },
          { date },
        );
      }
    });
  });
}

export const jobCommands: JobCommand[] = [
  reportJob('report', runReport),
  reportJob('export', runExport),
  job('backfill-camera', ['date', 'force'], async (argv, ctx) => {
    const args = parseJobArgs(argv, ['date', 'force']);
    const c = ctx.config;
    const days = runDays(args, nowOf(ctx), c.REPORT_TIMEZONE);
    requireSettings(
      c,
      ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'],
      'for backfill-camera (Server-to-Server OAuth app)',
    );
    await withBackends(ctx, async (a) => {
      const tokens = createTokenSource({
        tokenUrl: c.ZOOM_OAUTH_TOKEN_URL,
        accountId: c.ZOOM_ACCOUNT_ID as string,
        clientId: c.ZOOM_CLIENT_ID as string,
        clientSecret: c.ZOOM_CLIENT_SECRET as string,
      });
      const alreadyUsed = await readBudgetUsed(a.archive, new Date(nowOf(ctx)).toISOString().slice(0, 10));
      const limiter = createRateLimiter({
        perSecond: c.ZOOM_HEAVY_REQUESTS_PER_SECOND,
        budget: c.ZOOM_DAILY_HEAVY_BUDGET,
        alreadyUsed,
      });
      const client = createQosClient({ baseUrl: c.ZOOM_API_BASE_URL, tokens, limiter });
      const erasures = await erasuresOf(ctx, a);
      for (const date of days) {
        await runBackfill(
          {
            engine: a.engine,
            archive: a.archive,
            client,
            limiter,
            log: ctx.log,
            timeZone: c.REPORT_TIMEZONE,
            progress: progressOf(ctx),
            ...dataset(a),
            ...(erasures && { erasures }),
          },
          { date, ...(args.force && { force: true }) },
        );
      }
    });
  }),
  job('replay', ['date'], async (argv, ctx) => {
    const date = oneDay(parseJobArgs(argv, ['date']), nowOf(ctx), ctx.config.REPORT_TIMEZONE);
    await withBackends(ctx, (a) =>
      runReplay(
        { engine: a.engine, archive: a.archive, log: ctx.log, progress: progressOf(ctx) },
        { date },
      ).then(() => undefined),
    );
  }),
  job('attendance', ['date', 'roster', 'out'], async (argv, ctx) => {
    const args = parseJobArgs(argv, ['date', 'roster', 'out']);
    if (!args.roster)
      throw new UsageError(
        'attendance needs --roster FILE (CSV: email, first name, last name, id, department)',
      );
    const date = oneDay(args, nowOf(ctx), ctx.config.REPORT_TIMEZONE);
    const rosterCsv = await readFile(args.roster, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read roster ${args.roster}: ${err.code ?? err.message}`);
    });
    const c = ctx.config;
    await withBackends(ctx, async (a) => {
      const result = await runAttendance(
        {
          engine: a.engine,
          archive: a.archive,
          log: ctx.log,
          now: () => nowOf(ctx),
          timeZone: c.REPORT_TIMEZONE,
          thresholds: {
            lateAfterMins: c.ATTENDANCE_LATE_AFTER_MINS,
            leftEarlyBeforeMins: c.ATTENDANCE_LEFT_EARLY_BEFORE_MINS,
            minPresencePercent: c.ATTENDANCE_MIN_PRESENCE_PERCENT,
          },
          ...dataset(a),
        },
        { date, rosterCsv },
      );
      if (args.out) await writeFile(args.out, result.csv);
    });
  }),
  retentionCommand,
  eraseCommand,
];
