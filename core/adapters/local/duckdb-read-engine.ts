// The report view's reads on the embedded default: SELECTs on the DuckDB connection the webhook
// service already writes with (a second DuckDB instance on the same file in one process would
// corrupt it), BigQuery SQL translated. Never writes; a missing table is a NoReportTablesError.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { NoReportTablesError, type ReadEngine } from '../../warehouse/sql-engine.ts';
import { toDuckDb } from '../../warehouse/to-duckdb.ts';

/**
 * SELECTs on a shared connection. The tables a query names are checked first, so a missing table is
 * a NoReportTablesError and never a failed statement on the connection the warehouse writes with.
 */
export function readOnlyDuckDb(connection: DuckDBConnection): ReadEngine {
  return {
    async query<T>(sql: string, params: Readonly<Record<string, string | number>>) {
      const translated = toDuckDb(sql);
      if (!/^\s*(WITH|SELECT)\b/i.test(translated)) throw new Error('the report view only reads');
      const names = [
        ...new Set(
          [...translated.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)\b/gi)].map((m) =>
            (m[1] ?? '').toLowerCase(),
          ),
        ),
      ];
      const present = await connection.runAndReadAll(
        `SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()`,
      );
      const known = new Set(
        present.getRowObjectsJS().map((r) => String(r['table_name'] ?? r['view_name']).toLowerCase()),
      );
      const ctes = new Set(
        [...translated.matchAll(/\b([a-z_][a-z0-9_]*)\s+AS\s*\(/gi)].map((m) => (m[1] ?? '').toLowerCase()),
      );
      const missing = names.filter((n) => !known.has(n) && !ctes.has(n));
      if (missing.length > 0)
        throw new NoReportTablesError(`no ${missing.join(', ')} table in the warehouse yet`);
      const values: Record<string, DuckDBValue> = {};
      for (const [k, v] of Object.entries(params))
        if (new RegExp(`\\$${k}\\b`).test(translated)) values[k] = v;
      const reader = await connection.runAndReadAll(translated, values);
      const rows = reader
        .getRowObjectsJS()
        .map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        );
      return { rows: rows as T[] };
    },
  };
}
