// The embedded warehouse: raw_events in a DuckDB file. Concurrent inserts are group-committed
// (one batch in flight, the next accumulating), and a re-inserted event_id is ignored.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../../log.ts';
import type { HealthStatus, Warehouse } from '../../ports.ts';
import { duckDbRawEventsDdl } from '../../warehouse/duckdb-ddl.ts';
import { RAW_EVENT_COLUMNS, type RawEventRow } from '../../warehouse/raw-events.ts';
import { writeIsolating } from '../../warehouse/isolate-rows.ts';
import { RowsRejectedError } from '../../errors.ts';
import { wellFormedRow } from '../../well-formed.ts';
import type { ReadEngine } from '../../warehouse/sql-engine.ts';
import { readOnlyDuckDb } from './duckdb-read-engine.ts';

export interface DuckDbWarehouse extends Warehouse {
  /** The open connection, for local jobs and tests that query the same database. */
  connection: DuckDBConnection;
  /** The instance, for jobs run inside `serve`: they take their own connection on it. */
  instance: DuckDBInstance;
  /** The report view's reads, on the same connection (read-only): Backends.readEngine. */
  readonly reader: ReadEngine;
}

interface Pending {
  rows: readonly RawEventRow[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

const STAGING_COLUMNS = RAW_EVENT_COLUMNS.map(
  (c) => `${c.name} ${c.type === 'INT64' ? 'BIGINT' : 'VARCHAR'}`,
).join(', ');
const JSON_COLUMNS = RAW_EVENT_COLUMNS.filter((c) => c.type === 'JSON').map((c) => c.name);
const COLUMN_LIST = RAW_EVENT_COLUMNS.map((c) => c.name).join(', ');
const CASTS = RAW_EVENT_COLUMNS.map((c) => {
  if (c.type === 'DATE') return `CAST(${c.name} AS DATE)`;
  if (c.type === 'TIMESTAMP') return `CAST(${c.name} AS TIMESTAMP)`;
  if (c.type === 'JSON') return `CAST(${c.name} AS JSON)`;
  return c.name;
}).join(', ');

export async function createDuckDbWarehouse(path: string, log: Logger): Promise<DuckDbWarehouse> {
  if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  // Bounded memory: DuckDB would otherwise size its buffer pool to most of the machine.
  const instance = await DuckDBInstance.create(path, { memory_limit: '512MB', threads: '1' });
  const connection = await instance.connect();
  await connection.run(duckDbRawEventsDdl());
  await connection.run(`CREATE TEMP TABLE raw_events_staging (${STAGING_COLUMNS})`);

  let queue: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;

  async function writeBatch(rows: readonly RawEventRow[]): Promise<void> {
    try {
      const appender = await connection.createAppender('raw_events_staging');
      try {
        for (const row of rows) {
          for (const c of RAW_EVENT_COLUMNS) {
            const v = row[c.name];
            if (v === null || v === undefined) appender.appendNull();
            else if (c.type === 'INT64') appender.appendBigInt(BigInt(v));
            else appender.appendVarchar(String(v));
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await connection.run('BEGIN TRANSACTION');
      await connection.run(
        `INSERT INTO raw_events (${COLUMN_LIST}) SELECT ${CASTS} FROM raw_events_staging ON CONFLICT DO NOTHING`,
      );
      await connection.run('DELETE FROM raw_events_staging');
      await connection.run('COMMIT');
    } catch (err) {
      // Nothing of a failed batch stays behind, in the table or in staging.
      await connection.run('ROLLBACK').catch(() => undefined);
      await connection.run('DELETE FROM raw_events_staging').catch(() => undefined);
      throw err;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const unique = new Map<string, RawEventRow>();
      for (const p of batch)
        for (const r of p.rows)
          if (!unique.has(r.event_id)) unique.set(r.event_id, wellFormedRow(r, JSON_COLUMNS));
      try {
        // A row DuckDB refuses is isolated (halves, down to the row) and named; its neighbours land.
        const rejected = await writeIsolating([...unique.values()], writeBatch, isDataError);
        if (rejected.length > 0)
          log.error(
            {
              rejected: rejected.slice(0, 20),
              count: rejected.length,
              written: unique.size - rejected.length,
            },
            'duckdb refused rows; the rest of their batch was written',
          );
        const refused = new Map(rejected.map((r) => [r.eventId, r]));
        for (const p of batch) {
          const mine = p.rows.flatMap((r) => refused.get(r.event_id) ?? []);
          if (mine.length > 0) p.reject(new RowsRejectedError(mine));
          else p.resolve();
        }
      } catch (err) {
        log.error({ err, rows: unique.size }, 'duckdb insert failed');
        for (const p of batch) p.reject(err);
      }
    }
    flushing = undefined;
  }

  return {
    connection,
    instance,
    reader: readOnlyDuckDb(connection),
    insertEvents(rows) {
      if (closed) return Promise.reject(new Error('warehouse is closed'));
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ rows, resolve, reject });
        flushing ??= drain();
      });
    },
    async health(): Promise<HealthStatus> {
      try {
        await connection.run('SELECT 1');
        return { ok: true, backend: 'duckdb', detail: path };
      } catch (err) {
        return { ok: false, backend: 'duckdb', detail: (err as Error).message };
      }
    },
    async close() {
      closed = true;
      await flushing;
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * An error about the rows (a value that does not convert, a constraint), worth isolating; not one
 * about the database itself (I/O, memory, a closed connection), which every row would hit again.
 */
function isDataError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return !/^(IO|Out of Memory|FATAL|Fatal|Connection|Interrupt|Internal|Permission)\b|closed/i.test(message);
}
