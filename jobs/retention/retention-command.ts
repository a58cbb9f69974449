// `zoom-tracker retention [--dry-run] [--date D]`: deletes what is past its RETENTION_* limit. `serve`
// runs it daily on the embedded default (RETENTION_SCHEDULE); on Google Cloud it covers S3 recordings.
import { openJobBackends, type JobBackends } from '../job-backends.ts';
import { normalizeJobArgv, parseJobArgs, UsageError } from '../job-args.ts';
import { addDays, startOfDay } from '../../core/warehouse/day-window.ts';
import type { JobCommand } from '../job-command.ts';
import { retentionDeps } from './retention-deps.ts';
import { runRetention } from './run-retention.ts';

const HELP = `usage: zoom-tracker retention [--dry-run] [--date D]

Deletes what is older than its limit: the raw archive and qos/ (RETENTION_RAW_DAYS), quarantine/
(RETENTION_QUARANTINE_DAYS), warehouse partitions (RETENTION_WAREHOUSE_DAYS), recordings and their
rows (RETENTION_RECORDINGS_DAYS), exported CSVs (RETENTION_EXPORTS_DAYS), and drops expired live
state. On Google Cloud only the recordings in S3 (with S3_BUCKET): the bucket's lifecycle rules,
BigQuery partition expiration and Firestore TTL delete the rest. Running it again deletes nothing more.

options:
  --dry-run         list what would be deleted (counts per prefix and day, streams, partitions)
  --date D          as it stood at the end of D, YYYY-MM-DD in REPORT_TIMEZONE (default: now)
  -h, --help        this help

On the embedded default a running \`zoom-tracker serve\` on the same DATA_DIR runs the job itself
(this command hands it over and shows its progress); otherwise it runs here.`;

/** `--dry-run` apart from the options every job shares (`--date`). */
function splitDryRun(argv: readonly string[]): { rest: string[]; dryRun: boolean } {
  const unknown = argv.find((a) => a.startsWith('-') && a !== '--dry-run' && !/^--date(=|$)/.test(a));
  if (unknown !== undefined) throw new UsageError(`unknown option "${unknown}" (options: --date, --dry-run)`);
  return { rest: argv.filter((a) => a !== '--dry-run'), dryRun: argv.includes('--dry-run') };
}

export const retentionCommand: JobCommand = {
  name: 'retention',
  usage: 'retention [--dry-run]      delete what is past its RETENTION_* limit (README, "Personal data")',
  help: HELP,
  options: ['date'],
  check(argv, cwd) {
    const { rest, dryRun } = splitDryRun(argv);
    return [...normalizeJobArgv(rest, ['date'], cwd), ...(dryRun ? ['--dry-run'] : [])];
  },
  async run(argv, ctx) {
    const { rest, dryRun } = splitDryRun(argv);
    const { date } = parseJobArgs(rest, ['date']);
    const clock = ctx.now ?? Date.now;
    // The scheduler passes the day it runs for: never later than now, so nothing goes early.
    const end = date === undefined ? Infinity : startOfDay(addDays(date, 1), ctx.config.REPORT_TIMEZONE);
    const now = (): number => Math.min(clock(), end);
    // The warehouse and archive only matter on the embedded default (see retention-deps.ts).
    let backends: JobBackends | undefined;
    if (ctx.config.BACKEND === 'local')
      backends = await (ctx.backends ?? (() => openJobBackends(ctx.config, ctx.log)))();
    try {
      const deps = await retentionDeps(
        { config: ctx.config, log: ctx.log, now },
        {
          ...(backends && { archive: backends.archive, engine: backends.engine }),
          ...(ctx.liveState && { liveState: ctx.liveState }),
        },
      );
      await runRetention(deps, { dryRun });
    } finally {
      await backends?.engine.close();
    }
  },
};
