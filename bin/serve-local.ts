// What `serve` adds on the embedded default: one serve per DATA_DIR (a named warning when DATA_DIR
// holds no zoom-tracker data), the jobs run inside the service one at a time on its own DuckDB
// instance, the job channel the CLI hands jobs to, and the daily jobs on their schedules.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Backends } from '../core/adapters/create-backends.ts';
import type { Config } from '../core/config.ts';
import { parseCron } from '../core/cron.ts';
import type { Logger } from '../core/log.ts';
import { SCHEDULED_JOBS } from '../core/schedules.ts';
import { holdsZoomTrackerData } from '../jobs/job-backends.ts';
import { UsageError } from '../jobs/job-args.ts';
import { noProgress } from '../jobs/progress.ts';
import { systemClock, type Clock } from '../jobs/scheduler/clock.ts';
import { fileStateStore } from '../jobs/scheduler/schedule-state.ts';
import { createScheduler, type JobStatus } from '../jobs/scheduler/scheduler.ts';
import { startJobChannel, type JobIo } from './job-channel.ts';
import { acquireServeLock, type ServeLock } from './serve-lock.ts';

/** Warns when DATA_DIR holds no zoom-tracker data, then takes it (AlreadyServingError when taken). */
export async function claimDataDir(config: Config, log: Logger): Promise<ServeLock> {
  const dir = resolve(config.DATA_DIR);
  if (!(await holdsZoomTrackerData(config))) {
    const entries = await readdir(dir).catch(() => undefined);
    log.warn(
      { dataDir: dir, entries: entries?.length ?? 0 },
      entries === undefined
        ? `DATA_DIR ${dir} does not exist: starting a new, empty zoom-tracker store there`
        : `DATA_DIR ${dir} holds no zoom-tracker data (no gcs/ folder or warehouse.duckdb): starting a new, empty store there`,
    );
  }
  await mkdir(dir, { recursive: true });
  return acquireServeLock(dir);
}

export interface LocalJobs {
  /** The scheduled jobs: last run, next run, outcome (the dashboard shows them). */
  status(): JobStatus[];
  close(): Promise<void>;
}

/** Starts the job runner, the job channel (published in the lock file) and the scheduler. */
export async function startLocalJobs(deps: {
  config: Config;
  log: Logger;
  backends: Backends;
  url: string;
  lock: ServeLock;
  clock?: Clock;
}): Promise<LocalJobs> {
  const { config, log, backends, lock } = deps;
  const clock = deps.clock ?? systemClock;
  const { jobCommands } = await import('../jobs/commands.ts');

  // One job at a time: the scheduler's and the CLI's share the service's DuckDB instance.
  let tail: Promise<unknown> = Promise.resolve();
  let current: string | undefined;
  function run(command: string, argv: string[], io: JobIo): Promise<void> {
    const job = jobCommands.find((c) => c.name === command);
    if (!job) return Promise.reject(new UsageError(`unknown job "${command}"`));
    if (current) io.waiting(current);
    const task = tail.then(async () => {
      current = command;
      try {
        await job.run(argv, {
          config,
          log: io.log,
          env: {},
          now: clock.now,
          progress: io.progress,
          liveState: backends.liveState,
          backends: async () => ({ engine: await backends.jobEngine(), archive: backends.archive }),
        });
      } finally {
        current = undefined;
      }
    });
    tail = task.catch(() => undefined);
    return task;
  }

  const token = randomBytes(32).toString('base64url');
  const channel = await startJobChannel({ token, level: config.LOG_LEVEL, log, run });
  await lock.publish({ url: deps.url, jobs: { url: channel.url, token } });

  const credentials = ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'] as const;
  const scheduler = createScheduler({
    jobs: SCHEDULED_JOBS.map(({ command, setting }) => {
      const missing = command === 'backfill-camera' ? credentials.filter((k) => !config[k]) : [];
      return {
        command,
        setting,
        cron: parseCron(config[setting]),
        ...(missing.length > 0 && { off: `${missing.join(', ')} not set` }),
      };
    }),
    timeZone: config.REPORT_TIMEZONE,
    clock,
    store: fileStateStore(join(config.DATA_DIR, 'schedule.json')),
    log: log.child({ scheduler: true }),
    run: (command, date) =>
      run(command, ['--date', date], {
        log: log.child({ job: command, scheduled: true }),
        progress: () => noProgress,
        waiting: () => undefined,
      }),
  });
  scheduler.start();

  return {
    status: () => scheduler.status(),
    async close() {
      await scheduler.stop();
      await channel.close();
      await tail;
      await lock.release();
    },
  };
}
