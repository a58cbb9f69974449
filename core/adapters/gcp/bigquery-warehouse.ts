// The event warehouse on BigQuery: raw_events rows by streaming insert (insertAll) with insertId =
// event_id for best-effort dedupe (the views in sql/ dedupe by event_id exactly), batched by rows and
// bytes; rows BigQuery rejects are named in the error, other rows still land (a request refused
// whole is split until the refused row stands alone).
import { BigQuery } from '@google-cloud/bigquery';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { HealthStatus, Warehouse } from '../../ports.ts';
import { NonRetriableError, RowsRejectedError, TransientUpstreamError, errorMessage } from '../../errors.ts';
import type { RawEventRow } from '../../warehouse/raw-events.ts';
import { wellFormedRow } from '../../well-formed.ts';
import { httpStatusOf, isTransient } from './upstream-errors.ts';

type WarehouseConfig = Pick<
  Config,
  'GCP_PROJECT_ID' | 'BQ_DATASET' | 'BQ_LOCATION' | 'BIGQUERY_API_ENDPOINT'
>;

export interface BigQueryWarehouseOptions {
  table?: string;
  /** Rows per insertAll request (BigQuery recommends about 500). */
  maxRows?: number;
  /** Approximate JSON bytes per request (BigQuery's hard limit is 10 MB). */
  maxBytes?: number;
  /** Client retries of a failed request (insertId makes them safe). */
  maxRetries?: number;
}

interface InsertRow {
  insertId: string;
  json: Record<string, unknown>;
}

interface RowFailure {
  row?: InsertRow;
  errors?: { reason?: string; message?: string }[];
}

/** Thrown when BigQuery refused some rows; `rejected` names them (the others were inserted). */
export { RowsRejectedError };

export function createBigQueryWarehouse(
  config: WarehouseConfig,
  log: Logger,
  opts: BigQueryWarehouseOptions = {},
): Warehouse {
  const bigquery = new BigQuery({
    ...(config.GCP_PROJECT_ID && { projectId: config.GCP_PROJECT_ID }),
    ...(config.BQ_LOCATION && { location: config.BQ_LOCATION }),
    ...(config.BIGQUERY_API_ENDPOINT && { apiEndpoint: config.BIGQUERY_API_ENDPOINT }),
    retryOptions: {
      autoRetry: (opts.maxRetries ?? 3) > 0,
      maxRetries: opts.maxRetries ?? 3,
      totalTimeout: 30,
      maxRetryDelay: 4,
    },
  });
  const table = bigquery.dataset(config.BQ_DATASET).table(opts.table ?? 'raw_events');
  const maxRows = opts.maxRows ?? 500;
  const maxBytes = opts.maxBytes ?? 5_000_000;

  async function insertBatch(batch: InsertRow[]): Promise<{ eventId: string; reason: string }[]> {
    try {
      // raw: rows are sent as given, with our insertId; skipInvalidRows: one bad row does not stop the rest.
      await table.insert(batch, { raw: true, skipInvalidRows: true, partialRetries: 0 });
      return [];
    } catch (err) {
      const failures = (err as { errors?: RowFailure[] }).errors;
      if ((err as Error).name === 'PartialFailureError' && Array.isArray(failures)) {
        return failures.map((f) => ({
          eventId: f.row?.insertId ?? '?',
          reason: (f.errors ?? []).map((e) => `${e.reason ?? 'error'}: ${e.message ?? ''}`).join(', '),
        }));
      }
      if (isTransient(err))
        throw new TransientUpstreamError(`bigquery insert failed: ${errorMessage(err)}`, { cause: err });
      throw new NonRetriableError(`bigquery insert failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** A request refused whole for what it carries (400) is split in halves, down to the one bad row. */
  async function insertSplitting(batch: InsertRow[]): Promise<{ eventId: string; reason: string }[]> {
    try {
      return await insertBatch(batch);
    } catch (err) {
      // 400 is about the request's content; 403/404 (no table, no access) would refuse every half too.
      if (!(err instanceof NonRetriableError) || httpStatusOf(err.cause) !== 400) throw err;
      if (batch.length === 1) return [{ eventId: batch[0]?.insertId ?? '?', reason: errorMessage(err) }];
      const mid = Math.ceil(batch.length / 2);
      const first = await insertSplitting(batch.slice(0, mid));
      return [...first, ...(await insertSplitting(batch.slice(mid)))];
    }
  }

  return {
    async insertEvents(rows) {
      const rejected: { eventId: string; reason: string }[] = [];
      for (const batch of batches(rows.map(toInsertRow), maxRows, maxBytes)) {
        rejected.push(...(await insertSplitting(batch)));
      }
      if (rejected.length > 0) {
        log.warn({ rejected: rejected.slice(0, 20), count: rejected.length }, 'bigquery rejected rows');
        throw new RowsRejectedError(rejected);
      }
    },

    async health(): Promise<HealthStatus> {
      try {
        await table.getMetadata();
        return { ok: true, backend: 'bigquery', detail: `${config.BQ_DATASET}.${table.id ?? 'raw_events'}` };
      } catch (err) {
        return { ok: false, backend: 'bigquery', detail: errorMessage(err) };
      }
    },

    async close() {
      // The REST client holds no connections worth closing.
    },
  };
}

/** raw_payload is a JSON column: streamed as the JSON text itself; every string well formed. */
function toInsertRow(row: RawEventRow): InsertRow {
  return { insertId: row.event_id, json: { ...wellFormedRow(row, ['raw_payload']) } };
}

/** Splits rows into requests of at most `maxRows` rows and about `maxBytes` bytes (a larger row goes alone). */
export function* batches(
  rows: readonly InsertRow[],
  maxRows: number,
  maxBytes: number,
): Generator<InsertRow[]> {
  let batch: InsertRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (batch.length > 0 && (batch.length >= maxRows || bytes + size > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(row);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
