// BigQuery refuses DML (UPDATE, DELETE, MERGE, TRUNCATE) over rows still in the streaming buffer:
// the rows the webhook streams into raw_events with tabledata.insertAll. This tells that refusal from
// other errors and retries a piece of work until the buffer has flushed, up to a deadline.
//
// What BigQuery documents and answers:
// - https://cloud.google.com/bigquery/docs/data-manipulation-language (Limitations): "Rows that were
//   recently written using the tabledata.insertall streaming method can't be modified with data
//   manipulation language (DML), such as UPDATE, DELETE, MERGE, or TRUNCATE statements. The recent
//   writes are those that occurred within the last 30 minutes. [...] The streamed data can take up
//   to 90 minutes to become available for copy operations."
// - https://cloud.google.com/bigquery/docs/error-messages: the error "UPDATE or DELETE statement over
//   table <project.dataset.table> would affect rows in the streaming buffer, which is not supported"
//   may appear for a few minutes, in rare cases for up to 90 minutes. The knowledge-base article
//   https://cloud.google.com/knowledge/kb/cannot-update-or-delete-over-bigquery-streaming-tables-000004334
//   quotes it with the table in quotes ('table_name'); a TRUNCATE says "TRUNCATE DML statement over
//   table ...", so the match is on the part all of them share.
// - It shows when the query job is read: jobs.getQueryResults answers HTTP 400 ("400 GET
//   .../bigquery/v2/projects/.../queries/...: UPDATE or DELETE statement over table p.d.t would
//   affect rows in the streaming buffer, which is not supported", as client tracebacks print it) with
//   Google's error body { error: { code: 400, message, errors: [{ message, domain: 'global', reason }],
//   status: 'INVALID_ARGUMENT' } }; reason 'invalidQuery' is BigQuery's reason for a statement it
//   rejects (the pages above do not quote it, so nothing here depends on it). @google-cloud/bigquery
//   turns the body into an ApiError (code 400, message, errors).
import type { Logger } from '../../log.ts';

/** BigQuery's words; `statement over table X would affect rows in the streaming buffer`. */
const STREAMING_BUFFER =
  /statement over table [`']?([^\s`']+)[`']? would affect rows in the streaming buffer/;

/** How long BigQuery may keep streamed rows out of reach of DML (its documented upper bound). */
export const STREAMING_BUFFER_FLUSH_MS = 90 * 60_000;

function messagesOf(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 3) return typeof err === 'string' ? [err] : [];
  const e = err as { message?: unknown; errors?: unknown; cause?: unknown };
  const out: string[] = [];
  if (typeof e.message === 'string') out.push(e.message);
  if (Array.isArray(e.errors)) for (const x of e.errors as unknown[]) out.push(...messagesOf(x, depth + 1));
  if (e.cause !== undefined) out.push(...messagesOf(e.cause, depth + 1));
  return out;
}

/** Whether `err` is BigQuery refusing DML over rows still in the streaming buffer. */
export function isStreamingBufferError(err: unknown): boolean {
  return messagesOf(err).some((m) => STREAMING_BUFFER.test(m));
}

/** The table the refusal names (`project.dataset.table`), when it is one. */
export function streamingBufferTable(err: unknown): string | undefined {
  for (const m of messagesOf(err)) {
    const table = STREAMING_BUFFER.exec(m)?.[1];
    if (table) return table;
  }
  return undefined;
}

/** Thrown once the deadline has passed with the buffer still in the way. */
export class StreamingBufferTimeoutError extends Error {
  override name = 'StreamingBufferTimeoutError';
  constructor(
    message: string,
    readonly table: string,
    /** When rows streamed before the first refusal were due out of the buffer (epoch ms). */
    readonly flushByMs: number,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

export interface StreamingBufferRetryOptions {
  /** Pause between attempts. */
  waitMs: number;
  /** How long after the first attempt to keep trying; the last attempt is made at the deadline. */
  deadlineMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
}

/**
 * Runs `work`; while it fails because rows are still in BigQuery's streaming buffer, logs, waits
 * `waitMs` and runs it again. Any other error is thrown at once. Past `deadlineMs` a
 * StreamingBufferTimeoutError names the table and when the buffer should have flushed.
 */
export async function retryWhileStreamingBuffer<T>(
  work: () => Promise<T>,
  opts: StreamingBufferRetryOptions,
): Promise<T> {
  const started = opts.now();
  let firstRefusal: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isStreamingBufferError(err)) throw err;
      const now = opts.now();
      firstRefusal ??= now;
      const table = streamingBufferTable(err) ?? 'a table';
      const flushByMs = firstRefusal + STREAMING_BUFFER_FLUSH_MS;
      const left = started + opts.deadlineMs - now;
      if (left <= 0) {
        throw new StreamingBufferTimeoutError(
          `BigQuery still refuses to change rows of ${table}: they are in its streaming buffer ` +
            `(rows streamed by tabledata.insertAll) after ${attempt} attempts over ` +
            `${Math.round((now - started) / 1000)} s. The buffer flushes within 90 minutes of a row's ` +
            `insert: rows streamed before ${new Date(firstRefusal).toISOString()} should have flushed by ` +
            `${new Date(flushByMs).toISOString()}; run again after that.`,
          table,
          flushByMs,
          err,
        );
      }
      const waitMs = Math.min(opts.waitMs, left);
      opts.log.warn(
        { table, attempt, waitMs, elapsedMs: now - started, flushBy: new Date(flushByMs).toISOString() },
        'rows still in the BigQuery streaming buffer: waiting before trying again',
      );
      await opts.sleep(waitMs);
    }
  }
}
