// Attendance as real Zoom behaves: members matched by email, else by normalised display name (Zoom
// often sends no email); every person of a member counts together; Late measured from the meeting's
// start, not from the first join; guests listed. Pure rules, then the job on DuckDB.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { silentLogger } from '../../core/log.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import { DAY, row } from '../../test/jobs/event-rows.ts';
import { computeAttendance, type PresenceRow } from './attendance.ts';
import { parseRoster, RosterError } from '../../core/roster.ts';
import { runAttendance } from './run-attendance.ts';

const thresholds = { lateAfterMins: 5, leftEarlyBeforeMins: 5, minPresencePercent: 50 };
const at = (hm: string): string => `${DAY}T${hm}:00.000Z`;

function person(
  key: string,
  join: string,
  leave: string,
  mins: number,
  email: string | null = null,
): PresenceRow {
  return {
    meeting_id: '1',
    meeting_uuid: 'm1',
    participant_key: key,
    participant_name: key,
    participant_email: email,
    meeting_join_time: at(join),
    meeting_leave_time: at(leave),
    meeting_duration_mins: mins,
  };
}

describe('roster without emails', () => {
  it('takes members by display name (a `name` column, else first + last), with or without an email', () => {
    const members = parseRoster('name,email,department\n참가자03,,Ops\nＺoe  Park,zoe@x.org,Ops\n');
    expect(members.map((m) => [m.name, m.email, m.line])).toEqual([
      ['참가자03', '', 2],
      ['Ｚoe  Park', 'zoe@x.org', 3],
    ]);
    expect(parseRoster('first name,last name,email\nAnn,Lee,\n')[0]).toMatchObject({
      name: 'Ann Lee',
      email: '',
    });
  });

  it('refuses a row with neither an email nor a name', () => {
    expect(() => parseRoster('email,first name,last name\n,,\n')).toThrow(RosterError);
    expect(() => parseRoster('email,first name,last name\n,,\n')).toThrow(
      /line 2: neither an email nor a name/,
    );
  });
});

describe('attendance of persons', () => {
  it('matches by email, else by normalised name (not across two different emails); merges persons; lists guests', () => {
    const roster = parseRoster('name,email\nZoe Park,zoe@x.org\n참가자03,\nAnn Lee,ann@x.org\n');
    const rows = [
      person('zoe@x.org', '09:00', '09:30', 30, 'zoe@x.org'),
      // The same member on a phone: no email, the name normalises to the roster's.
      person('  ZOE   park ', '09:30', '10:00', 30),
      person('참가자03', '09:00', '10:00', 60),
      // "Ann Lee" by name, but with another email than the roster's: a guest.
      person('ann@elsewhere.org', '09:00', '10:00', 60, 'ann@elsewhere.org'),
    ];
    rows[3] = { ...rows[3]!, participant_name: 'Ann Lee' };
    const result = computeAttendance(
      DAY,
      rows,
      roster,
      thresholds,
      new Map([['m1', { startMs: Date.parse(at('09:00')), endMs: Date.parse(at('10:00')) }]]),
    );
    expect(
      result.map((r) => [
        r.attendee_type,
        r.email || r.participant_name,
        r.status,
        r.participant_name,
        r.present_mins,
      ]),
    ).toEqual([
      ['member', 'zoe@x.org', 'Present', 'zoe@x.org /   ZOE   park ', '60.00'],
      ['member', '참가자03', 'Present', '참가자03', '60.00'],
      ['member', 'ann@x.org', 'Absent', '', '0.00'],
      ['guest', 'ann@elsewhere.org', 'Guest', 'Ann Lee', '60.00'],
    ]);
  });

  it("Late is measured from the meeting's start, not from the first join", () => {
    const roster = parseRoster('name\nEarly\nLater\n');
    const rows = [person('Early', '09:10', '10:00', 50), person('Later', '09:20', '10:00', 40)];
    const start = Date.parse(at('09:00'));
    const withStart = computeAttendance(DAY, rows, roster, thresholds, new Map([['m1', { startMs: start }]]));
    expect(withStart.map((r) => [r.participant_name, r.status, r.meeting_start_time])).toEqual([
      ['Early', 'Late', '2026-02-03T09:00:00Z'],
      ['Later', 'Late', '2026-02-03T09:00:00Z'],
    ]);
    // Without a known start, the first join stands in (the meeting's events said nothing).
    expect(computeAttendance(DAY, rows, roster, thresholds).map((r) => r.status)).toEqual([
      'Present',
      'Late',
    ]);
  });
});

describe('attendance job of persons', () => {
  it('name-only people with a name roster, reconnects merged, Late from the start_time the events carry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attendance-persons-'));
    const archive = createFileArchive(dir);
    const engine = await createDuckDbEngine({ path: ':memory:', archive });
    try {
      const start = '09:00';
      await engine.replaceWebhookEvents(DAY, [
        // Joins lost: a move, then a leave; present from the meeting's start (09:00).
        row({ at: '09:30', action: 'LEAVE', who: 'c1', name: 'Mina', start }),
        row({ at: '09:30', action: 'JOIN', who: 'c1', name: 'Mina', start }),
        row({ at: '09:40', action: 'LEAVE', who: 'c1', name: 'Mina', start }),
        // Reconnects with a new uuid.
        row({ at: '09:41', action: 'JOIN', who: 'c2', name: 'Mina', start }),
        row({ at: '10:00', action: 'LEAVE', who: 'c2', name: 'Mina', start }),
        row({ at: '09:20', action: 'JOIN', who: 'c3', name: 'Noor', start }),
        row({ at: '10:00', action: 'LEAVE', who: 'c3', name: 'Noor', start }),
        row({ at: '09:05', action: 'JOIN', who: 'c4', name: 'Visitor', start }),
        row({ at: '09:15', action: 'LEAVE', who: 'c4', name: 'Visitor', start }),
        row({ at: '10:00', action: 'MEETING_END', start }),
      ]);
      const { csv } = await runAttendance(
        { engine, archive, log: silentLogger(), timeZone: 'UTC', thresholds },
        { date: DAY, rosterCsv: 'name,department\nmina,Ops\nNoor,Ops\n' },
      );
      expect(csv.split('\n').slice(1)).toEqual([
        '2026-02-03,86431910364,mtg-uuid-1==,member,Present,,,,,Ops,Mina,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z,59.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
        '2026-02-03,86431910364,mtg-uuid-1==,member,Late,,,,,Ops,Noor,2026-02-03T09:20:00Z,2026-02-03T10:00:00Z,40.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
        '2026-02-03,86431910364,mtg-uuid-1==,guest,Guest,,,,,,Visitor,2026-02-03T09:05:00Z,2026-02-03T09:15:00Z,10.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
        '',
      ]);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
