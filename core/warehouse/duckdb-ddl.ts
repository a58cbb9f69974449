// DuckDB DDL for raw_events derived from RAW_EVENT_COLUMNS (timestamps are UTC instants in TIMESTAMP).
import { RAW_EVENT_COLUMNS, type ColumnSpec } from './raw-events.ts';

const DUCKDB_TYPE: Record<ColumnSpec['type'], string> = {
  STRING: 'VARCHAR',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  INT64: 'BIGINT',
  JSON: 'JSON',
};

export function duckDbRawEventsDdl(table = 'raw_events'): string {
  const cols = RAW_EVENT_COLUMNS.map(
    (c) =>
      `  ${c.name} ${DUCKDB_TYPE[c.type]}${c.mode === 'REQUIRED' ? ' NOT NULL' : ''}${c.name === 'event_id' ? ' PRIMARY KEY' : ''}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${cols.join(',\n')}\n)`;
}
