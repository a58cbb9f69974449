// The scheduler with an injected clock and a recording job runner: what runs when a day's fire
// times pass, catch-up after downtime (each missed day once, in order), failures, first start.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCron } from '../../core/cron.ts';
import { silentLogger } from '../../core/log.ts';
import { createFakeClock, type FakeClock } from '../../test/jobs/fake-clock.ts';
import { fileStateStore, type ScheduleState, type ScheduleStateStore } from './schedule-state.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';

const TZ = 'Europe/Berlin';
const JOBS = [
  { command: 'backfill-camera', setting: 'BACKFILL_SCHEDULE', cron: parseCron('30 22 * * *') },
  { command: 'report', setting: 'REPORT_SCHEDULE', cron: parseCron('0 23 * * *') },
  { command: 'export', setting: 'EXPORT_SCHEDULE', cron: parseCron('30 23 * * *') },
];
/** Berlin wall clock (CET, UTC+1 in February) as an instant. */
const berlin = (wall: string): number => Date.parse(`${wall}+01:00`);

function memoryStore(initial: ScheduleState = { jobs: {} }): ScheduleStateStore & { state: ScheduleState } {
  const store = {
    state: structuredClone(initial),
    load: async () => structuredClone(store.state),
    save: async (s: ScheduleState) => {
      store.state = structuredClone(s);
    },
  };
  return store;
}

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

function start(
  clock: FakeClock,
  store: ScheduleStateStore,
  opts: { off?: string; fail?: (command: string, date: string) => boolean } = {},
): string[] {
  const calls: string[] = [];
  scheduler = createScheduler({
    jobs: JOBS.map((j) => (j.command === 'backfill-camera' && opts.off ? { ...j, off: opts.off } : j)),
    timeZone: TZ,
    clock,
    store,
    log: silentLogger(),
    run: async (command, date) => {
      calls.push(`${command} ${date}`);
      if (opts.fail?.(command, date)) throw new Error(`${command} broke\nsecond line`);
    },
  });
  scheduler.start();
  return calls;
}

async function moveTo(clock: FakeClock, ms: number): Promise<void> {
  clock.set(ms);
  await scheduler?.idle(ms);
}

describe('scheduler', () => {
  it('runs each job for yesterday and today when its time passes, in REPORT_TIMEZONE', async () => {
    const clock = createFakeClock(berlin('2026-02-03T22:00:00'));
    const calls = start(clock, memoryStore(), {
      off: 'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET not set',
    });
    await scheduler?.idle(clock.now());
    expect(calls).toEqual([]);
    expect(scheduler?.status().map((s) => [s.command, s.nextRun ?? s.off])).toEqual([
      ['backfill-camera', 'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET not set'],
      ['report', '2026-02-03T22:00:00.000Z'],
      ['export', '2026-02-03T22:30:00.000Z'],
    ]);
    await moveTo(clock, berlin('2026-02-03T22:59:59'));
    expect(calls).toEqual([]);
    await moveTo(clock, berlin('2026-02-03T23:00:01'));
    expect(calls).toEqual(['report 2026-02-02', 'report 2026-02-03']);
    await moveTo(clock, berlin('2026-02-03T23:30:00'));
    expect(calls).toEqual([
      'report 2026-02-02',
      'report 2026-02-03',
      'export 2026-02-02',
      'export 2026-02-03',
    ]);
    const report = scheduler?.status().find((s) => s.command === 'report');
    expect(report).toMatchObject({
      nextRun: '2026-02-04T22:00:00.000Z',
      lastRun: { firedAt: '2026-02-03T22:00:00.000Z', days: ['2026-02-02', '2026-02-03'], outcome: 'ok' },
    });
  });

  it('catches up every missed day once, in day order, after downtime, and not again on the next start', async () => {
    const store = memoryStore({
      jobs: {
        report: { doneUntil: '2026-02-01T23:00:00.000Z' },
        export: { doneUntil: '2026-02-01T23:00:00.000Z' },
      },
    });
    const clock = createFakeClock(berlin('2026-02-04T10:00:00'));
    const calls = start(clock, store, { off: 'no credentials' });
    await scheduler?.idle(clock.now());
    // Missed: report and export of the 2nd and the 3rd (each covering the day before too).
    expect(calls).toEqual([
      'report 2026-02-01',
      'export 2026-02-01',
      'report 2026-02-02',
      'export 2026-02-02',
      'report 2026-02-03',
      'export 2026-02-03',
    ]);
    expect(store.state.jobs.export?.doneUntil).toBe(new Date(berlin('2026-02-04T10:00:00')).toISOString());
    await scheduler?.stop();
    const again = start(createFakeClock(berlin('2026-02-04T10:05:00')), store, { off: 'no credentials' });
    await scheduler?.idle(berlin('2026-02-04T10:05:00'));
    expect(again).toEqual([]);
  });

  it('a failed run is logged, shown and retried after a restart; the others still run', async () => {
    const store = memoryStore({ jobs: { report: { doneUntil: '2026-02-03T12:00:00.000Z' } } });
    const clock = createFakeClock(berlin('2026-02-03T23:10:00'));
    const calls = start(clock, store, {
      off: 'no credentials',
      fail: (c, d) => c === 'report' && d === '2026-02-02',
    });
    await scheduler?.idle(clock.now());
    expect(calls).toEqual(['report 2026-02-02', 'report 2026-02-03']);
    const report = scheduler?.status().find((s) => s.command === 'report');
    expect(report?.lastRun).toMatchObject({ outcome: 'failed', error: '2026-02-02: report broke' });
    expect(store.state.jobs.report?.doneUntil).toBe('2026-02-03T12:00:00.000Z');
    await scheduler?.stop();
    const retry = start(createFakeClock(berlin('2026-02-03T23:12:00')), store, { off: 'no credentials' });
    await scheduler?.idle(berlin('2026-02-03T23:12:00'));
    expect(retry).toEqual(['report 2026-02-02', 'report 2026-02-03']);
  });

  it('runs the backfill first when its credentials are set, and persists the state in a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zt-schedule-'));
    try {
      const store = fileStateStore(join(dir, 'schedule.json'));
      const clock = createFakeClock(berlin('2026-02-03T20:00:00'));
      const calls = start(clock, store);
      await scheduler?.idle(clock.now());
      await moveTo(clock, berlin('2026-02-03T23:45:00'));
      expect(calls).toEqual([
        'backfill-camera 2026-02-02',
        'report 2026-02-02',
        'export 2026-02-02',
        'backfill-camera 2026-02-03',
        'report 2026-02-03',
        'export 2026-02-03',
      ]);
      const saved = JSON.parse(await readFile(join(dir, 'schedule.json'), 'utf8')) as ScheduleState;
      expect(Object.keys(saved.jobs)).toEqual(['backfill-camera', 'report', 'export']);
      expect(saved.jobs.report?.lastRun?.outcome).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
