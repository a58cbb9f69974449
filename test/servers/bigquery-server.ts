// A mock, not an emulator: BigQuery has no local emulator, so this tiny in-process server speaks the
// streaming-insert slice of the BigQuery v2 REST API (tabledata.insertAll with insertId dedupe,
// per-row validation against RAW_EVENT_COLUMNS, skipInvalidRows) plus tables.get, with a 5xx knob.
// A request carrying text that is not valid Unicode (a lone UTF-16 surrogate escape) is refused whole
// with 400, as a JSON front end that decodes to UTF-8 before looking at rows does; so is one carrying
// the text given to `refuseRequestsWith` (a test knob for whole-request refusals).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RAW_EVENT_COLUMNS } from '../../core/warehouse/raw-events.ts';
import {
  failureSwitch,
  listenOnLoopback,
  readBody,
  sendGoogleError,
  sendJson as send,
} from './loopback-http.ts';

export interface InsertAllRequest {
  table: string;
  rows: { insertId?: string; json: Record<string, unknown> }[];
  bytes: number;
  skipInvalidRows: boolean;
}

export interface BigQueryTestServer {
  /** `http://127.0.0.1:<port>`: pass as BIGQUERY_API_ENDPOINT. */
  url: string;
  /** `project.dataset.table` -> insertId -> row (a row without insertId gets a fresh key). */
  tables: Map<string, Map<string, Record<string, unknown>>>;
  requests: InsertAllRequest[];
  /** Answer the next `count` requests with `status`; Infinity to stay down. */
  fail(count: number, status?: number): void;
  /** Refuse with 400 every insertAll whose body contains `text` (undefined: stop). */
  refuseRequestsWith(text: string | undefined): void;
  close(): Promise<void>;
}

/** Why a value does not fit its column, or undefined when it does (what BigQuery checks on insert). */
function invalid(row: Record<string, unknown>): { field: string; message: string } | undefined {
  for (const col of RAW_EVENT_COLUMNS) {
    const v = row[col.name];
    if (v === null || v === undefined) {
      if (col.mode === 'REQUIRED')
        return { field: col.name, message: `Missing required field: ${col.name}.` };
      continue;
    }
    const ok =
      col.type === 'STRING'
        ? typeof v === 'string'
        : col.type === 'INT64'
          ? (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v))
          : col.type === 'DATE'
            ? typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)
            : col.type === 'TIMESTAMP'
              ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
              : typeof v === 'string' && isJson(v);
    if (!ok)
      return { field: col.name, message: `Cannot convert value to ${col.type.toLowerCase()}: ${col.name}` };
  }
  const known = new Set<string>(RAW_EVENT_COLUMNS.map((c) => c.name));
  const extra = Object.keys(row).find((k) => !known.has(k));
  return extra ? { field: extra, message: `no such field: ${extra}.` } : undefined;
}

/** Every string in a parsed JSON value (keys too) is well-formed UTF-16, i.e. encodable as UTF-8. */
function wellFormed(v: unknown): boolean {
  if (typeof v === 'string') return (v as unknown as { isWellFormed(): boolean }).isWellFormed();
  if (typeof v !== 'object' || v === null) return true;
  return Object.entries(v).every(([k, x]) => wellFormed(k) && wellFormed(x));
}

/** Valid JSON whose strings are valid Unicode (a JSON column refuses `"\\ud83d"` alone). */
function isJson(s: string): boolean {
  try {
    return wellFormed(JSON.parse(s));
  } catch {
    return false;
  }
}

export async function startBigQueryServer(): Promise<BigQueryTestServer> {
  const tables = new Map<string, Map<string, Record<string, unknown>>>();
  const requests: InsertAllRequest[] = [];
  const failures = failureSwitch();
  let anonymous = 0;
  let refuseText: string | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const injected = failures.next();
    if (injected !== undefined) return sendGoogleError(res, injected, 'backendError', 'injected failure');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)(\/insertAll)?$/.exec(
      path,
    );
    if (!m) return send(res, 404, { error: { code: 404, message: `unsupported: ${req.method} ${path}` } });
    const table = `${m[1]}.${m[2]}.${m[3]}`;
    if (!m[4]) {
      if (req.method !== 'GET')
        return send(res, 405, { error: { code: 405, message: 'method not allowed' } });
      return send(res, 200, {
        kind: 'bigquery#table',
        id: `${m[1]}:${m[2]}.${m[3]}`,
        tableReference: { projectId: m[1], datasetId: m[2], tableId: m[3] },
      });
    }
    const parsed = JSON.parse(body.toString('utf8')) as {
      rows?: InsertAllRequest['rows'];
      skipInvalidRows?: boolean;
    };
    if (!wellFormed(parsed) || (refuseText !== undefined && body.toString('utf8').includes(refuseText)))
      return sendGoogleError(
        res,
        400,
        'invalid',
        'Invalid JSON payload received. Invalid UTF-8 or refused text.',
      );
    const rows = parsed.rows ?? [];
    const skipInvalidRows = parsed.skipInvalidRows === true;
    requests.push({ table, rows, bytes: body.length, skipInvalidRows });
    const problems = rows.map((r) => invalid(r.json));
    const insertErrors = problems.flatMap((p, index) =>
      p ? [{ index, errors: [{ reason: 'invalid', location: p.field, message: p.message }] }] : [],
    );
    if (insertErrors.length > 0 && !skipInvalidRows) {
      const stopped = problems.flatMap((p, index) =>
        p ? [] : [{ index, errors: [{ reason: 'stopped', location: '', message: '' }] }],
      );
      return send(res, 200, {
        kind: 'bigquery#tableDataInsertAllResponse',
        insertErrors: [...insertErrors, ...stopped],
      });
    }
    let stored = tables.get(table);
    if (!stored) tables.set(table, (stored = new Map()));
    rows.forEach((r, i) => {
      if (problems[i]) return;
      const id = r.insertId ?? `anon-${++anonymous}`;
      if (!stored.has(id)) stored.set(id, r.json); // insertId dedupe (best effort in BigQuery, exact here)
    });
    return send(res, 200, {
      kind: 'bigquery#tableDataInsertAllResponse',
      ...(insertErrors.length > 0 && { insertErrors }),
    });
  };

  const server = await listenOnLoopback(handle);
  return {
    url: server.url,
    tables,
    requests,
    fail: failures.fail,
    refuseRequestsWith: (text) => {
      refuseText = text;
    },
    close: server.close,
  };
}
