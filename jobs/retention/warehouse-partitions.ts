// Warehouse partitions through the jobs' SQL engine (the embedded DuckDB file, or inside `serve` a
// connection on its instance): the tables sql/ddl partitions by a date column, listed per day with
// their row counts and deleted one day at a time. BigQuery expires its partitions by itself.
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import { SQL_DATASET, tableDdls } from '../../core/warehouse/sql-files.ts';
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

export function enginePartitions(engine: SqlEngine, dataset = SQL_DATASET): WarehousePartitions {
  const columns = partitionColumns();
  return {
    async list() {
      const out: PartitionInfo[] = [];
      for (const [table, column] of [...columns].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const { rows } = await engine.query<{ d: string; n: number }>(
          `SELECT ${column} AS d, COUNT(*) AS n FROM ${dataset}.${table} WHERE ${column} IS NOT NULL GROUP BY d ORDER BY d`,
          {},
        );
        for (const r of rows) out.push({ table, date: String(r.d), rows: Number(r.n) });
      }
      return out;
    },

    async delete(table, date) {
      const column = columns.get(table);
      if (!column) throw new Error(`${table} is not a partitioned table`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a partition date: ${date}`);
      const { rows } = await engine.query<{ Count?: number; count?: number }>(
        `DELETE FROM ${dataset}.${table} WHERE ${column} = CAST(@d AS DATE)`,
        { d: date },
      );
      return Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
    },
  };
}
