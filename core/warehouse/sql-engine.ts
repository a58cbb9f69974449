// The SQL engine port: the warehouse as the jobs and the report view use it, BigQuery SQL in, rows
// out, on BigQuery or on DuckDB (translated). Implementations: core/adapters/gcp/bigquery-engine.ts
// (production), core/adapters/local/duckdb-engine.ts and duckdb-read-engine.ts (embedded).
import type { RawEventRow } from './raw-events.ts';

export type SqlParams = Readonly<Record<string, string | number>>;
export type Row = Record<string, unknown>;

export interface Statement {
  sql: string;
  params: SqlParams;
}

export interface QueryResult<T> {
  rows: T[];
  /** Bytes the engine billed/scanned, where it reports it (BigQuery). */
  bytesProcessed?: number;
}

/** One QoS minute of a participant (a camera_minutes row). Timestamps are ISO 8601 UTC. */
export interface CameraMinuteRow {
  minute_date: string;
  meeting_uuid: string;
  meeting_id: string | null;
  participant_key: string;
  participant_uuid: string | null;
  participant_id: string | null;
  participant_name: string | null;
  participant_email: string | null;
  source: 'qos';
  interval_start: string;
  interval_end: string;
  camera_on: boolean;
  video_bitrate_kbps: number | null;
  video_resolution: string | null;
  video_frame_rate: number | null;
  inserted_at: string;
}

/** One attendance row (roster member or guest per meeting). Timestamps ISO 8601 UTC or null. */
export interface AttendanceTableRow {
  attendance_date: string;
  meeting_id: string | null;
  meeting_uuid: string;
  roster_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  department: string | null;
  participant_name: string | null;
  status: string;
  is_guest: boolean;
  first_join_time: string | null;
  last_leave_time: string | null;
  present_mins: number;
  inserted_at: string;
}

/**
 * The warehouse tables (sql/ddl/*.sql): the only names selectRows and replaceRows take, checked at
 * run time against the DDL too, so no other text reaches the SQL as a table name.
 */
export const WAREHOUSE_TABLES = [
  'raw_events',
  'camera_minutes',
  'daily_reports',
  'attendance',
  'recordings',
  'roster',
] as const;
export type WarehouseTable = (typeof WAREHOUSE_TABLES)[number];

/** Rows at once, or in batches. */
export type RowSource<T> = readonly T[] | AsyncIterable<readonly T[]>;

export async function* batchesOf<T>(source: RowSource<T>): AsyncGenerator<readonly T[]> {
  if (Symbol.asyncIterator in source) yield* source;
  else yield source;
}

export interface SqlEngine {
  readonly kind: 'bigquery' | 'duckdb';
  /** Runs one BigQuery-dialect statement with named parameters (`@name`). */
  query<T extends Row = Row>(sql: string, params: SqlParams): Promise<QueryResult<T>>;
  /** Runs statements atomically (a BigQuery multi-statement transaction, a DuckDB transaction). */
  transaction(statements: readonly Statement[]): Promise<{ bytesProcessed?: number }>;
  /** Writes a SELECT's rows as CSV with a header to an archive key (EXPORT DATA / COPY). */
  exportCsv(statement: Statement, key: string): Promise<{ bytes: number; bytesProcessed?: number }>;
  /** Replaces one meeting's QoS minutes of the given dates. */
  replaceCameraMinutes(
    meetingUuid: string,
    dates: readonly string[],
    rows: readonly CameraMinuteRow[],
  ): Promise<void>;
  /**
   * Replaces the webhook rows of one event_date with the given rows (a rebuild from the archive),
   * atomically; rows may come in batches so a large day never sits in memory at once.
   */
  replaceWebhookEvents(eventDate: string, rows: RowSource<RawEventRow>): Promise<{ bytesProcessed?: number }>;
  /**
   * Adds webhook rows (events restored from the archive) without touching the others; an event_id
   * already there is not duplicated on DuckDB, and the dedupe views read it once on BigQuery.
   */
  insertWebhookEvents(rows: RowSource<RawEventRow>): Promise<{ bytesProcessed?: number }>;
  /** Replaces one day of the attendance table. */
  replaceAttendance(date: string, rows: readonly AttendanceTableRow[]): Promise<void>;
  /**
   * Every column of the rows of `table` matching `where` (a BigQuery-dialect boolean expression with
   * @named parameters, e.g. `meeting_uuid IN UNNEST(SPLIT(@m, '\n'))`), in the form replaceRows
   * takes back unchanged: STRING and JSON as text (JSON exactly as stored), TIMESTAMP as ISO 8601 UTC
   * (`...T10:00:00.123Z`, six fraction digits only when there are microseconds), DATE as YYYY-MM-DD,
   * INT64 and FLOAT64 as numbers, BOOL as booleans, NULL as null; every column present.
   */
  selectRows(table: WarehouseTable, where: Statement): Promise<Row[]>;
  /**
   * Deletes the rows of `table` matching `where` and inserts `rows` (values in selectRows' form, no
   * column outside the table), atomically: a reader sees the old rows or the new ones, never neither.
   * `replaceRows(t, w, await selectRows(t, w))` leaves the table as it was, byte for byte.
   */
  replaceRows(
    table: WarehouseTable,
    where: Statement,
    rows: RowSource<Row>,
  ): Promise<{ bytesProcessed?: number }>;
  /**
   * Makes rows replaced or deleted unrecoverable from the warehouse's own storage (the erasure job):
   * DuckDB keeps deleted rows in its blocks until they are rewritten, so the tables are rebuilt and
   * the file's free blocks overwritten; BigQuery does nothing here (its time travel and fail-safe
   * windows expire the old versions, 7 + 7 days, README "Personal data").
   */
  compact(tables: readonly WarehouseTable[]): Promise<void>;
  close(): Promise<void>;
}

/** What the report view needs of an engine: it reads, it never writes. */
export type ReadEngine = Pick<SqlEngine, 'query'>;

/** Thrown when the warehouse has no table a query needs yet (no job has run). */
export class NoReportTablesError extends Error {
  override name = 'NoReportTablesError';
}
