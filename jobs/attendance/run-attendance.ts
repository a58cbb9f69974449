// `attendance --date D --roster FILE`: the day's presence (the daily report query) matched to the
// roster by email, written to reports/ATTENDANCE_YYYY-MM-DD.csv in the archive (and --out FILE).
import type { Logger } from '../../core/log.ts';
import type { Archive } from '../../core/ports.ts';
import { dayWindow, reportParams } from '../day-window.ts';
import type { SqlEngine } from '../engine/sql-engine.ts';
import { readSql } from '../sql/sql-files.ts';
import type { AttendanceTableRow } from '../engine/sql-engine.ts';
import {
  computeAttendance,
  toCsv,
  type AttendanceRow,
  type PresenceRow,
  type Thresholds,
} from './attendance.ts';
import { parseRoster } from './roster.ts';

export interface AttendanceDeps {
  engine: SqlEngine;
  archive: Archive;
  log: Logger;
  timeZone: string;
  thresholds: Thresholds;
  dataset?: string;
  now?: () => number;
}

export function attendanceKey(date: string): string {
  return `reports/ATTENDANCE_${date}.csv`;
}

export async function runAttendance(deps: AttendanceDeps, opts: { date: string; rosterCsv: string }) {
  const now = deps.now ?? Date.now;
  const started = now();
  const roster = parseRoster(opts.rosterCsv);
  const { rows, bytesProcessed } = await deps.engine.query<PresenceRow & Record<string, unknown>>(
    readSql('queries/daily_report.sql', deps.dataset),
    reportParams(dayWindow(opts.date, deps.timeZone)),
  );
  const result = computeAttendance(opts.date, rows, roster, deps.thresholds);
  const csv = toCsv(result);
  const key = attendanceKey(opts.date);
  await deps.archive.put(key, Buffer.from(csv), 'text/csv');
  await deps.engine.replaceAttendance(opts.date, toTableRows(result, new Date(started).toISOString()));
  const count = (s: string): number => result.filter((r) => r.status === s).length;
  const summary = {
    date: opts.date,
    key,
    roster: roster.length,
    meetings: new Set(result.map((r) => r.meeting_uuid)).size,
    present: count('Present'),
    late: count('Late'),
    leftEarly: count('Left Early'),
    absent: count('Absent'),
    guests: count('Guest'),
    ...(bytesProcessed !== undefined && { bytesProcessed }),
    durationMs: now() - started,
  };
  deps.log.info(summary, summary.meetings === 0 ? 'attendance: no meetings that day' : 'attendance written');
  return { ...summary, csv };
}

/** The CSV rows as attendance table rows (empty text → NULL). */
export function toTableRows(rows: readonly AttendanceRow[], insertedAt: string): AttendanceTableRow[] {
  const orNull = (v: string): string | null => (v === '' ? null : v);
  return rows.map((r) => ({
    attendance_date: r.attendance_date,
    meeting_id: orNull(r.meeting_id),
    meeting_uuid: r.meeting_uuid,
    roster_id: orNull(r.roster_id),
    email: orNull(r.email),
    first_name: orNull(r.first_name),
    last_name: orNull(r.last_name),
    department: orNull(r.department),
    participant_name: orNull(r.participant_name),
    status: r.status,
    is_guest: r.attendee_type === 'guest',
    first_join_time: orNull(r.first_join_time),
    last_leave_time: orNull(r.last_leave_time),
    present_mins: Number(r.present_mins),
    inserted_at: insertedAt,
  }));
}
