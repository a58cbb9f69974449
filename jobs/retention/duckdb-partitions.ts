// Warehouse partitions in the embedded DuckDB file: the tables sql/ddl partitions by a date column
// (PARTITION BY), listed per day with their row counts and deleted one day at a time.
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableDdls } from '../sql/sql-files.ts';
import type { PartitionInfo } from './plan-retention.ts';
import type { WarehousePartitions } from './run-retention.ts';

/** Table -> its partition date column, read from the DDL (the one definition). */
export function partitionColumns(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [table, ddl] of tableDdls()) {
    const column = /\bPARTITION\s+BY\s+(\w+)/i.exec(ddl.replace(/--.*$/gm, ''))?.[1];
    if (column) out.set(table, column);
  }
  return out;
}

/** On a connection of its own: the retention job must not share the inserting connection's transactions. */
export function duckDbPartitions(connection: DuckDBConnection): WarehousePartitions {
  const columns = partitionColumns();

  /** Partitioned tables present in this file (the jobs' tables exist only once a job has run). */
  async function present(): Promise<[string, string][]> {
    const reader = await connection.runAndReadAll(
      `SELECT table_name FROM information_schema.tables
       WHERE table_catalog = current_database() AND table_schema = current_schema() AND table_type = 'BASE TABLE'
       ORDER BY table_name`,
    );
    return reader
      .getRowObjects()
      .map((r) => String(r['table_name']))
      .flatMap((t) => (columns.has(t) ? [[t, columns.get(t) as string] as [string, string]] : []));
  }

  return {
    async list() {
      const out: PartitionInfo[] = [];
      for (const [table, column] of await present()) {
        const reader = await connection.runAndReadAll(
          `SELECT CAST(${column} AS VARCHAR) AS d, COUNT(*) AS n FROM ${table}
           WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
        );
        for (const r of reader.getRowObjects())
          out.push({ table, date: String(r['d']), rows: Number(r['n']) });
      }
      return out;
    },

    async delete(table, date) {
      const column = columns.get(table);
      if (!column) throw new Error(`${table} is not a partitioned table`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a partition date: ${date}`);
      const result = await connection.run(`DELETE FROM ${table} WHERE ${column} = CAST($d AS DATE)`, {
        d: date,
      });
      return result.rowsChanged;
    },
  };
}
