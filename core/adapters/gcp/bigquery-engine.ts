// The production engine: BigQuery jobs for queries, multi-statement transactions, EXPORT DATA to
// the bucket and load jobs (staging table, then delete + insert in one transaction).
// BIGQUERY_API_ENDPOINT is honoured. Statement builders are pure and validated offline by ZetaSQL.
// selectRows/replaceRows read and rewrite any warehouse table's rows (the erasure job); a DELETE
// over rows still in the streaming buffer is refused by BigQuery for a while: callers wrap
// replaceRows in retryWhileStreamingBuffer (streaming-buffer.ts).
import { randomBytes } from 'node:crypto';
import { appendFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery, type Query } from '@google-cloud/bigquery';
import { CSV_BOM } from '../../csv.ts';
import type { Logger } from '../../log.ts';
import type { Archive } from '../../ports.ts';
import { parseCreateTable, type DdlColumn } from '../../warehouse/bigquery-schema.ts';
import { tableDdls } from '../../warehouse/sql-files.ts';
import { tokenize } from '../../warehouse/to-duckdb.ts';
import {
  batchesOf,
  WAREHOUSE_TABLES,
  type Row,
  type RowSource,
  type SqlEngine,
  type SqlParams,
  type Statement,
  type WarehouseTable,
} from '../../warehouse/sql-engine.ts';

export interface BigQueryEngineOptions {
  projectId: string;
  dataset: string;
  bucket: string;
  location?: string;
  apiEndpoint?: string;
  archive: Archive;
  log: Logger;
}

/** `EXPORT DATA` of a SELECT to one CSV per day; BigQuery numbers the `*` shard 000000000000. */
export function exportDataSql(select: string, bucket: string, key: string): string {
  const uri = `gs://${bucket}/${key.replace(/000000000000\.csv$/, '*.csv')}`;
  return `EXPORT DATA OPTIONS (uri = '${uri.replace(/'/g, "\\'")}', format = 'CSV', overwrite = true, header = true, field_delimiter = ',') AS\n${select}`;
}

/** A transaction script: the statements, atomically. */
export function transactionSql(statements: readonly string[]): string {
  return ['BEGIN TRANSACTION', ...statements, 'COMMIT TRANSACTION'].join(';\n') + ';';
}

/** Insert from a staging table whose JSON columns were loaded as STRING. */
export function insertFromStagingSql(
  dataset: string,
  table: string,
  staging: string,
  columns: readonly DdlColumn[],
): string {
  const select = columns
    .map((c) => (c.type === 'JSON' ? `PARSE_JSON(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  return `INSERT INTO ${dataset}.${table} (${columns.map((c) => c.name).join(', ')})\nSELECT ${select} FROM ${dataset}.${staging}`;
}

/** Before a meeting's QoS minutes are written again. Params: @meeting_uuid, @dates (comma list). */
export function deleteCameraMinutesSql(dataset: string): string {
  return `DELETE FROM ${dataset}.camera_minutes WHERE meeting_uuid = @meeting_uuid AND source = 'qos' AND CAST(minute_date AS STRING) IN UNNEST(SPLIT(@dates, ','))`;
}

/** Before a day's webhook rows are rebuilt from the archive. Param: @event_date. */
export function deleteWebhookEventsSql(dataset: string): string {
  return `DELETE FROM ${dataset}.raw_events WHERE event_date = CAST(@event_date AS DATE) AND source = 'webhook'`;
}

/** Before a day of attendance is written again. Param: @attendance_date. */
export function deleteAttendanceSql(dataset: string): string {
  return `DELETE FROM ${dataset}.attendance WHERE attendance_date = CAST(@attendance_date AS DATE)`;
}

/** Every column of a table's rows matching a condition (a boolean expression with @params). */
export function selectRowsSql(
  dataset: string,
  table: string,
  columns: readonly DdlColumn[],
  where: string,
): string {
  return `SELECT ${columns.map((c) => c.name).join(', ')} FROM ${dataset}.${table} WHERE ${where}`;
}

/** Before replaceRows inserts the new rows: the rows matching the same condition. */
export function deleteRowsSql(dataset: string, table: string, where: string): string {
  return `DELETE FROM ${dataset}.${table} WHERE ${where}`;
}

/** A WHERE condition is one expression: no statement separator outside string literals. */
function assertCondition(where: string): void {
  if (tokenize(where).some((t) => t.kind === 'punct' && t.text === ';'))
    throw new Error('a row condition is one expression, without `;`');
}

export function createBigQueryEngine(opts: BigQueryEngineOptions): SqlEngine {
  const bq = new BigQuery({
    projectId: opts.projectId,
    ...(opts.location && { location: opts.location }),
    ...(opts.apiEndpoint && { apiEndpoint: opts.apiEndpoint }),
  });
  if (opts.apiEndpoint) withHeadersOnCustomEndpoint(bq);
  const schemas = new Map<string, DdlColumn[]>();
  for (const ddl of tableDdls(opts.dataset).values()) {
    const { table, columns } = parseCreateTable(ddl);
    schemas.set(table, columns);
  }

  /** The columns of a warehouse table; anything not named in WAREHOUSE_TABLES and sql/ddl is refused. */
  function warehouseColumns(table: WarehouseTable): DdlColumn[] {
    const columns = (WAREHOUSE_TABLES as readonly string[]).includes(table) ? schemas.get(table) : undefined;
    if (!columns) throw new Error(`not a warehouse table: ${table}`);
    return columns;
  }

  async function runJob(sql: string, params: SqlParams): Promise<{ rows: Row[]; bytesProcessed?: number }> {
    const options: Query = {
      query: sql,
      params: { ...params },
      ...(opts.location && { location: opts.location }),
    };
    const [job] = await bq.createQueryJob(options);
    const [rows] = await job.getQueryResults();
    const [metadata] = await job.getMetadata();
    const bytes = Number(metadata?.statistics?.totalBytesProcessed ?? NaN);
    return { rows: rows.map(plain), ...(Number.isFinite(bytes) && { bytesProcessed: bytes }) };
  }

  async function loadAndReplace(
    table: string,
    rows: RowSource<object>,
    deleteSql: string | undefined,
    params: SqlParams,
  ): Promise<{ bytesProcessed?: number }> {
    const columns = schemas.get(table);
    if (!columns) throw new Error(`unknown table ${table}`);
    const staging = `${table}_staging_${randomBytes(4).toString('hex')}`;
    const dir = await mkdtemp(join(tmpdir(), 'zoom-load-'));
    try {
      const file = join(dir, 'rows.ndjson');
      await writeFile(file, '');
      for await (const batch of batchesOf(rows)) {
        if (batch.length > 0) await appendFile(file, batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
      }
      await bq
        .dataset(opts.dataset)
        .table(staging)
        .load(file, {
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
          writeDisposition: 'WRITE_TRUNCATE',
          schema: {
            fields: columns.map((c) => ({
              name: c.name,
              type: c.type === 'JSON' ? 'STRING' : c.type,
              mode: c.required ? 'REQUIRED' : 'NULLABLE',
            })),
          },
        });
      const insert = insertFromStagingSql(opts.dataset, table, staging, columns);
      const script = transactionSql(deleteSql === undefined ? [insert] : [deleteSql, insert]);
      return await runJob(script, params);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await bq
        .dataset(opts.dataset)
        .table(staging)
        .delete({ ignoreNotFound: true })
        .catch((err: unknown) => opts.log.warn({ err, staging }, 'staging table not dropped'));
    }
  }

  return {
    kind: 'bigquery',
    async query<T extends Row = Row>(sql: string, params: SqlParams) {
      const result = await runJob(sql, params);
      return result as { rows: T[]; bytesProcessed?: number };
    },
    async transaction(statements: readonly Statement[]) {
      const params = Object.assign({}, ...statements.map((s) => s.params)) as SqlParams;
      const { bytesProcessed } = await runJob(transactionSql(statements.map((s) => s.sql)), params);
      return bytesProcessed !== undefined ? { bytesProcessed } : {};
    },
    async exportCsv(statement, key) {
      const { bytesProcessed } = await runJob(
        exportDataSql(statement.sql, opts.bucket, key),
        statement.params,
      );
      const exported = await opts.archive.get(key);
      // EXPORT DATA writes UTF-8 without a byte-order mark; every CSV of the project has one
      // (core/csv.ts), so the object is written again with it, byte for byte what DuckDB writes.
      const bom = Buffer.from(CSV_BOM);
      let body = exported;
      if (exported && !exported.subarray(0, bom.length).equals(bom)) {
        body = Buffer.concat([bom, exported]);
        await opts.archive.put(key, body, 'text/csv');
      }
      return { bytes: body?.length ?? 0, ...(bytesProcessed !== undefined && { bytesProcessed }) };
    },
    async replaceCameraMinutes(meetingUuid, dates, rows) {
      await loadAndReplace('camera_minutes', rows, deleteCameraMinutesSql(opts.dataset), {
        meeting_uuid: meetingUuid,
        dates: dates.join(','),
      });
    },
    async replaceWebhookEvents(eventDate, rows) {
      return loadAndReplace('raw_events', rows, deleteWebhookEventsSql(opts.dataset), {
        event_date: eventDate,
      });
    },
    async insertWebhookEvents(rows) {
      return loadAndReplace('raw_events', rows, undefined, {});
    },
    async replaceAttendance(date, rows) {
      await loadAndReplace('attendance', rows, deleteAttendanceSql(opts.dataset), { attendance_date: date });
    },
    async selectRows(table, where) {
      const columns = warehouseColumns(table);
      assertCondition(where.sql);
      const { rows } = await runJob(selectRowsSql(opts.dataset, table, columns, where.sql), where.params);
      // The client writes microseconds as nanoseconds (`.000123000Z`); the project writes `.000123Z`.
      const timestamps = columns.filter((c) => c.type === 'TIMESTAMP').map((c) => c.name);
      for (const row of rows) {
        for (const name of timestamps) {
          const v = row[name];
          if (typeof v === 'string') row[name] = v.replace(/(\.\d{6})000Z$/, '$1Z');
        }
      }
      return rows;
    },
    async replaceRows(table, where, rows) {
      const columns = warehouseColumns(table);
      assertCondition(where.sql);
      const known = new Set(columns.map((c) => c.name));
      async function* checked(): AsyncGenerator<readonly Row[]> {
        for await (const batch of batchesOf(rows)) {
          for (const row of batch) {
            const extra = Object.keys(row).find((k) => !known.has(k));
            if (extra !== undefined) throw new Error(`${table} has no column ${extra}`);
          }
          yield batch;
        }
      }
      const { bytesProcessed } = await loadAndReplace(
        table,
        checked(),
        deleteRowsSql(opts.dataset, table, where.sql),
        where.params,
      );
      return bytesProcessed !== undefined ? { bytesProcessed } : {};
    },
    // BigQuery's own windows expire old row versions (time travel 7 days, then fail-safe 7 days).
    async compact() {},
    async close() {},
  };
}

/**
 * On a custom endpoint the client sends no credentials, so nothing gives a request a header object;
 * a load job's multipart upload then fails inside teeny-request ("Cannot set properties of undefined
 * (setting 'Content-Type')"). Every request gets one.
 */
function withHeadersOnCustomEndpoint(bq: BigQuery): void {
  const make = bq.makeAuthenticatedRequest;
  const withHeaders = ((reqOpts: Parameters<typeof make>[0], options?: Parameters<typeof make>[1]) =>
    make({ ...reqOpts, headers: { ...reqOpts.headers } }, options)) as typeof make;
  bq.makeAuthenticatedRequest = Object.assign(withHeaders, {
    getCredentials: make.getCredentials,
    authClient: make.authClient,
  });
}

function plain(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}
