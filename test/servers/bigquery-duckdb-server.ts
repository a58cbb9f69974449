// A mock backed by DuckDB, not BigQuery (BigQuery has no emulator): the slice of the BigQuery v2 REST
// API the project's clients use (tabledata.insertAll, tables.get/delete, query jobs, multipart load
// jobs), answered from an in-memory DuckDB holding the warehouse tables (sql/ddl, dataset prefix
// stripped). Each query job's SQL is translated by core/warehouse/to-duckdb.ts, as the embedded engine
// runs the same SQL; scripts (BEGIN TRANSACTION; ...; COMMIT TRANSACTION;) run statement by statement
// in one DuckDB transaction; load jobs fill their (staging) table; EXPORT DATA writes DuckDB's CSV to
// `exportTo`. Rows come back in the REST shape the client parses (TIMESTAMP as int64 microseconds).
// What DuckDB accepts and BigQuery would not (or the reverse) is not caught here: the SQL itself is
// checked offline by ZetaSQL (core/warehouse/bigquery-sql.test.ts). `refuseDmlOverStreamingBuffer`
// fails DML jobs on a table as BigQuery does over rows still in the streaming buffer, before they run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { tableDdls, viewDdls } from '../../core/warehouse/sql-files.ts';
import { toDuckDb, tokenize } from '../../core/warehouse/to-duckdb.ts';
import { dmlTargets, splitMultipart, streamingBufferMessage } from './bigquery-jobs-server.ts';
import { listenOnLoopback, readBody, sendGoogleError, sendJson } from './loopback-http.ts';

export interface DuckDbQueryJob {
  id: string;
  query: string;
  params: Record<string, { type: string; value: string }>;
  /** The error the job failed with (a streaming-buffer refusal or DuckDB's own error). */
  error?: string;
}

export interface BigQueryDuckDbServer {
  /** `http://127.0.0.1:<port>`: pass as BIGQUERY_API_ENDPOINT. */
  url: string;
  /** The DuckDB connection behind the mock (tables named without the dataset). */
  db: DuckDBConnection;
  /** Query jobs in order. */
  jobs: DuckDbQueryJob[];
  /** Load jobs in order: destination table (bare name) and rows. */
  loads: { table: string; rows: number }[];
  /** insertAll requests in order: table (bare name) and rows. */
  inserts: { table: string; rows: number }[];
  /**
   * Fails the next `count` DML query jobs whose target is `table` (a bare name) the way BigQuery
   * fails DML over rows still in the streaming buffer (nothing of the job runs). Infinity: until
   * called again with 0.
   */
  refuseDmlOverStreamingBuffer(table: string, count: number): void;
  /** Every row of a table as JSON text (values in the REST form), sorted. */
  dump(table: string): Promise<string[]>;
  /** The base tables DuckDB holds (the warehouse's, and any staging table left behind). */
  tables(): Promise<string[]>;
  close(): Promise<void>;
}

export interface BigQueryDuckDbServerOptions {
  /** The dataset of the SQL (default zoom_tracker). */
  dataset?: string;
  /** Where EXPORT DATA writes: `gs://bucket/key` with the shard `*` as 000000000000, and the CSV. */
  exportTo?: (uri: string, csv: Buffer) => void | Promise<void>;
}

interface QueryParameter {
  name: string;
  parameterType: { type: string };
  parameterValue: { value: string | number };
}

interface Field {
  name: string;
  type: string;
  mode: 'NULLABLE';
}

interface Result {
  fields: Field[];
  rows: (string | null)[][];
}

const DUCK_TYPES: Readonly<Record<string, string>> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
};

/** The BigQuery type a DuckDB result column is reported as. */
function bigQueryType(t: DuckDBType): string {
  const name = String(t);
  if (t.alias === 'JSON') return 'JSON';
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/.test(name))
    return 'INT64';
  if (/^(DOUBLE|FLOAT|DECIMAL)/.test(name)) return 'FLOAT64';
  if (name === 'BOOLEAN') return 'BOOL';
  if (name === 'DATE') return 'DATE';
  if (name.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'STRING';
}

/** A DuckDB value in the REST form: text, TIMESTAMP as epoch microseconds. */
function restValue(v: DuckDBValue): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return v.micros.toString();
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return String(v.toDouble());
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  return String(v);
}

/** The statements of a script, split at `;` outside literals and comments. */
function statementsOf(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const t of tokenize(sql)) {
    if (t.kind === 'punct' && t.text === ';') {
      out.push(current);
      current = '';
    } else current += t.text;
  }
  out.push(current);
  return out.filter((s) => tokenize(s).some((t) => t.kind !== 'ws' && t.kind !== 'comment'));
}

const firstWord = (sql: string): string =>
  tokenize(sql)
    .find((t) => t.kind !== 'ws' && t.kind !== 'comment')
    ?.text.toUpperCase() ?? '';

export async function startBigQueryDuckDbServer(
  opts: BigQueryDuckDbServerOptions = {},
): Promise<BigQueryDuckDbServer> {
  const dataset = opts.dataset ?? 'zoom_tracker';
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  // BigQuery's PARSE_JSON (insertFromStagingSql) has no DuckDB name: JSON text cast to JSON.
  await db.run('CREATE MACRO parse_json(text) AS CAST(text AS JSON)');
  for (const ddl of tableDdls(dataset).values()) await db.run(toDuckDb(ddl, { dataset }));
  for (const view of viewDdls(dataset)) await db.run(toDuckDb(view, { dataset }));

  const jobs: DuckDbQueryJob[] = [];
  const results = new Map<string, Result>();
  const failed = new Map<string, string>(); // job id -> error message
  const insertIds = new Map<string, Set<string>>();
  const refuse = { table: '', count: 0 };
  let serial = 0;
  // One job at a time: DuckDB's transactions are per connection.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const translate = (sql: string): string => toDuckDb(sql, { dataset });

  const bind = (sql: string, params: readonly QueryParameter[]): Record<string, string | number> => {
    const out: Record<string, string | number> = {};
    for (const p of params) {
      if (!new RegExp(`\\$${p.name}\\b`).test(sql)) continue;
      const type = p.parameterType.type;
      out[p.name] =
        type === 'INT64' || type === 'FLOAT64'
          ? Number(p.parameterValue.value)
          : String(p.parameterValue.value);
    }
    return out;
  };

  async function select(sql: string, params: readonly QueryParameter[]): Promise<Result> {
    const reader = await db.runAndReadAll(sql, bind(sql, params));
    const names = reader.columnNames();
    const types = reader.columnTypes();
    return {
      fields: names.map((name, i) => ({
        name,
        type: bigQueryType(types[i] as DuckDBType),
        mode: 'NULLABLE',
      })),
      rows: reader.getRows().map((row) => row.map(restValue)),
    };
  }

  async function exportData(statement: string, params: readonly QueryParameter[]): Promise<void> {
    const m =
      /^\s*EXPORT\s+DATA\s+OPTIONS\s*\(\s*uri\s*=\s*'((?:[^'\\]|\\.)*)'[^)]*\)\s*AS\s+([\s\S]*)$/i.exec(
        statement,
      );
    if (!m) throw new Error(`unsupported EXPORT DATA statement: ${statement.slice(0, 120)}`);
    const uri = (m[1] as string).replace(/\\'/g, "'").replace('*', '000000000000');
    const sql = translate(m[2] as string);
    const dir = await mkdtemp(join(tmpdir(), 'bq-duckdb-export-'));
    try {
      const file = join(dir, 'export.csv');
      // COPY takes no prepared parameters: the SELECT is materialised first, then copied.
      await db.run(`CREATE OR REPLACE TEMP TABLE export_rows AS ${sql}`, bind(sql, params));
      await db.run(`COPY export_rows TO '${file.replace(/'/g, "''")}' (FORMAT CSV, HEADER, DELIMITER ',')`);
      await db.run('DROP TABLE export_rows');
      if (!opts.exportTo) throw new Error('EXPORT DATA: the mock was started without exportTo');
      await opts.exportTo(uri, await readFile(file));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Runs a query job: one statement, or a script in a transaction; the last SELECT's rows. */
  async function runQuery(query: string, params: readonly QueryParameter[]): Promise<Result> {
    const statements = statementsOf(query);
    const empty: Result = { fields: [], rows: [] };
    if (statements.length === 1 && firstWord(statements[0] as string) === 'EXPORT') {
      await exportData(statements[0] as string, params);
      return empty;
    }
    const script = statements.length > 1;
    let last = empty;
    let open = false;
    try {
      for (const statement of statements) {
        const word = firstWord(statement);
        if (word === 'BEGIN') {
          await db.run('BEGIN TRANSACTION');
          open = true;
        } else if (word === 'COMMIT') {
          await db.run('COMMIT');
          open = false;
        } else if (word === 'SELECT' || word === 'WITH' || word === '(') {
          last = await select(translate(statement), params);
        } else {
          const sql = translate(statement);
          await db.run(sql, bind(sql, params));
          if (!script) last = empty;
        }
      }
    } catch (err) {
      if (open) await db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return last;
  }

  async function load(
    table: string,
    schema: { name: string; type: string }[],
    ndjson: string,
  ): Promise<number> {
    const columns = schema.map((f) => `"${f.name}" ${DUCK_TYPES[f.type] ?? 'VARCHAR'}`).join(', ');
    await db.run(`CREATE OR REPLACE TABLE "${table}" (${columns})`);
    const lines = ndjson.split('\n').filter((l) => l.trim() !== '');
    await insertRows(
      table,
      schema.map((f) => f.name),
      lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    return lines.length;
  }

  /** Rows as JSON values into a table, each value cast from its text to the column's type. */
  async function insertRows(
    table: string,
    names: readonly string[],
    rows: Record<string, unknown>[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const text = (v: unknown): string | null =>
      v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
    await db.run(`CREATE OR REPLACE TEMP TABLE load_text (${names.map((n) => `"${n}" VARCHAR`).join(', ')})`);
    const appender = await db.createAppender('load_text');
    try {
      for (const row of rows) {
        for (const n of names) {
          const v = text(row[n]);
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const types = await columnTypes(table);
    const list = names.map((n) => `"${n}"`).join(', ');
    const casts = names.map((n) => `CAST("${n}" AS ${types.get(n) ?? 'VARCHAR'})`).join(', ');
    await db.run(`INSERT INTO "${table}" (${list}) SELECT ${casts} FROM load_text`);
    await db.run('DROP TABLE load_text');
  }

  async function columnTypes(table: string): Promise<Map<string, string>> {
    const reader = await db.runAndReadAll(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t`,
      { t: table },
    );
    return new Map(reader.getRows().map((r) => [String(r[0]), String(r[1])]));
  }

  const state: BigQueryDuckDbServer = {
    url: '',
    db,
    jobs,
    loads: [],
    inserts: [],
    refuseDmlOverStreamingBuffer(table, count) {
      refuse.table = table;
      refuse.count = count;
    },
    dump: (table) =>
      serially(async () => {
        const r = await select(`SELECT * FROM "${table}"`, []);
        return r.rows
          .map((row) => JSON.stringify(Object.fromEntries(r.fields.map((f, i) => [f.name, row[i]]))))
          .sort();
      }),
    tables: () =>
      serially(async () => {
        const reader = await db.runAndReadAll(
          `SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY table_name`,
        );
        return reader.getRows().map((r) => String(r[0]));
      }),
    close: async () => undefined,
  };

  function jobResource(projectId: string, jobId: string): Record<string, unknown> {
    const error = failed.get(jobId);
    const e = { reason: 'invalidQuery', message: error };
    return {
      kind: 'bigquery#job',
      id: `${projectId}:${jobId}`,
      jobReference: { projectId, jobId },
      status: error === undefined ? { state: 'DONE' } : { state: 'DONE', errorResult: e, errors: [e] },
      statistics: { totalBytesProcessed: '0', query: { totalBytesProcessed: '0' } },
      configuration: { query: {} },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const insertJob = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path);
    const getJob = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(path);
    const getResults = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(path);
    const upload = /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path);
    const table =
      /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+?)(\/insertAll)?$/.exec(path);
    const body = await readBody(req);

    if (req.method === 'POST' && upload) {
      const [meta, data] = splitMultipart(body, req.headers['content-type'] ?? '');
      if (!meta || !data) return sendGoogleError(res, 400, 'invalid', 'expected a multipart/related upload');
      const job = JSON.parse(meta.toString('utf8')) as {
        jobReference?: { jobId?: string };
        configuration: {
          load: {
            destinationTable: { tableId: string };
            schema: { fields: { name: string; type: string }[] };
          };
        };
      };
      const id = job.jobReference?.jobId ?? `load-${++serial}`;
      const { destinationTable, schema } = job.configuration.load;
      const rows = await serially(() => load(destinationTable.tableId, schema.fields, data.toString('utf8')));
      state.loads.push({ table: destinationTable.tableId, rows });
      return sendJson(res, 200, jobResource(upload[1] as string, id));
    }

    if (table) {
      const name = decodeURIComponent(table[3] as string);
      if (req.method === 'POST' && table[4]) {
        const parsed = JSON.parse(body.toString('utf8')) as {
          rows?: { insertId?: string; json: Record<string, unknown> }[];
        };
        const seen = insertIds.get(name) ?? new Set<string>();
        insertIds.set(name, seen);
        const fresh = (parsed.rows ?? []).filter((r) => {
          if (r.insertId === undefined) return true;
          if (seen.has(r.insertId)) return false; // insertId dedupe (best effort in BigQuery, exact here)
          seen.add(r.insertId);
          return true;
        });
        await serially(async () => {
          const names = [...(await columnTypes(name)).keys()];
          await insertRows(
            name,
            names,
            fresh.map((r) => r.json),
          );
        });
        state.inserts.push({ table: name, rows: fresh.length });
        return sendJson(res, 200, { kind: 'bigquery#tableDataInsertAllResponse' });
      }
      const exists = (await state.tables()).includes(name);
      if (req.method === 'DELETE') {
        if (!exists) return sendGoogleError(res, 404, 'notFound', `Not found: Table ${name}`);
        await serially(() => db.run(`DROP TABLE "${name}"`));
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET') {
        if (!exists) return sendGoogleError(res, 404, 'notFound', `Not found: Table ${name}`);
        return sendJson(res, 200, {
          kind: 'bigquery#table',
          id: `${table[1]}:${table[2]}.${name}`,
          tableReference: { projectId: table[1], datasetId: table[2], tableId: name },
        });
      }
    }

    if (req.method === 'POST' && insertJob) {
      const job = JSON.parse(body.toString('utf8')) as {
        jobReference?: { jobId?: string };
        configuration: { query: { query: string; queryParameters?: QueryParameter[] } };
      };
      const id = job.jobReference?.jobId ?? `job-${++serial}`;
      const { query, queryParameters = [] } = job.configuration.query;
      const recorded: DuckDbQueryJob = {
        id,
        query,
        params: Object.fromEntries(
          queryParameters.map((p) => [
            p.name,
            { type: p.parameterType.type, value: String(p.parameterValue.value) },
          ]),
        ),
      };
      jobs.push(recorded);
      const target = refuse.count > 0 ? dmlTargets(query).find((t) => t.table === refuse.table) : undefined;
      if (target) {
        refuse.count--;
        recorded.error = streamingBufferMessage(`${insertJob[1]}.${target.dataset}.${target.table}`);
        failed.set(id, recorded.error);
      } else {
        try {
          results.set(id, await serially(() => runQuery(query, queryParameters)));
        } catch (err) {
          recorded.error = err instanceof Error ? err.message : String(err);
          failed.set(id, recorded.error);
        }
      }
      return sendJson(res, 200, jobResource(insertJob[1] as string, id));
    }

    if (req.method === 'GET' && getJob)
      return sendJson(res, 200, jobResource(getJob[1] as string, getJob[2] as string));

    if (req.method === 'GET' && getResults) {
      const id = getResults[2] as string;
      const error = failed.get(id);
      if (error !== undefined)
        return sendJson(res, 400, {
          error: {
            code: 400,
            message: error,
            errors: [{ message: error, domain: 'global', reason: 'invalidQuery' }],
            status: 'INVALID_ARGUMENT',
          },
        });
      const r = results.get(id) ?? { fields: [], rows: [] };
      return sendJson(res, 200, {
        kind: 'bigquery#getQueryResultsResponse',
        jobComplete: true,
        jobReference: { projectId: getResults[1], jobId: id },
        totalRows: String(r.rows.length),
        schema: { fields: r.fields },
        rows: r.rows.map((row) => ({ f: row.map((v) => ({ v })) })),
      });
    }
    sendJson(res, 404, { error: { code: 404, message: `no route ${req.method} ${path}` } });
  }

  const server = await listenOnLoopback(handle);
  state.url = server.url;
  state.close = async () => {
    await server.close();
    db.closeSync();
    instance.closeSync();
  };
  return state;
}
