// The embedded engine: the same BigQuery SQL, translated, on the DuckDB file the webhook writes
// ($DATA_DIR/warehouse.duckdb). Exports are COPY to a temp file, then stored in the archive.
// selectRows/replaceRows read and rewrite any warehouse table's rows exactly (microseconds, doubles,
// JSON text as stored), for the erasure job.
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import { CSV_BOM } from '../../csv.ts';
import type { Archive } from '../../ports.ts';
import { duckDbRawEventsDdl } from '../../warehouse/duckdb-ddl.ts';
import { RAW_EVENT_COLUMNS, type ColumnSpec } from '../../warehouse/raw-events.ts';
import { parseCreateTable } from '../../warehouse/bigquery-schema.ts';
import { tableDdls, viewDdls } from '../../warehouse/sql-files.ts';
import { toDuckDb, tokenize } from '../../warehouse/to-duckdb.ts';
import {
  batchesOf,
  WAREHOUSE_TABLES,
  type CameraMinuteRow,
  type Row,
  type SqlEngine,
  type SqlParams,
  type Statement,
  type WarehouseTable,
} from '../../warehouse/sql-engine.ts';

type ColumnType = ColumnSpec['type'] | 'BOOL' | 'FLOAT64';
interface Column {
  name: string;
  type: ColumnType;
}

/** Column names and types of a table, read from its DDL in sql/ddl (the one definition). */
function columnsOf(table: string): readonly Column[] {
  const ddl = tableDdls().get(table);
  if (!ddl) throw new Error(`no DDL for table ${table}`);
  return parseCreateTable(ddl).columns.map((c) => ({ name: c.name, type: c.type as ColumnType }));
}

/** The columns of a warehouse table; anything not named in WAREHOUSE_TABLES and sql/ddl is refused. */
function warehouseColumns(table: WarehouseTable): readonly Column[] {
  if (!(WAREHOUSE_TABLES as readonly string[]).includes(table))
    throw new Error(`not a warehouse table: ${table}`);
  return columnsOf(table);
}

/** A WHERE condition is one expression: no statement separator outside string literals. */
export function assertCondition(where: string): void {
  if (tokenize(where).some((t) => t.kind === 'punct' && t.text === ';'))
    throw new Error('a row condition is one expression, without `;`');
}

/** Rows in selectRows' form, checked against the table's columns before they are staged. */
function checkedRows(table: string, columns: readonly Column[], rows: readonly Row[]): readonly Row[] {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) {
      const type = types.get(name);
      if (!type) throw new Error(`${table} has no column ${name}`);
      if (v === null || v === undefined) continue;
      const ok =
        type === 'BOOL'
          ? typeof v === 'boolean'
          : type === 'INT64' || type === 'FLOAT64'
            ? typeof v === 'number' || typeof v === 'string'
            : typeof v === 'string';
      if (!ok) throw new Error(`${table}.${name} (${type}) cannot take ${typeof v} ${JSON.stringify(v)}`);
    }
  }
  return rows;
}

const CAMERA_COLUMNS = columnsOf('camera_minutes');
const ATTENDANCE_COLUMNS = columnsOf('attendance');

export interface DuckDbEngineOptions {
  /** `$DATA_DIR/warehouse.duckdb`, or ':memory:'. */
  path: string;
  archive: Archive;
  /**
   * An instance already open on that file (the one `serve` holds): the engine takes its own
   * connection on it and close() leaves the instance open. DuckDB allows one process per file, and
   * a second instance on the same file in one process would corrupt it.
   */
  instance?: DuckDBInstance;
}

export async function createDuckDbEngine(
  opts: DuckDbEngineOptions,
): Promise<SqlEngine & { connection: DuckDBConnection }> {
  if (!opts.instance && opts.path !== ':memory:') await mkdir(dirname(opts.path), { recursive: true });
  const instance = opts.instance ?? (await DuckDBInstance.create(opts.path));
  const connection = await instance.connect();
  await connection.run(duckDbRawEventsDdl());
  for (const [table, ddl] of tableDdls()) {
    if (table !== 'raw_events') await connection.run(toDuckDb(ddl));
  }
  for (const view of viewDdls()) await connection.run(toDuckDb(view));

  async function run(sql: string, params: SqlParams): Promise<Row[]> {
    const translated = toDuckDb(sql);
    const reader = await connection.runAndReadAll(translated, usedParams(translated, params));
    return reader.getRowObjects().map(toPlainRow);
  }

  async function atomically(work: () => Promise<void>): Promise<void> {
    await connection.run('BEGIN TRANSACTION');
    try {
      await work();
      await connection.run('COMMIT');
    } catch (err) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async function stage(
    table: string,
    columns: readonly Column[],
    rows: readonly Record<string, unknown>[],
  ): Promise<string> {
    const staging = `${table}_staging`;
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${staging} (${columns.map((c) => `${c.name} VARCHAR`).join(', ')})`,
    );
    const appender = await connection.createAppender(staging);
    try {
      for (const row of rows) {
        for (const c of columns) {
          const v = row[c.name];
          if (v === null || v === undefined) appender.appendNull();
          else appender.appendVarchar(String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return `SELECT ${columns.map((c) => `CAST(${c.name} AS ${DUCK_TYPE[c.type]}) AS ${c.name}`).join(', ')} FROM ${staging}`;
  }

  return {
    kind: 'duckdb',
    connection,
    async query<T extends Row = Row>(sql: string, params: SqlParams) {
      return { rows: (await run(sql, params)) as T[] };
    },
    async transaction(statements: readonly Statement[]) {
      await atomically(async () => {
        for (const s of statements) await run(s.sql, s.params);
      });
      return {};
    },
    async exportCsv(statement, key) {
      const dir = await mkdtemp(join(tmpdir(), 'zoom-export-'));
      try {
        const file = join(dir, 'export.csv');
        const select = inlineParams(toDuckDb(statement.sql), statement.params);
        await connection.run(
          `COPY (${select}) TO '${file.replace(/'/g, "''")}' (FORMAT CSV, HEADER, DELIMITER ',')`,
        );
        // UTF-8 with a byte-order mark, like every CSV the project writes (core/csv.ts).
        const body = Buffer.concat([Buffer.from(CSV_BOM), await readFile(file)]);
        await opts.archive.put(key, body, 'text/csv');
        return { bytes: body.length };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async replaceCameraMinutes(meetingUuid, dates, rows: readonly CameraMinuteRow[]) {
      const select = await stage(
        'camera_minutes',
        CAMERA_COLUMNS,
        rows as unknown as Record<string, unknown>[],
      );
      await atomically(async () => {
        await connection.run(
          `DELETE FROM camera_minutes WHERE meeting_uuid = $m AND source = 'qos' AND CAST(minute_date AS VARCHAR) IN (SELECT unnest(string_split($d, ',')))`,
          { m: meetingUuid, d: dates.join(',') },
        );
        await connection.run(
          `INSERT INTO camera_minutes (${CAMERA_COLUMNS.map((c) => c.name).join(', ')}) ${select}`,
        );
      });
    },
    async replaceWebhookEvents(eventDate, rows) {
      const columns = RAW_EVENT_COLUMNS as readonly Column[];
      await atomically(async () => {
        await connection.run(
          `DELETE FROM raw_events WHERE event_date = CAST($d AS DATE) AND source = 'webhook'`,
          { d: eventDate },
        );
        for await (const batch of batchesOf(rows)) {
          const select = await stage('raw_events', columns, batch as unknown as Record<string, unknown>[]);
          await connection.run(
            `INSERT INTO raw_events (${columns.map((c) => c.name).join(', ')}) ${select} ON CONFLICT DO NOTHING`,
          );
        }
      });
      return {};
    },
    async insertWebhookEvents(rows) {
      const columns = RAW_EVENT_COLUMNS as readonly Column[];
      await atomically(async () => {
        for await (const batch of batchesOf(rows)) {
          const select = await stage('raw_events', columns, batch as unknown as Record<string, unknown>[]);
          await connection.run(
            `INSERT INTO raw_events (${columns.map((c) => c.name).join(', ')}) ${select} ON CONFLICT DO NOTHING`,
          );
        }
      });
      return {};
    },
    async replaceAttendance(date, rows) {
      const select = await stage(
        'attendance',
        ATTENDANCE_COLUMNS,
        rows as unknown as Record<string, unknown>[],
      );
      await atomically(async () => {
        await connection.run(`DELETE FROM attendance WHERE attendance_date = CAST($d AS DATE)`, { d: date });
        await connection.run(
          `INSERT INTO attendance (${ATTENDANCE_COLUMNS.map((c) => c.name).join(', ')}) ${select}`,
        );
      });
    },
    async selectRows(table, where) {
      const columns = warehouseColumns(table);
      assertCondition(where.sql);
      const sql = toDuckDb(
        `SELECT ${columns.map((c) => c.name).join(', ')} FROM ${table} WHERE ${where.sql}`,
      );
      const reader = await connection.runAndReadAll(sql, usedParams(sql, where.params));
      return reader.getRowObjects().map(toExactRow);
    },
    async replaceRows(table, where, rows) {
      const columns = warehouseColumns(table);
      assertCondition(where.sql);
      const names = columns.map((c) => c.name).join(', ');
      const remove = toDuckDb(`DELETE FROM ${table} WHERE ${where.sql}`);
      await atomically(async () => {
        await connection.run(remove, usedParams(remove, where.params));
        for await (const batch of batchesOf(rows)) {
          if (batch.length === 0) continue;
          const select = await stage(table, columns, checkedRows(table, columns, batch));
          await connection.run(`INSERT INTO ${table} (${names}) ${select}`);
        }
      });
      return {};
    },
    async compact(tables) {
      // Deleted rows stay in their row groups until rewritten: each table is copied out (to a
      // temporary, in-memory table), dropped, created again and filled back, atomically.
      for (const table of tables) {
        warehouseColumns(table); // a warehouse table, or it throws
        const ddl = table === 'raw_events' ? duckDbRawEventsDdl() : toDuckDb(tableDdls().get(table) ?? '');
        await atomically(async () => {
          await connection.run(`CREATE OR REPLACE TEMP TABLE compact_copy AS SELECT * FROM ${table}`);
          await connection.run(`DROP TABLE ${table} CASCADE`);
          await connection.run(ddl);
          await connection.run(`INSERT INTO ${table} BY NAME SELECT * FROM compact_copy`);
          await connection.run('DROP TABLE compact_copy');
        });
      }
      for (const view of viewDdls()) await connection.run(toDuckDb(view));
      await connection.run('FORCE CHECKPOINT');
      await overwriteFreeBlocks(connection);
    },
    async close() {
      connection.closeSync();
      if (!opts.instance) instance.closeSync();
    },
  };
}

/**
 * Fills the file's free blocks (left by dropped tables, holding their old bytes) with random numbers,
 * then frees them again: a checkpoint writes new data into free blocks first.
 */
async function overwriteFreeBlocks(connection: DuckDBConnection): Promise<void> {
  const freeBlocks = async (): Promise<{ free: number; size: number }> => {
    const [row] = (await connection.runAndReadAll('PRAGMA database_size')).getRowObjects();
    return { free: Number(row?.['free_blocks'] ?? 0), size: Number(row?.['block_size'] ?? 262_144) };
  };
  const { size } = await freeBlocks();
  let { free } = await freeBlocks();
  if (free === 0) return;
  await connection.run('CREATE OR REPLACE TABLE erase_overwrite (a DOUBLE, b DOUBLE)');
  try {
    // Random doubles barely compress: 16 bytes a row, a block's worth of rows per free block.
    for (let round = 0; round < 8 && free > 0; round++) {
      await connection.run(
        `INSERT INTO erase_overwrite SELECT random(), random() FROM range(${Math.ceil(((free + 1) * size) / 16)})`,
      );
      await connection.run('FORCE CHECKPOINT');
      ({ free } = await freeBlocks());
    }
  } finally {
    await connection.run('DROP TABLE IF EXISTS erase_overwrite');
    await connection.run('FORCE CHECKPOINT');
  }
}

const DUCK_TYPE: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  INT64: 'BIGINT',
  JSON: 'JSON',
  BOOL: 'BOOLEAN',
  FLOAT64: 'DOUBLE',
};

function usedParams(sql: string, params: SqlParams): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(params)) if (new RegExp(`\\$${k}\\b`).test(sql)) out[k] = v;
  return out;
}

/** COPY takes no prepared parameters: values are inlined as literals (strings quoted, numbers checked). */
function inlineParams(sql: string, params: SqlParams): string {
  return sql.replace(/\$(\w+)/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`parameter ${name} is not a finite number`);
      return String(v);
    }
    return `'${v.replace(/'/g, "''")}'`;
  });
}

/**
 * DuckDB values → selectRows' form, without loss: timestamps keep their microseconds (written only
 * when there are some, as the BigQuery client does), big integers past 2^53 stay exact as text.
 */
function toExactRow(row: Record<string, DuckDBValue>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    else if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue)
      out[k] = isoMicros(v.micros);
    else if (v instanceof DuckDBDateValue) out[k] = v.toString();
    else out[k] = v;
  }
  return out;
}

/** Epoch microseconds → ISO 8601 UTC: milliseconds, or microseconds when the last three are not 0. */
function isoMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = micros - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString();
  return sub === 0n ? iso : `${iso.slice(0, -1)}${sub.toString().padStart(3, '0')}Z`;
}

/** DuckDB values → plain JSON-like values: numbers, ISO 8601 UTC timestamps, YYYY-MM-DD dates. */
function toPlainRow(row: Record<string, DuckDBValue>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (v instanceof DuckDBTimestampValue) out[k] = new Date(Number(v.micros / 1000n)).toISOString();
    else if (v instanceof DuckDBDateValue) out[k] = v.toString();
    else if (v instanceof DuckDBDecimalValue) out[k] = v.toDouble();
    else out[k] = v;
  }
  return out;
}
