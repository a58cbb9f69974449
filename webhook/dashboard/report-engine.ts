// The engine the report view reads with: BigQuery in production (the jobs' engine), and on the
// embedded default a read-only view of the DuckDB connection the webhook service already holds
// (a second DuckDB instance on the same file in one process would corrupt it).
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive, Warehouse } from '../../core/ports.ts';
import type { SqlEngine } from '../../jobs/engine/sql-engine.ts';
import { toDuckDb } from '../../jobs/sql/to-duckdb.ts';

export type ReadEngine = Pick<SqlEngine, 'query'>;

/** Thrown when the warehouse has no table a query needs yet (no job has run). */
export class NoReportTablesError extends Error {
  override name = 'NoReportTablesError';
}

export async function createReportEngine(
  config: Config,
  warehouse: Warehouse,
  archive: Archive,
  log: Logger,
): Promise<ReadEngine> {
  if (config.BACKEND === 'gcp') {
    const { createBigQueryEngine } = await import('../../jobs/engine/bigquery-engine.ts');
    return createBigQueryEngine({
      projectId: config.GCP_PROJECT_ID ?? '',
      dataset: config.BQ_DATASET,
      bucket: config.GCS_BUCKET ?? '',
      archive,
      log,
      ...(config.BQ_LOCATION && { location: config.BQ_LOCATION }),
      ...(config.BIGQUERY_API_ENDPOINT && { apiEndpoint: config.BIGQUERY_API_ENDPOINT }),
    });
  }
  const connection = (warehouse as Warehouse & { connection?: DuckDBConnection }).connection;
  if (!connection) throw new Error('the embedded warehouse exposes no DuckDB connection');
  return readOnlyDuckDb(connection);
}

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
