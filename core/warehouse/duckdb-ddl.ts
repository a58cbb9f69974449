// DuckDB DDL for raw_events derived from RAW_EVENT_COLUMNS (timestamps are UTC instants in TIMESTAMP).
// A file written by an older version gains the columns added since (ADD COLUMN IF NOT EXISTS).
import { RAW_EVENT_COLUMNS, type ColumnSpec } from './raw-events.ts';

const DUCKDB_TYPE: Record<ColumnSpec['type'], string> = {
  STRING: 'VARCHAR',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  INT64: 'BIGINT',
  JSON: 'JSON',
};

/** `CREATE TABLE IF NOT EXISTS`, then one `ADD COLUMN IF NOT EXISTS` per nullable column (one script). */
export function duckDbRawEventsDdl(table = 'raw_events'): string {
  const cols = RAW_EVENT_COLUMNS.map(
    (c) =>
      `  ${c.name} ${DUCKDB_TYPE[c.type]}${c.mode === 'REQUIRED' ? ' NOT NULL' : ''}${c.name === 'event_id' ? ' PRIMARY KEY' : ''}`,
  );
  const added = RAW_EVENT_COLUMNS.filter((c) => c.mode === 'NULLABLE').map(
    (c) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${c.name} ${DUCKDB_TYPE[c.type]}`,
  );
  return [`CREATE TABLE IF NOT EXISTS ${table} (\n${cols.join(',\n')}\n)`, ...added].join(';\n');
}
