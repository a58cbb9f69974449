// `attendance --date D --roster FILE`: the day's presence (the daily report query, after the same
// reconciliation with the archive) matched to the roster by email, else by display name, with each
// meeting's start and end from its events; written to reports/ATTENDANCE_YYYY-MM-DD.csv (and --out FILE).
import type { Logger } from '../../core/log.ts';
import type { Archive } from '../../core/ports.ts';
import { dayWindow, reportParams, windowDates } from '../../core/warehouse/day-window.ts';
import { reconcileDays } from '../reconcile.ts';
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import { attendanceKey } from '../../core/warehouse/report-contract.ts';
import { readSql } from '../../core/warehouse/sql-files.ts';
import type { AttendanceTableRow } from '../../core/warehouse/sql-engine.ts';
import {
  computeAttendance,
  toCsv,
  type AttendanceRow,
  type MeetingSpan,
  type PresenceRow,
  type Thresholds,
} from './attendance.ts';
import { parseRoster } from '../../core/roster.ts';

export interface AttendanceDeps {
  engine: SqlEngine;
  archive: Archive;
  log: Logger;
  timeZone: string;
  thresholds: Thresholds;
  dataset?: string;
  now?: () => number;
}

export async function runAttendance(deps: AttendanceDeps, opts: { date: string; rosterCsv: string }) {
  const now = deps.now ?? Date.now;
  const started = now();
  const roster = parseRoster(opts.rosterCsv);
  const window = dayWindow(opts.date, deps.timeZone);
  await reconcileDays(deps, windowDates(window));
  const params = reportParams(window, started);
  const { rows, bytesProcessed } = await deps.engine.query<PresenceRow & Record<string, unknown>>(
    readSql('queries/daily_report.sql', deps.dataset),
    params,
  );
  const bounds = await deps.engine.query<{
    meeting_uuid: string;
    start_ms: number | null;
    end_ms: number | null;
  }>(readSql('queries/meeting_bounds.sql', deps.dataset), params);
  // Clipped to the day as the presence is: a meeting that began the day before starts at 00:00.
  const cut = Math.min(window.endMs, Math.max(started, window.startMs));
  const spans = new Map<string, MeetingSpan>(
    bounds.rows.map((b) => [
      b.meeting_uuid,
      {
        ...(b.start_ms !== null && { startMs: Math.max(Number(b.start_ms), window.startMs) }),
        ...(b.end_ms !== null && { endMs: Math.min(Number(b.end_ms), cut) }),
      },
    ]),
  );
  const result = computeAttendance(opts.date, rows, roster, deps.thresholds, spans);
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
