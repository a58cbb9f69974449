// Attendance per roster member per meeting from the daily report rows (pure): Present, Late, Left
// Early or Absent by the ATTENDANCE_* thresholds, measured against the meeting's own start and end;
// all the persons matched to a member count together; people who match no member are guests.
import { toCsv as writeCsv } from '../../core/csv.ts';
import { matchMembers } from './match-members.ts';
import type { RosterMember } from '../../core/roster.ts';

export interface PresenceRow {
  meeting_id: string | null;
  meeting_uuid: string;
  participant_key: string;
  participant_name: string | null;
  participant_email: string | null;
  meeting_join_time: string;
  meeting_leave_time: string;
  meeting_duration_mins: number;
}

/** A meeting's start and end on the day (already clipped to it), where its events tell them. */
export interface MeetingSpan {
  startMs?: number;
  endMs?: number;
}

export interface Thresholds {
  lateAfterMins: number;
  leftEarlyBeforeMins: number;
  minPresencePercent: number;
}

export type Status = 'Present' | 'Late' | 'Left Early' | 'Absent' | 'Guest';

export interface AttendanceRow {
  attendance_date: string;
  meeting_id: string;
  meeting_uuid: string;
  attendee_type: 'member' | 'guest';
  status: Status;
  email: string;
  first_name: string;
  last_name: string;
  roster_id: string;
  department: string;
  participant_name: string;
  first_join_time: string;
  last_leave_time: string;
  present_mins: string;
  meeting_start_time: string;
  meeting_end_time: string;
}

interface Person {
  key: string;
  name: string | null;
  email: string | null;
  join: number;
  leave: number;
  mins: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `spans`: each meeting's start (Late is measured from it) and end (Left Early to it); where a meeting
 * has none, its first join and last leave of anyone stand in.
 */
export function computeAttendance(
  date: string,
  rows: readonly PresenceRow[],
  roster: readonly RosterMember[],
  t: Thresholds,
  spans: ReadonlyMap<string, MeetingSpan> = new Map(),
): AttendanceRow[] {
  // The report has a row per visit; presence figures repeat on each: one person per key.
  const meetings = new Map<string, { id: string; people: Map<string, Person> }>();
  for (const r of rows) {
    const m = meetings.get(r.meeting_uuid) ?? { id: r.meeting_id ?? '', people: new Map<string, Person>() };
    meetings.set(r.meeting_uuid, m);
    m.people.set(r.participant_key, {
      key: r.participant_key,
      name: r.participant_name,
      email: r.participant_email,
      join: Date.parse(r.meeting_join_time),
      leave: Date.parse(r.meeting_leave_time),
      mins: Number(r.meeting_duration_mins),
    });
  }
  const out: AttendanceRow[] = [];
  for (const [uuid, meeting] of [...meetings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const people = [...meeting.people.values()];
    const span = spans.get(uuid) ?? {};
    const start = span.startMs ?? Math.min(...people.map((p) => p.join));
    const end = span.endMs ?? Math.max(...people.map((p) => p.leave));
    const lengthMins = Math.max(0, end - start) / 60_000;
    const base = {
      attendance_date: date,
      meeting_id: meeting.id,
      meeting_uuid: uuid,
      meeting_start_time: iso(start),
      meeting_end_time: iso(end),
    };
    const matched = matchMembers(people, roster);
    roster.forEach((member, i) => {
      const mine = people.filter((p) => matched.get(p.key)?.member === i);
      const join = Math.min(...mine.map((p) => p.join));
      const leave = Math.max(...mine.map((p) => p.leave));
      // Persons of one member (e.g. a signed-in and a phone connection) add up, at most the meeting.
      const mins = Math.min(
        lengthMins,
        mine.reduce((s, p) => s + p.mins, 0),
      );
      let status: Status = 'Present';
      if (mine.length === 0 || (lengthMins > 0 && (100 * mins) / lengthMins < t.minPresencePercent))
        status = 'Absent';
      else if (join > start + t.lateAfterMins * 60_000) status = 'Late';
      else if (leave < end - t.leftEarlyBeforeMins * 60_000) status = 'Left Early';
      out.push({
        ...base,
        attendee_type: 'member',
        status,
        email: member.email,
        first_name: member.firstName,
        last_name: member.lastName,
        roster_id: member.id,
        department: member.department,
        participant_name: mine
          .map((p) => p.name ?? '')
          .filter(Boolean)
          .join(' / '),
        first_join_time: mine.length ? iso(join) : '',
        last_leave_time: mine.length ? iso(leave) : '',
        present_mins: mins.toFixed(2),
      });
    });
    for (const p of people
      .filter((x) => !matched.has(x.key))
      .sort((a, b) => a.join - b.join || (a.key < b.key ? -1 : 1))) {
      out.push({
        ...base,
        attendee_type: 'guest',
        status: 'Guest',
        email: p.email ?? '',
        first_name: '',
        last_name: '',
        roster_id: '',
        department: '',
        participant_name: p.name ?? p.key,
        first_join_time: iso(p.join),
        last_leave_time: iso(p.leave),
        present_mins: p.mins.toFixed(2),
      });
    }
  }
  return out;
}

export const ATTENDANCE_COLUMNS: readonly (keyof AttendanceRow)[] = [
  'attendance_date',
  'meeting_id',
  'meeting_uuid',
  'attendee_type',
  'status',
  'email',
  'first_name',
  'last_name',
  'roster_id',
  'department',
  'participant_name',
  'first_join_time',
  'last_leave_time',
  'present_mins',
  'meeting_start_time',
  'meeting_end_time',
];

/** Dates, times and minutes the job formats itself; every other column is free text (names, roster fields). */
const ATTENDANCE_VALUE_COLUMNS: ReadonlySet<keyof AttendanceRow> = new Set([
  'attendance_date',
  'first_join_time',
  'last_leave_time',
  'present_mins',
  'meeting_start_time',
  'meeting_end_time',
] as const);
const ATTENDANCE_TEXT_COLUMNS = new Set(ATTENDANCE_COLUMNS.filter((c) => !ATTENDANCE_VALUE_COLUMNS.has(c)));

/** The attendance CSV (core/csv.ts: BOM, formula-like text neutralised); an empty value is an empty field. */
export function toCsv(rows: readonly AttendanceRow[]): string {
  const cells = rows.map(
    (r) =>
      Object.fromEntries(ATTENDANCE_COLUMNS.map((c) => [c, r[c] === '' ? null : r[c]])) as Record<
        keyof AttendanceRow,
        string | null
      >,
  );
  return writeCsv(ATTENDANCE_COLUMNS, cells, ATTENDANCE_TEXT_COLUMNS);
}
