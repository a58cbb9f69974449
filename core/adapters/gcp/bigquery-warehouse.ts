// The event warehouse on BigQuery: raw_events rows by streaming insert (insertAll) with insertId =
// event_id for best-effort dedupe (the views in sql/ dedupe by event_id exactly), batched by rows and
// bytes; rows BigQuery rejects are named in the error, other rows still land.
import { BigQuery } from '@google-cloud/bigquery';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { HealthStatus, Warehouse } from '../../ports.ts';
import { NonRetriableError, TransientUpstreamError, errorMessage } from '../../errors.ts';
import type { RawEventRow } from '../../warehouse/raw-events.ts';
import { isTransient } from './upstream-errors.ts';

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
export class RowsRejectedError extends NonRetriableError {
  override name = 'RowsRejectedError';
  constructor(readonly rejected: { eventId: string; reason: string }[]) {
    super(
      `bigquery rejected ${rejected.length} row(s): ${rejected
        .slice(0, 5)
        .map((r) => `${r.eventId} (${r.reason})`)
        .join('; ')}`,
    );
  }
}

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

  return {
    async insertEvents(rows) {
      const rejected: { eventId: string; reason: string }[] = [];
      for (const batch of batches(rows.map(toInsertRow), maxRows, maxBytes)) {
        rejected.push(...(await insertBatch(batch)));
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

/** raw_payload is a JSON column: streamed as the JSON text itself. */
function toInsertRow(row: RawEventRow): InsertRow {
  return { insertId: row.event_id, json: { ...row } };
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
