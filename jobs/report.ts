// `report` and `export`: write one day of daily_reports (delete + insert in one transaction, so a
// rerun replaces the day) and export it to reports/DAILY_REPORT_YYYY-MM-DD_000000000000.csv. The
// report first reconciles the warehouse with the archive for every day it reads.
import type { Logger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { dayWindow, inProgress, reportParams, windowDates } from '../core/warehouse/day-window.ts';
import { reconcileDays } from './reconcile.ts';
import { exportKey, REPORT_COLUMNS } from '../core/warehouse/report-contract.ts';
import { readSql } from '../core/warehouse/sql-files.ts';

export interface ReportDeps {
  engine: SqlEngine;
  /** The raw archive: the report restores from it what the warehouse misses. */
  archive: Archive;
  log: Logger;
  timeZone: string;
  dataset?: string;
  now?: () => number;
}

/** `export` reads only daily_reports: no archive needed. */
export type ExportDeps = Omit<ReportDeps, 'archive'>;

export interface ReportSummary {
  date: string;
  rows: number;
  /** The day was not over when the report ran: open intervals end at the run time. */
  inProgress?: boolean;
  /** Events restored from the archive into the warehouse before computing. */
  restored?: number;
  bytesProcessed?: number;
  durationMs: number;
}

export async function runReport(deps: ReportDeps, opts: { date: string }): Promise<ReportSummary> {
  const started = (deps.now ?? Date.now)();
  const window = dayWindow(opts.date, deps.timeZone);
  // Complete before computed: every event_date partition the report reads holds what the archive does.
  const reconciled = await reconcileDays(deps, windowDates(window));
  const restored = reconciled.reduce((n, r) => n + r.restored, 0);
  const params = reportParams(window, started);
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
    ...(inProgress(window, started) && { inProgress: true }),
    ...(restored > 0 && { restored }),
    ...(bytesProcessed !== undefined && { bytesProcessed }),
    durationMs: (deps.now ?? Date.now)() - started,
  };
  deps.log.info(
    summary,
    rows === 0
      ? 'daily report written: no events that day'
      : summary.inProgress
        ? `daily report written: day in progress, open intervals end at ${new Date(started).toISOString()}`
        : 'daily report written',
  );
  return summary;
}

export async function runExport(
  deps: ExportDeps,
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

async function countRows(deps: ExportDeps, date: string): Promise<number> {
  const { rows } = await deps.engine.query<{ row_count: number }>(
    readSql('queries/count_daily_report.sql', deps.dataset),
    { report_date: date },
  );
  return Number(rows[0]?.row_count ?? 0);
}
