// The daily jobs on the embedded default: what Cloud Scheduler does in production, inside `serve`.
// Each fire runs its job for the previous day, then the day it fires in (REPORT_TIMEZONE); after a
// restart every fire missed since the last successful one is caught up (each day once, in order).
import { nextFire, wallDate, type Cron } from '../../core/cron.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { addDays, startOfDay } from '../../core/warehouse/day-window.ts';
import type { Clock } from './clock.ts';
import type { JobStatus } from '../../core/schedules.ts';
import type { ScheduleState, ScheduleStateStore } from './schedule-state.ts';

export type { JobStatus };

export interface ScheduledJob {
  command: string;
  setting: string;
  cron: Cron;
  /** Why it does not run (e.g. the backfill without Zoom credentials); undefined when it does. */
  off?: string;
}

export interface SchedulerDeps {
  jobs: readonly ScheduledJob[];
  timeZone: string;
  clock: Clock;
  store: ScheduleStateStore;
  /** Runs one job for one day; throws when it fails. */
  run(command: string, date: string): Promise<void>;
  log: Logger;
  /** How many days back a restart catches up (default 31). */
  catchUpDays?: number;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  status(): JobStatus[];
  /** Resolves once the loop waits again having looked at the clock at or after `atMs` (tests). */
  idle(atMs: number): Promise<void>;
}

const DAY = 86_400_000;
const MAX_SLEEP_MS = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

interface Due {
  job: ScheduledJob;
  firedAt: number;
  /** Every fire up to this instant is handled by this run. */
  until: number;
  days: string[];
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { clock, log, timeZone } = deps;
  const active = deps.jobs.filter((j) => j.off === undefined);
  const cursor = new Map<string, number>();
  const abort = new AbortController();
  let state: ScheduleState = { jobs: {} };
  let running: string | undefined;
  let loop: Promise<void> | undefined;
  let lastLook = -Infinity;
  let sleeping = false;
  let waiters: { atMs: number; resolve: () => void }[] = [];

  /** Fires of a job in (cursor, now]: the days they cover, and the last one (a fire per day is enough). */
  function due(job: ScheduledJob, now: number): Due | undefined {
    let t = Math.max(cursor.get(job.command) ?? now, now - (deps.catchUpDays ?? 31) * DAY);
    const days = new Set<string>();
    let firedAt: number | undefined;
    for (;;) {
      const fire = nextFire(job.cron, t, timeZone);
      if (fire === undefined || fire > now) break;
      firedAt = fire;
      const date = wallDate(fire, timeZone);
      days.add(addDays(date, -1)).add(date);
      // Later fires of the same day cover the same days: go on from the end of that day.
      t = Math.max(fire, startOfDay(addDays(date, 1), timeZone) - 1);
    }
    return firedAt === undefined ? undefined : { job, firedAt, until: now, days: [...days].sort() };
  }

  async function runDue(list: Due[]): Promise<void> {
    const order = (d: Due): number => active.indexOf(d.job);
    const runs = list
      .flatMap((d) => d.days.map((date) => ({ d, date })))
      .sort((a, b) => a.date.localeCompare(b.date) || order(a.d) - order(b.d));
    const started = new Map<Due, number>();
    const failed = new Map<Due, string>();
    for (const { d, date } of runs) {
      if (abort.signal.aborted) return;
      if (!started.has(d)) started.set(d, clock.now());
      running = d.job.command;
      const t0 = clock.now();
      log.info({ job: d.job.command, date, firedAt: iso(d.firedAt) }, 'scheduled run started');
      try {
        await deps.run(d.job.command, date);
        log.info({ job: d.job.command, date, ms: clock.now() - t0 }, 'scheduled run done');
      } catch (err) {
        const reason = errorMessage(err).split('\n')[0] ?? 'failed';
        failed.set(d, failed.get(d) ?? `${date}: ${reason}`);
        log.error({ job: d.job.command, date, error: reason }, 'scheduled run failed');
      } finally {
        running = undefined;
      }
    }
    for (const d of list) {
      cursor.set(d.job.command, d.until);
      const error = failed.get(d);
      const entry = (state.jobs[d.job.command] ??= {});
      entry.lastRun = {
        firedAt: iso(d.firedAt),
        startedAt: iso(started.get(d) ?? clock.now()),
        finishedAt: iso(clock.now()),
        days: d.days,
        outcome: error ? 'failed' : 'ok',
        ...(error && { error }),
      };
      // A failed run is retried after a restart; while serve runs, the next fire redoes its days.
      if (!error) entry.doneUntil = iso(d.until);
    }
    await deps.store.save(state);
  }

  async function sleepUntilNext(now: number): Promise<void> {
    const next = Math.min(
      ...active.map((j) => nextFire(j.cron, cursor.get(j.command) ?? now, timeZone) ?? Infinity),
    );
    lastLook = now;
    sleeping = true;
    waiters = waiters.filter((w) => (w.atMs <= lastLook ? (w.resolve(), false) : true));
    try {
      await clock.sleep(Math.min(Math.max(next - now, 0), MAX_SLEEP_MS), abort.signal);
    } finally {
      sleeping = false;
    }
  }

  async function main(): Promise<void> {
    state = await deps.store.load();
    const now = clock.now();
    // A job seen for the first time starts now: there is no history to catch up.
    for (const job of active) {
      const entry = (state.jobs[job.command] ??= {});
      entry.doneUntil ??= iso(now);
      cursor.set(job.command, Date.parse(entry.doneUntil));
    }
    await deps.store.save(state);
    log.info({ schedules: status().map(describe) }, 'scheduled jobs');
    while (!abort.signal.aborted) {
      try {
        const t = clock.now();
        const list = active.map((j) => due(j, t)).filter((d): d is Due => d !== undefined);
        if (list.length > 0) await runDue(list);
        else await sleepUntilNext(t);
      } catch (err) {
        log.error({ err }, 'scheduler step failed; retrying in a minute');
        await clock.sleep(MAX_SLEEP_MS, abort.signal);
      }
    }
  }

  function status(): JobStatus[] {
    return deps.jobs.map((j) => {
      const entry = state.jobs[j.command];
      const from = cursor.get(j.command) ?? clock.now();
      const next = j.off === undefined ? nextFire(j.cron, from, timeZone) : undefined;
      return {
        command: j.command,
        setting: j.setting,
        schedule: j.cron.source,
        timeZone,
        ...(j.off !== undefined && { off: j.off }),
        running: running === j.command,
        ...(next !== undefined && { nextRun: iso(next) }),
        ...(entry?.lastRun && { lastRun: entry.lastRun }),
        ...(entry?.doneUntil && { doneUntil: entry.doneUntil }),
      };
    });
  }

  return {
    start() {
      loop ??= main().catch((err: unknown) => log.error({ err }, 'scheduler stopped'));
    },
    async stop() {
      abort.abort();
      await loop;
    },
    status,
    idle(atMs) {
      if (sleeping && lastLook >= atMs) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ atMs, resolve }));
    },
  };
}

function describe(s: JobStatus): string {
  return s.off !== undefined
    ? `${s.command}: off (${s.off})`
    : `${s.command}: "${s.schedule}" ${s.timeZone}, next ${s.nextRun ?? 'never'}`;
}
