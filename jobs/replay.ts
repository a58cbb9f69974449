// `replay --date D`: rebuilds the webhook rows of day D from the raw archive (raw/D/*.json), using
// the webhook's own normalisation so the rows equal what it wrote, then replaces that day's
// webhook rows in one transaction. Idempotent; unreadable files are counted and named, not fatal.
import type { Logger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { noProgress, type Progress } from './progress.ts';
import { normalizeArchived } from '../core/zoom/archived-event.ts';

export interface ReplayDeps {
  engine: SqlEngine;
  archive: Archive;
  log: Logger;
  progress?: Progress;
  now?: () => number;
  /** Rows per batch handed to the engine (default 5,000). */
  batchRows?: number;
}

export interface ReplaySummary {
  date: string;
  files: number;
  rows: number;
  skipped: number;
  bytesProcessed?: number;
  durationMs: number;
}

/** Archive reads in flight at once, and rows per batch handed to the engine. */
const READ_CONCURRENCY = 16;
const BATCH_ROWS = 5000;

export async function runReplay(deps: ReplayDeps, opts: { date: string }): Promise<ReplaySummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const progress = deps.progress ?? noProgress;
  const prefix = `raw/${opts.date}/`;
  const keys: string[] = [];
  for await (const key of deps.archive.list(prefix)) if (key.endsWith('.json')) keys.push(key);

  const insertedAt = new Date(started).toISOString();
  let rowCount = 0;
  let skipped = 0;
  async function* batches(): AsyncGenerator<RawEventRow[]> {
    let batch: RawEventRow[] = [];
    for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
      const window = keys.slice(i, i + READ_CONCURRENCY);
      for (const row of await Promise.all(window.map((key) => readRow(deps, key, insertedAt)))) {
        if (row) batch.push(row);
        else skipped++;
      }
      progress.tick(window.length);
      if (batch.length >= (deps.batchRows ?? BATCH_ROWS)) {
        rowCount += batch.length;
        yield batch;
        batch = [];
      }
    }
    rowCount += batch.length;
    yield batch;
  }

  progress.start(keys.length, `replay ${opts.date}`);
  let bytesProcessed: number | undefined;
  try {
    if (keys.length > 0) ({ bytesProcessed } = await deps.engine.replaceWebhookEvents(opts.date, batches()));
  } finally {
    progress.done();
  }
  const summary: ReplaySummary = {
    date: opts.date,
    files: keys.length,
    rows: rowCount,
    skipped,
    ...(bytesProcessed !== undefined && { bytesProcessed }),
    durationMs: now() - started,
  };
  deps.log.info(summary, keys.length === 0 ? `replay: no archived events under ${prefix}` : 'replay done');
  return summary;
}

async function readRow(deps: ReplayDeps, key: string, insertedAt: string): Promise<RawEventRow | undefined> {
  const body = await deps.archive.get(key);
  if (!body) return undefined;
  const read = normalizeArchived(key, body, insertedAt);
  if (read.ok) return read.normalized.row;
  deps.log.warn({ key, reason: read.reason }, 'replay: archived event skipped');
  return undefined;
}
