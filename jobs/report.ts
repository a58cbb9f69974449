// `report` and `export`: write one day of daily_reports (delete + insert in one transaction, so a
// rerun replaces the day) and export it to reports/DAILY_REPORT_YYYY-MM-DD_000000000000.csv.
import type { Logger } from '../core/log.ts';
import type { SqlEngine } from './engine/sql-engine.ts';
import { dayWindow, reportParams } from './day-window.ts';
import { readSql } from './sql/sql-files.ts';

export interface ReportDeps {
  engine: SqlEngine;
  log: Logger;
  timeZone: string;
  dataset?: string;
  now?: () => number;
}

export interface ReportSummary {
  date: string;
  rows: number;
  bytesProcessed?: number;
  durationMs: number;
}

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
] as const;

export function exportKey(date: string): string {
  return `reports/DAILY_REPORT_${date}_000000000000.csv`;
}

export async function runReport(deps: ReportDeps, opts: { date: string }): Promise<ReportSummary> {
  const started = (deps.now ?? Date.now)();
  const params = reportParams(dayWindow(opts.date, deps.timeZone));
  const select = readSql('queries/daily_report.sql', deps.dataset);
  const insert = `INSERT INTO ${deps.dataset ?? 'zoom_tracker'}.daily_reports (${REPORT_COLUMNS.join(', ')})\n${select}`;
  const { bytesProcessed } = await deps.engine.transaction([
    { sql: readSql('queries/delete_daily_report.sql', deps.dataset), params },
    { sql: insert, params },
  ]);
  const rows = await countRows(deps, opts.date);
  const summary: ReportSummary = {
    date: opts.date,
    rows,
    ...(bytesProcessed !== undefined && { bytesProcessed }),
    durationMs: (deps.now ?? Date.now)() - started,
  };
  deps.log.info(summary, rows === 0 ? 'daily report written: no events that day' : 'daily report written');
  return summary;
}

export async function runExport(
  deps: ReportDeps,
  opts: { date: string },
): Promise<ReportSummary & { key: string; bytes: number }> {
  const started = (deps.now ?? Date.now)();
  const key = exportKey(opts.date);
  const rows = await countRows(deps, opts.date);
  const { bytes, bytesProcessed } = await deps.engine.exportCsv(
    { sql: readSql('queries/export_daily_report.sql', deps.dataset), params: { report_date: opts.date } },
    key,
  );
  const summary = {
    date: opts.date,
    key,
    rows,
    bytes,
    ...(bytesProcessed !== undefined && { bytesProcessed }),
    durationMs: (deps.now ?? Date.now)() - started,
  };
  deps.log.info(
    summary,
    rows === 0
      ? 'export written: header only (no report rows that day; run `report` first?)'
      : 'export written',
  );
  return summary;
}

async function countRows(deps: ReportDeps, date: string): Promise<number> {
  const { rows } = await deps.engine.query<{ row_count: number }>(
    readSql('queries/count_daily_report.sql', deps.dataset),
    { report_date: date },
  );
  return Number(rows[0]?.row_count ?? 0);
}
