// A mock, not an emulator (BigQuery has none): the query-job slice of the BigQuery v2 REST API
// (jobs.insert, jobs.get, jobs.getQueryResults), plus load jobs uploaded as multipart (the staging
// tables of loadAndReplace) and tables.delete. It records each job's SQL and parameters, each load's
// rows, and answers with rows queued by the test; enough to check what the BigQuery engine sends.
// `refuseDmlOverStreamingBuffer` makes DML jobs fail as BigQuery does over rows still in the
// streaming buffer (see core/adapters/gcp/streaming-buffer.ts for the error and its sources).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readBody, sendGoogleError, sendJson } from './loopback-http.ts';

export interface RecordedJob {
  id: string;
  query: string;
  params: Record<string, { type: string; value: string }>;
  useLegacySql: boolean | undefined;
  location: string | undefined;
  /** The streaming-buffer error message the job failed with, when it was refused. */
  refused?: string;
}

export interface RecordedLoad {
  id: string;
  /** `project.dataset.table` of the destination. */
  table: string;
  /** The job's `configuration.load` (sourceFormat, writeDisposition, schema, ...). */
  load: Record<string, unknown>;
  /** The uploaded file, as text (NDJSON for the engine's loads). */
  data: string;
}

export interface BigQueryJobsServer {
  url: string;
  jobs: RecordedJob[];
  /** Rows (all values as strings, STRING/INT64 typed by `types`) for the next query jobs, in order. */
  answers: { rows: Record<string, string | null>[]; types?: Record<string, string>; bytes?: number }[];
  /** Load jobs, in order. */
  loads: RecordedLoad[];
  /** Tables deleted (tables.delete), as `project.dataset.table`. */
  dropped: string[];
  /**
   * Fails the next `count` DML query jobs (DELETE, UPDATE, MERGE, TRUNCATE) whose target is `table`
   * (a bare name, any dataset) the way BigQuery fails DML over rows still in the streaming buffer:
   * jobs.insert accepts the job, jobs.get reports it DONE with the error, getQueryResults answers
   * HTTP 400 with the error body. Infinity: until called again with 0.
   */
  refuseDmlOverStreamingBuffer(table: string, count: number): void;
  close(): Promise<void>;
}

/** BigQuery's message for DML over streamed rows (core/adapters/gcp/streaming-buffer.ts cites it). */
export function streamingBufferMessage(qualifiedTable: string): string {
  return `UPDATE or DELETE statement over table ${qualifiedTable} would affect rows in the streaming buffer, which is not supported`;
}

/** `dataset.table` targets of the DML statements of a query (INSERT is not refused by the buffer). */
export function dmlTargets(query: string): { dataset: string; table: string }[] {
  const re =
    /\b(?:DELETE\s+(?:FROM\s+)?|UPDATE\s+|MERGE\s+(?:INTO\s+)?|TRUNCATE\s+TABLE\s+)`?(?:[\w-]+\.)?(\w+)\.(\w+)`?/gi;
  return [...query.matchAll(re)].map((m) => ({ dataset: m[1] as string, table: m[2] as string }));
}

interface QueryParameter {
  name: string;
  parameterType: { type: string };
  parameterValue: { value: string | number };
}

export async function startBigQueryJobsServer(): Promise<BigQueryJobsServer> {
  const jobs: RecordedJob[] = [];
  const results = new Map<
    string,
    { rows: Record<string, string | null>[]; types: Record<string, string>; bytes: number }
  >();
  const refusals = new Map<string, string>(); // job id -> error message
  const refuse = { table: '', count: 0 };
  const state: BigQueryJobsServer = {
    url: '',
    jobs,
    answers: [],
    loads: [],
    dropped: [],
    refuseDmlOverStreamingBuffer(table, count) {
      refuse.table = table;
      refuse.count = count;
    },
    close: async () => undefined,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const insert = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
    const get = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname);
    const results_ = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
    const upload = /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
    const table = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(
      url.pathname,
    );
    if (req.method === 'POST' && upload && url.searchParams.get('uploadType') === 'multipart') {
      const [meta, data] = splitMultipart(await readBody(req), req.headers['content-type'] ?? '');
      if (!meta || !data) return sendGoogleError(res, 400, 'invalid', 'expected a multipart/related upload');
      const job = JSON.parse(meta.toString('utf8')) as {
        jobReference?: { jobId?: string };
        configuration: { load: Record<string, unknown> & { destinationTable?: Record<string, string> } };
      };
      const id = job.jobReference?.jobId ?? `load-${state.loads.length + 1}`;
      const dest = job.configuration.load.destinationTable ?? {};
      state.loads.push({
        id,
        table: `${dest['projectId']}.${dest['datasetId']}.${dest['tableId']}`,
        load: job.configuration.load,
        data: data.toString('utf8'),
      });
      return sendJson(res, 200, jobResource(upload[1] as string, id, 0));
    }
    if (req.method === 'DELETE' && table) {
      state.dropped.push(`${table[1]}.${table[2]}.${table[3]}`);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && insert) {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as {
        jobReference?: { jobId?: string; location?: string };
        configuration: {
          query: { query: string; useLegacySql?: boolean; queryParameters?: QueryParameter[] };
        };
      };
      const id = body.jobReference?.jobId ?? `job-${jobs.length + 1}`;
      const q = body.configuration.query;
      jobs.push({
        id,
        query: q.query,
        useLegacySql: q.useLegacySql,
        location: body.jobReference?.location,
        params: Object.fromEntries(
          (q.queryParameters ?? []).map((p) => [
            p.name,
            { type: p.parameterType.type, value: String(p.parameterValue.value) },
          ]),
        ),
      });
      const target = refuse.count > 0 ? dmlTargets(q.query).find((t) => t.table === refuse.table) : undefined;
      if (target) {
        refuse.count--;
        const message = streamingBufferMessage(`${insert[1]}.${target.dataset}.${target.table}`);
        refusals.set(id, message);
        (jobs[jobs.length - 1] as RecordedJob).refused = message;
        // Accepted; the failure shows when the job is read (jobs.get, getQueryResults).
        return sendJson(res, 200, {
          ...(jobResource(insert[1] as string, id, 0) as object),
          status: { state: 'RUNNING' },
        });
      }
      const answer = state.answers.shift() ?? { rows: [] };
      results.set(id, { rows: answer.rows, types: answer.types ?? {}, bytes: answer.bytes ?? 0 });
      return sendJson(res, 200, jobResource(insert[1] as string, id, answer.bytes ?? 0));
    }
    if (req.method === 'GET' && get) {
      const refused = refusals.get(get[2] as string);
      const error = { reason: 'invalidQuery', message: refused };
      return sendJson(res, 200, {
        ...(jobResource(
          get[1] as string,
          get[2] as string,
          results.get(get[2] as string)?.bytes ?? 0,
        ) as object),
        ...(refused !== undefined && { status: { state: 'DONE', errorResult: error, errors: [error] } }),
      });
    }
    if (req.method === 'GET' && results_ && refusals.has(results_[2] as string)) {
      const message = refusals.get(results_[2] as string) as string;
      return sendJson(res, 400, {
        error: {
          code: 400,
          message,
          errors: [{ message, domain: 'global', reason: 'invalidQuery' }],
          status: 'INVALID_ARGUMENT',
        },
      });
    }
    if (req.method === 'GET' && results_) {
      const r = results.get(results_[2] as string) ?? { rows: [], types: {}, bytes: 0 };
      const names = Object.keys(r.rows[0] ?? r.types);
      return sendJson(res, 200, {
        kind: 'bigquery#getQueryResultsResponse',
        jobComplete: true,
        jobReference: { projectId: results_[1], jobId: results_[2] },
        totalRows: String(r.rows.length),
        schema: { fields: names.map((n) => ({ name: n, type: r.types[n] ?? 'STRING', mode: 'NULLABLE' })) },
        rows: r.rows.map((row) => ({ f: names.map((n) => ({ v: row[n] ?? null })) })),
      });
    }
    sendJson(res, 404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}` } });
  }

  const server = await listenOnLoopback(handle);
  state.url = server.url;
  state.close = server.close;
  return state;
}

function jobResource(projectId: string, jobId: string, bytes: number): unknown {
  return {
    kind: 'bigquery#job',
    id: `${projectId}:${jobId}`,
    jobReference: { projectId, jobId },
    status: { state: 'DONE' },
    statistics: { totalBytesProcessed: String(bytes), query: { totalBytesProcessed: String(bytes) } },
    configuration: { query: {} },
  };
}

/** The parts' bodies of a multipart/related upload (the job's JSON metadata, then the file). */
export function splitMultipart(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const chunk = body.subarray(start, next);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    // The part's body runs to the CRLF before the next delimiter.
    parts.push(chunk.subarray(headerEnd + 4, chunk.length - 2));
    at = next;
  }
  return parts;
}
