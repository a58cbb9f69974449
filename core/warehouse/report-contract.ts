// The report contract the jobs write and the report view reads: the daily_reports columns in export
// order (sql/README.md), and the archive keys of the daily CSV and of the attendance CSV.
export const REPORT_COLUMNS = [
  'report_date',
  'participant_name',
  'participant_email',
  'meeting_join_time',
  'meeting_leave_time',
  'meeting_duration_mins',
  'room_number',
  'room_name',
  'room_uuid',
  'room_join_time',
  'room_leave_time',
  'room_duration_mins',
  'camera_on_mins',
  'camera_off_mins',
  'camera_percentage',
  'next_room',
  'meeting_id',
  'meeting_uuid',
  'participant_key',
  'camera_source',
  'join_time_source',
  'meeting_topic',
] as const;

export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** The daily export of a day (BigQuery numbers the one shard of `EXPORT DATA` 000000000000). */
export function exportKey(date: string): string {
  return `reports/DAILY_REPORT_${date}_000000000000.csv`;
}

/** The attendance CSV of a day. */
export function attendanceKey(date: string): string {
  return `reports/ATTENDANCE_${date}.csv`;
}
