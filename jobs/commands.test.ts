// The job subcommands as the CLI runs them: option parsing, date validation and defaults, and a
// local replay → report → export → attendance run on a temp DATA_DIR.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { eventIdOf, rawArchiveKey } from '../core/zoom/event-id.ts';
import { jobCommands, parseJobArgs } from './commands.ts';
import { addDays, dayWindow, defaultReportDate, parseDate } from '../core/warehouse/day-window.ts';

describe('options and dates', () => {
  it('parses --date D, --date=D, --roster FILE, --force and rejects the rest', () => {
    expect(parseJobArgs(['--date', '2026-02-03'], ['date'])).toEqual({ date: '2026-02-03' });
    expect(parseJobArgs(['--date=2026-02-03', '--force'], ['date', 'force'])).toEqual({
      date: '2026-02-03',
      force: true,
    });
    expect(() => parseJobArgs(['--roster'], ['roster'])).toThrow(/--roster needs a value/);
    expect(() => parseJobArgs(['--dat', 'x'], ['date'])).toThrow(/unknown option "--dat"/);
    expect(() => parseJobArgs(['2026-02-03'], ['date'])).toThrow(/unknown option/);
  });

  it.each(['2026-02-30', '2026-2-3', 'yesterday', '', '2026-13-01'])('rejects the date %j', (d) => {
    expect(() => parseDate(d)).toThrow(/calendar date YYYY-MM-DD/);
  });

  it('defaults to yesterday in the report time zone', () => {
    const now = Date.parse('2026-02-03T23:30:00Z');
    expect(defaultReportDate(now, 'UTC')).toBe('2026-02-02');
    expect(defaultReportDate(now, 'Europe/Berlin')).toBe('2026-02-03');
    expect(defaultReportDate(now, 'America/Los_Angeles')).toBe('2026-02-02');
  });

  it('days are 23 or 25 hours on DST changes and name the UTC partitions they overlap', () => {
    const spring = dayWindow('2026-03-29', 'Europe/Berlin');
    expect([new Date(spring.startMs).toISOString(), (spring.endMs - spring.startMs) / 3_600_000]).toEqual([
      '2026-03-28T23:00:00.000Z',
      23,
    ]);
    expect([spring.scanFrom, spring.scanTo]).toEqual(['2026-03-28', '2026-03-29']);
    const autumn = dayWindow('2026-11-01', 'America/New_York');
    expect([new Date(autumn.startMs).toISOString(), (autumn.endMs - autumn.startMs) / 3_600_000]).toEqual([
      '2026-11-01T04:00:00.000Z',
      25,
    ]);
    expect(dayWindow('2026-02-03', 'UTC')).toMatchObject({ scanFrom: '2026-02-03', scanTo: '2026-02-03' });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('commands on the embedded backend', () => {
  it('replay, report, export and attendance run from a DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobs-cli-'));
    try {
      const ctx = { config: parseConfig({ DATA_DIR: dir }), log: silentLogger(), env: {} };
      const body = {
        event: 'meeting.participant_joined',
        event_ts: Date.parse('2026-02-03T09:00:01Z'),
        payload: {
          account_id: 'a',
          object: {
            id: '1',
            uuid: 'm==',
            participant: {
              user_id: '1',
              user_name: 'Ann',
              email: 'ann@x.org',
              participant_uuid: 'P1',
              join_time: '2026-02-03T09:00:00Z',
            },
          },
        },
      };
      await createFileArchive(join(dir, 'gcs')).putIfAbsent(
        rawArchiveKey('2026-02-03', eventIdOf(body)),
        Buffer.from(JSON.stringify(body)),
        'application/json',
      );
      const run = (name: string, argv: string[]): Promise<void> =>
        (jobCommands.find((c) => c.name === name) as (typeof jobCommands)[number]).run(argv, ctx);
      await run('replay', ['--date', '2026-02-03']);
      await run('report', ['--date', '2026-02-03']);
      await run('export', ['--date=2026-02-03']);
      const csv = await readFile(
        join(dir, 'gcs', 'reports', 'DAILY_REPORT_2026-02-03_000000000000.csv'),
        'utf8',
      );
      expect(csv.split('\n')[1]).toBe(
        // An open interval ends at the end of the day; no camera data: the camera figures are empty.
        '2026-02-03,Ann,ann@x.org,2026-02-03T09:00:00Z,2026-02-04T00:00:00Z,900.00,,,,,,,,,,,1,m==,ann@x.org,none,event,',
      );
      await writeFile(join(dir, 'roster.csv'), 'ann@x.org,Ann,A,1,Ops\n');
      await run('attendance', [
        '--date',
        '2026-02-03',
        '--roster',
        join(dir, 'roster.csv'),
        '--out',
        join(dir, 'att.csv'),
      ]);
      expect(await readFile(join(dir, 'att.csv'), 'utf8')).toContain(',member,Present,ann@x.org,');
      await expect(
        run('attendance', ['--date', '2026-02-03', '--roster', join(dir, 'missing.csv')]),
      ).rejects.toThrow(/cannot read roster .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
