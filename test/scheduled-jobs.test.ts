// `serve` on the embedded default runs the daily jobs by itself: with an injected clock it crosses
// 23:00 and 23:30 (REPORT_TIMEZONE) and writes the report and the CSV with no command typed; a
// restart after a missed day catches it up. The CSVs equal the jobs run by hand on the same archive.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { startServe, type RunningServe } from '../bin/serve.ts';
import { jobCommands } from '../jobs/commands.ts';
import { createFakeClock, type FakeClock } from './jobs/fake-clock.ts';
import type { JobStatus } from '../core/schedules.ts';
import { seedFixtureArchive } from './helpers/seed-archive.ts';

const TZ = 'Europe/Berlin';
const berlin = (wall: string): number => Date.parse(`${wall}+01:00`);
const csvPath = (dir: string, date: string): string =>
  join(dir, 'gcs', 'reports', `DAILY_REPORT_${date}_000000000000.csv`);

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zt-scheduled-'));
  dirs.push(dir);
  await seedFixtureArchive(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const configFor = (dir: string): Config =>
  parseConfig({ DATA_DIR: dir, PORT: '0', REPORT_TIMEZONE: TZ, LOG_LEVEL: 'silent' });

function start(dir: string, clock: FakeClock): Promise<RunningServe> {
  return startServe(
    { config: configFor(dir), log: silentLogger(), env: {} },
    { webhook: true, worker: false },
    { clock },
  );
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const job = (s: RunningServe, command: string): JobStatus | undefined =>
  s.schedule()?.find((j) => j.command === command);
const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The CSV of a day from the same archive with the jobs run by hand (replay, report, export). */
async function byHand(date: string): Promise<string> {
  const dir = await dataDir();
  const ctx = { config: configFor(dir), log: silentLogger(), env: {} };
  for (const [name, argv] of [
    ['replay', ['--date', date]],
    ['report', ['--date', date]],
    ['export', ['--date', date]],
  ] as const) {
    await jobCommands.find((c) => c.name === name)?.run([...argv], ctx);
  }
  return readFile(csvPath(dir, date), 'utf8');
}

describe('serve runs the scheduled jobs', () => {
  it('crosses 23:00 and 23:30 in REPORT_TIMEZONE and writes the report and the CSV with no command typed', async () => {
    const dir = await dataDir();
    const clock = createFakeClock(berlin('2026-02-03T22:50:00'));
    const serve = await start(dir, clock);
    try {
      await until('the scheduler to start', () => job(serve, 'report')?.doneUntil);
      expect(job(serve, 'report')?.nextRun).toBe('2026-02-03T22:00:00.000Z');
      expect(job(serve, 'backfill-camera')?.off).toBe(
        'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET not set',
      );

      clock.set(berlin('2026-02-03T23:00:30'));
      const report = await until('the report run', () => job(serve, 'report')?.lastRun);
      expect(report).toMatchObject({ days: ['2026-02-02', '2026-02-03'], outcome: 'ok' });
      expect(await exists(csvPath(dir, '2026-02-03'))).toBe(false);

      clock.set(berlin('2026-02-03T23:30:30'));
      const exported = await until('the export run', () => job(serve, 'export')?.lastRun);
      expect(exported).toMatchObject({ days: ['2026-02-02', '2026-02-03'], outcome: 'ok' });
      expect(job(serve, 'report')?.nextRun).toBe('2026-02-04T22:00:00.000Z');

      // The dashboard shows them: last run, next run, outcome.
      const json = (await (await fetch(`${serve.url}/schedule.json`)).json()) as { jobs: JobStatus[] };
      expect(json.jobs).toEqual(serve.schedule());
      const html = await (await fetch(`${serve.url}/schedule`)).text();
      const row = /<tr data-job="export">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
      expect(row).toContain('<td data-next>2026-02-04 22:30:00 UTC</td>');
      expect(row).toContain('<td data-outcome>ok</td>');
      expect(row).toMatch(
        /<td data-last>2026-02-03 22:30:30 UTC <span class="muted">\(2026-02-02, 2026-02-03\)<\/span><\/td>/,
      );
      expect(html).toContain('<a href="/schedule">Schedule</a>');

      const csv = await readFile(csvPath(dir, '2026-02-03'), 'utf8');
      expect(csv.trim().split('\n').length).toBeGreaterThan(5);
      expect(csv).toBe(await byHand('2026-02-03'));
      // The day before is run again too (here: no meetings, a header only).
      expect((await readFile(csvPath(dir, '2026-02-02'), 'utf8')).trim().split('\n')).toHaveLength(1);
    } finally {
      await serve.stop();
    }
  }, 90_000);

  it('after a restart catches up the days it missed, and only once', async () => {
    const dir = await dataDir();
    const first = await start(dir, createFakeClock(berlin('2026-02-02T12:00:00')));
    await until('the scheduler to start', () => job(first, 'export')?.doneUntil);
    await first.stop();

    // Down from the 2nd at noon to the 4th at 10:00: the fires of the 2nd and the 3rd were missed.
    const second = await start(dir, createFakeClock(berlin('2026-02-04T10:00:00')));
    try {
      const exported = await until('the catch-up', () => job(second, 'export')?.lastRun);
      expect(exported).toMatchObject({ days: ['2026-02-01', '2026-02-02', '2026-02-03'], outcome: 'ok' });
      expect(job(second, 'report')?.lastRun?.days).toEqual(['2026-02-01', '2026-02-02', '2026-02-03']);
      expect(await readFile(csvPath(dir, '2026-02-03'), 'utf8')).toBe(await byHand('2026-02-03'));
    } finally {
      await second.stop();
    }
    const saved = JSON.parse(await readFile(join(dir, 'schedule.json'), 'utf8')) as {
      jobs: Record<string, { doneUntil: string; lastRun: { finishedAt: string } }>;
    };
    expect(saved.jobs.export?.doneUntil).toBe(new Date(berlin('2026-02-04T10:00:00')).toISOString());

    // A third start a minute later has nothing to catch up: the last runs stay as they were.
    const third = await start(dir, createFakeClock(berlin('2026-02-04T10:01:00')));
    try {
      await until('the scheduler to start', () => job(third, 'export')?.doneUntil);
      await new Promise((r) => setTimeout(r, 500));
      expect(job(third, 'export')?.lastRun?.finishedAt).toBe(saved.jobs.export?.lastRun.finishedAt);
    } finally {
      await third.stop();
    }
  }, 90_000);
});
