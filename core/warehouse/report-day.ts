// One day of daily_reports as the CSV export renders it (the export query, on any SqlEngine), the
// export's CSV bytes, and the day's attendance CSV when one was made: what the report view shows.
import { parseCsv, toCsv } from '../csv.ts';
import type { Archive } from '../ports.ts';
import type { SqlEngine } from './sql-engine.ts';
import { attendanceKey, REPORT_COLUMNS, type ReportColumn } from './report-contract.ts';
import { parseCreateTable } from './bigquery-schema.ts';
import { readSql, tableDdls } from './sql-files.ts';

/** One daily_reports row with every value as the export writes it (null = empty field). */
export type ReportRow = Record<ReportColumn, string | null>;

export interface AttendanceTable {
  columns: string[];
  rows: Record<string, string>[];
}

export interface ReportDay {
  date: string;
  rows: ReportRow[];
  attendance?: AttendanceTable;
}

export interface ReportSourceDeps {
  /** Only `query` is used: the report view reads, it never writes. */
  engine: Pick<SqlEngine, 'query'>;
  archive: Archive;
  dataset?: string;
}

export async function loadReportDay(deps: ReportSourceDeps, date: string): Promise<ReportDay> {
  const { rows } = await deps.engine.query(readSql('queries/export_daily_report.sql', deps.dataset), {
    report_date: date,
  });
  const out: ReportDay = { date, rows: rows.map(toReportRow) };
  const attendance = await deps.archive.get(attendanceKey(date));
  if (attendance) out.attendance = parseAttendance(attendance.toString('utf8'));
  return out;
}

function toReportRow(row: Record<string, unknown>): ReportRow {
  const out = {} as ReportRow;
  for (const c of REPORT_COLUMNS) {
    const v = row[c];
    out[c] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

function parseAttendance(text: string): AttendanceTable {
  const [head, ...body] = parseCsv(text).map(([, fields]) => fields);
  const columns = head ?? [];
  return { columns, rows: body.map((f) => Object.fromEntries(columns.map((c, i) => [c, f[i] ?? '']))) };
}

/** daily_reports' STRING columns: free text, neutralised in the export (the others are numbers, dates, times). */
const TEXT_COLUMNS: ReadonlySet<ReportColumn> = new Set(
  parseCreateTable(tableDdls().get('daily_reports') ?? '')
    .columns.filter((c) => c.type === 'STRING')
    .map((c) => c.name as ReportColumn),
);

/**
 * The rows as the export CSV, byte for byte (core/csv.ts): BOM, header, RFC 4180 quoting only where
 * needed, NULL as an empty field. The export query has neutralised formula-like text already; the
 * writer's own pass changes nothing then (it is idempotent) and guards rows from anywhere else.
 */
export function toReportCsv(rows: readonly ReportRow[]): string {
  return toCsv(REPORT_COLUMNS, rows, TEXT_COLUMNS);
}
