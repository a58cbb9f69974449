// A mock, not an emulator (BigQuery has none): the query-job slice of the BigQuery v2 REST API
// (jobs.insert, jobs.get, jobs.getQueryResults). It records each job's SQL and parameters and
// answers with rows queued by the test; enough to check what the BigQuery engine sends.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readBody, sendJson } from './loopback-http.ts';

export interface RecordedJob {
  id: string;
  query: string;
  params: Record<string, { type: string; value: string }>;
  useLegacySql: boolean | undefined;
  location: string | undefined;
}

export interface BigQueryJobsServer {
  url: string;
  jobs: RecordedJob[];
  /** Rows (all values as strings, STRING/INT64 typed by `types`) for the next query jobs, in order. */
  answers: { rows: Record<string, string | null>[]; types?: Record<string, string>; bytes?: number }[];
  close(): Promise<void>;
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
  const state: BigQueryJobsServer = { url: '', jobs, answers: [], close: async () => undefined };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const insert = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
    const get = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname);
    const results_ = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
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
      const answer = state.answers.shift() ?? { rows: [] };
      results.set(id, { rows: answer.rows, types: answer.types ?? {}, bytes: answer.bytes ?? 0 });
      return sendJson(res, 200, jobResource(insert[1] as string, id, answer.bytes ?? 0));
    }
    if (req.method === 'GET' && get) {
      return sendJson(
        res,
        200,
        jobResource(get[1] as string, get[2] as string, results.get(get[2] as string)?.bytes ?? 0),
      );
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
