// Complete before computed: before a report reads a UTC event_date, the warehouse's webhook rows of
// that date are reconciled with the archive (raw/D/*.json, the source of truth). Missing events are
// restored from their archived bodies, idempotently; rows written before the report's narrow columns
// existed are rebuilt (replay). A warehouse still short afterwards stops the report with a clear error.
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import { normalizeArchived } from '../core/zoom/archived-event.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { runReplay } from './replay.ts';
import { readSql } from '../core/warehouse/sql-files.ts';

export interface ReconcileDeps {
  engine: SqlEngine;
  archive: Archive;
  log: Logger;
  dataset?: string;
  now?: () => number;
}

export interface ReconcileSummary {
  date: string;
  /** Events in the archive (raw/D/*.json). */
  archived: number;
  /** Distinct webhook events the warehouse held before reconciling. */
  before: number;
  /** Rows added from the archive. */
  restored: number;
  /** Whether the whole day was rebuilt (rows that predate the report's columns). */
  rebuilt: boolean;
  /** Archived bodies that are not events (unparseable, or id not matching the file name). */
  unreadable: number;
}

/** The warehouse misses archived events and they could not be restored: no report is computed. */
export class IncompleteWarehouseError extends Error {
  override name = 'IncompleteWarehouseError';
}

const READ_CONCURRENCY = 16;

/** Reconciles consecutive UTC dates (one count query for all, then only the dates that differ). */
export async function reconcileDays(
  deps: ReconcileDeps,
  dates: readonly string[],
): Promise<ReconcileSummary[]> {
  if (dates.length === 0) return [];
  const held = await counts(deps, dates[0] as string, dates[dates.length - 1] as string);
  const out: ReconcileSummary[] = [];
  for (const date of dates) out.push(await reconcileDay(deps, date, held.get(date) ?? EMPTY));
  return out;
}

interface Held {
  events: number;
  outdated: number;
}
const EMPTY: Held = { events: 0, outdated: 0 };

async function archivedKeys(deps: ReconcileDeps, date: string): Promise<string[]> {
  const keys: string[] = [];
  try {
    for await (const key of deps.archive.list(`raw/${date}/`)) if (key.endsWith('.json')) keys.push(key);
  } catch (err) {
    throw new IncompleteWarehouseError(
      `cannot check the warehouse against the archive for ${date}: listing raw/${date}/ failed (${errorMessage(err)}); no report was computed`,
    );
  }
  return keys;
}

async function counts(deps: ReconcileDeps, from: string, to: string): Promise<Map<string, Held>> {
  const { rows } = await deps.engine.query<{ event_date: string; events: number; outdated: number | null }>(
    readSql('queries/count_webhook_events.sql', deps.dataset),
    { window_from: from, window_to: to },
  );
  return new Map(
    rows.map((r) => [String(r.event_date), { events: Number(r.events), outdated: Number(r.outdated ?? 0) }]),
  );
}

async function reconcileDay(deps: ReconcileDeps, date: string, held: Held): Promise<ReconcileSummary> {
  const keys = await archivedKeys(deps, date);
  const summary: ReconcileSummary = {
    date,
    archived: keys.length,
    before: held.events,
    restored: 0,
    rebuilt: false,
    unreadable: 0,
  };
  if (held.outdated > 0) {
    // Written by a version without the report's columns: rebuild the day from the archive.
    const replay = await runReplay({ engine: deps.engine, archive: deps.archive, log: deps.log }, { date });
    summary.rebuilt = true;
    summary.unreadable = replay.skipped;
    summary.restored = Math.max(0, replay.rows - held.events);
    deps.log.info({ ...summary, outdated: held.outdated }, 'warehouse rows rebuilt from the archive');
  } else if (held.events < keys.length) {
    const { rows } = await deps.engine.query<{ event_id: string }>(
      readSql('queries/webhook_event_ids.sql', deps.dataset),
      { event_date: date },
    );
    const present = new Set(rows.map((r) => r.event_id));
    const missing = keys.filter((k) => !present.has(k.slice(k.lastIndexOf('/') + 1, -'.json'.length)));
    const { rows: restored, notEvents } = await readRows(deps, missing);
    summary.unreadable = notEvents;
    if (restored.length > 0) await deps.engine.insertWebhookEvents(restored);
    summary.restored = restored.length;
    deps.log.warn(
      summary,
      summary.restored > 0
        ? 'warehouse was missing archived events: restored from the archive'
        : 'archived bodies that are not events were skipped',
    );
  } else if (held.events > keys.length) {
    deps.log.warn(
      { date, archived: keys.length, warehouse: held.events },
      'warehouse holds webhook events the archive does not (archive objects removed?)',
    );
  }
  if (summary.rebuilt || held.events < keys.length) {
    const after = (await counts(deps, date, date)).get(date)?.events ?? 0;
    if (after + summary.unreadable < keys.length) {
      throw new IncompleteWarehouseError(
        `the warehouse still misses ${keys.length - summary.unreadable - after} archived events of ${date} after restoring them; no report was computed (run \`replay --date ${date}\`)`,
      );
    }
  }
  return summary;
}

/**
 * The rows of archived bodies, as the webhook made them. Bodies that are not events are logged and
 * counted; a body gone since the listing is neither (the check after restoring then fails).
 */
async function readRows(
  deps: ReconcileDeps,
  keys: readonly string[],
): Promise<{ rows: RawEventRow[]; notEvents: number }> {
  const insertedAt = new Date((deps.now ?? Date.now)()).toISOString();
  const rows: RawEventRow[] = [];
  let notEvents = 0;
  for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
    const window = keys.slice(i, i + READ_CONCURRENCY);
    const bodies = await Promise.all(window.map((key) => deps.archive.get(key)));
    window.forEach((key, j) => {
      const body = bodies[j];
      if (!body) return;
      const read = normalizeArchived(key, body, insertedAt);
      if (read.ok) rows.push(read.normalized.row);
      else {
        notEvents++;
        deps.log.warn({ key, reason: read.reason }, 'archived body not restored: not an event');
      }
    });
  }
  return { rows, notEvents };
}
