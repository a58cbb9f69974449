// Test support: one row of any warehouse table with every column filled by its type and the given
// date in its DATE columns, so a test does not break when a table gains a column.
import type { DuckDBConnection } from '@duckdb/node-api';

export async function insertFilledRow(
  connection: DuckDBConnection,
  table: string,
  date: string,
  i: number,
): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position`,
    { t: table },
  );
  const values = reader.getRowObjects().map((c) => {
    const type = String(c['data_type']);
    if (type === 'DATE') return `DATE '${date}'`;
    if (type.startsWith('TIMESTAMP')) return `TIMESTAMP '${date} 10:00:00'`;
    if (type === 'BOOLEAN') return 'true';
    if (type === 'JSON') return `'{}'::JSON`;
    if (/INT|DOUBLE|FLOAT|DECIMAL/.test(type)) return String(i);
    return `'${table}-${date}-${i}'`;
  });
  await connection.run(`INSERT INTO ${table} VALUES (${values.join(', ')})`);
}
