// The batch jobs as `zoom-tracker` subcommands (and Cloud Run job entries): report, export,
// backfill-camera, replay, attendance. Each parses its options, builds its adapters from config
// (BigQuery + Cloud Storage, or DuckDB + files), runs, and logs what it did.
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../core/adapters/create-backends.ts';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { requireSettings, type Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { runAttendance } from './attendance/run-attendance.ts';
import { createQosClient } from './backfill/qos-client.ts';
import { createRateLimiter } from './backfill/rate-limiter.ts';
import { readBudgetUsed, runBackfill } from './backfill/run-backfill.ts';
import { createTokenSource } from './backfill/zoom-token.ts';
import { defaultReportDate, parseDate } from './day-window.ts';
import type { SqlEngine } from './engine/sql-engine.ts';
import { createProgress } from './progress.ts';
import { runReplay } from './replay.ts';
import { runExport, runReport } from './report.ts';

export interface JobContext {
  config: Config;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
}

export interface JobCommand {
  name: string;
  usage: string;
  run(argv: string[], ctx: JobContext): Promise<void>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface JobArgs {
  date?: string;
  roster?: string;
  out?: string;
  force?: boolean;
}

/** `--date D`, `--date=D`, `--roster FILE`, `--out FILE`, `--force`; anything else is a usage error. */
export function parseJobArgs(argv: readonly string[], allowed: readonly (keyof JobArgs)[]): JobArgs {
  const args: JobArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1] as keyof JobArgs | undefined;
    if (!m || !name || !allowed.includes(name)) {
      throw new UsageError(`unknown option "${arg}" (options: ${allowed.map((a) => `--${a}`).join(', ')})`);
    }
    if (name === 'force') {
      args.force = true;
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    args[name] = value;
  }
  return args;
}

function reportDate(args: JobArgs, config: Config): string {
  return args.date !== undefined
    ? parseDate(args.date)
    : defaultReportDate(Date.now(), config.REPORT_TIMEZONE);
}

interface Adapters {
  engine: SqlEngine;
  archive: Archive;
  dataset?: string;
}

async function openAdapters(config: Config, log: Logger): Promise<Adapters> {
  if (config.BACKEND === 'gcp') {
    requireSettings(config, ['GCP_PROJECT_ID', 'GCS_BUCKET'], 'for the jobs with BACKEND=gcp');
    const [{ createGcsArchive }, { createBigQueryEngine }] = await Promise.all([
      import('../core/adapters/gcp/gcs-archive.ts'),
      import('./engine/bigquery-engine.ts'),
    ]);
    const archive = createGcsArchive(config, log);
    const engine = createBigQueryEngine({
      projectId: config.GCP_PROJECT_ID as string,
      dataset: config.BQ_DATASET,
      bucket: config.GCS_BUCKET as string,
      archive,
      log,
      ...(config.BQ_LOCATION && { location: config.BQ_LOCATION }),
      ...(config.BIGQUERY_API_ENDPOINT && { apiEndpoint: config.BIGQUERY_API_ENDPOINT }),
    });
    return { engine, archive, dataset: config.BQ_DATASET };
  }
  const paths = dataPaths(config);
  const archive = createFileArchive(paths.gcs);
  const { createDuckDbEngine } = await import('./engine/duckdb-engine.ts');
  try {
    return { engine: await createDuckDbEngine({ path: paths.warehouse, archive }), archive };
  } catch (err) {
    if (/lock/i.test((err as Error).message)) {
      throw new Error(`${paths.warehouse} is in use by another process (stop \`zoom-tracker serve\` first)`, {
        cause: err,
      });
    }
    throw err;
  }
}

async function withAdapters(ctx: JobContext, work: (a: Adapters) => Promise<void>): Promise<void> {
  const adapters = await openAdapters(ctx.config, ctx.log);
  try {
    await work(adapters);
  } finally {
    await adapters.engine.close();
  }
}

function dataset(a: Adapters): { dataset?: string } {
  return a.dataset !== undefined ? { dataset: a.dataset } : {};
}

/** `report` and `export`: a date, the engine, one job function. */
function reportJob(name: string, usage: string, job: typeof runReport | typeof runExport): JobCommand {
  return {
    name,
    usage,
    async run(argv, ctx) {
      const date = reportDate(parseJobArgs(argv, ['date']), ctx.config);
      await withAdapters(ctx, async (a) => {
        await job(
          { engine: a.engine, log: ctx.log, timeZone: ctx.config.REPORT_TIMEZONE, ...dataset(a) },
          { date },
        );
      });
    },
  };
}

export const jobCommands: JobCommand[] = [
  reportJob(
    'report',
    'report [--date D]          write daily_reports for D (default: yesterday in REPORT_TIMEZONE)',
    runReport,
  ),
  reportJob(
    'export',
    'export [--date D]          export D to reports/DAILY_REPORT_D_000000000000.csv',
    runExport,
  ),
  {
    name: 'backfill-camera',
    usage: 'backfill-camera [--date D] [--force]   camera minutes of D from the Zoom Dashboard QoS API',
    async run(argv, ctx) {
      const args = parseJobArgs(argv, ['date', 'force']);
      const date = reportDate(args, ctx.config);
      const c = ctx.config;
      requireSettings(
        c,
        ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'],
        'for backfill-camera (Server-to-Server OAuth app)',
      );
      await withAdapters(ctx, async (a) => {
        const tokens = createTokenSource({
          tokenUrl: c.ZOOM_OAUTH_TOKEN_URL,
          accountId: c.ZOOM_ACCOUNT_ID as string,
          clientId: c.ZOOM_CLIENT_ID as string,
          clientSecret: c.ZOOM_CLIENT_SECRET as string,
        });
        const alreadyUsed = await readBudgetUsed(a.archive, new Date().toISOString().slice(0, 10));
        const limiter = createRateLimiter({
          perSecond: c.ZOOM_HEAVY_REQUESTS_PER_SECOND,
          budget: c.ZOOM_DAILY_HEAVY_BUDGET,
          alreadyUsed,
        });
        const client = createQosClient({ baseUrl: c.ZOOM_API_BASE_URL, tokens, limiter });
        await runBackfill(
          {
            engine: a.engine,
            archive: a.archive,
            client,
            limiter,
            log: ctx.log,
            timeZone: c.REPORT_TIMEZONE,
            progress: createProgress(),
            ...dataset(a),
          },
          { date, ...(args.force && { force: true }) },
        );
      });
    },
  },
  {
    name: 'replay',
    usage: 'replay [--date D]          rebuild the warehouse rows of D from the raw archive',
    async run(argv, ctx) {
      const date = reportDate(parseJobArgs(argv, ['date']), ctx.config);
      await withAdapters(ctx, (a) =>
        runReplay(
          { engine: a.engine, archive: a.archive, log: ctx.log, progress: createProgress() },
          { date },
        ).then(() => undefined),
      );
    },
  },
  {
    name: 'attendance',
    usage:
      'attendance [--date D] --roster FILE [--out FILE]   Present/Late/Left Early/Absent per roster member per meeting',
    async run(argv, ctx) {
      const args = parseJobArgs(argv, ['date', 'roster', 'out']);
      if (!args.roster)
        throw new UsageError(
          'attendance needs --roster FILE (CSV: email, first name, last name, id, department)',
        );
      const date = reportDate(args, ctx.config);
      const rosterCsv = await readFile(args.roster, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read roster ${args.roster}: ${err.code ?? err.message}`);
      });
      const c = ctx.config;
      await withAdapters(ctx, async (a) => {
        const result = await runAttendance(
          {
            engine: a.engine,
            archive: a.archive,
            log: ctx.log,
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
        if (args.out) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(args.out, result.csv);
        }
      });
    },
  },
];
