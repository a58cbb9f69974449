// Recovery at start on the embedded default: the in-process live state is rebuilt from the raw
// archive (the source of truth), and warehouse rows a crash kept from being written are restored.
// One unreadable or refused event never stops the start: it is logged, skipped and counted.
import { errorMessage, RowsRejectedError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Archive, LiveState, Warehouse } from '../../ports.ts';
import type { RawEventRow } from '../../warehouse/raw-events.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { normalizeArchived } from '../../zoom/archived-event.ts';

export interface RecoverySummary {
  /** Events read from the archive and folded into live state. */
  events: number;
  /** Events left out of live state or the warehouse (each logged with its key or id). */
  skipped: number;
  lastError?: string;
}

/**
 * Folds the archived events of the last `days` days (UTC) into `liveState` and re-inserts their rows
 * into `warehouse` (a no-op for rows already there). Never throws for one event.
 */
export async function recoverFromArchive(
  archive: Archive,
  targets: { liveState: LiveState; warehouse: Warehouse },
  opts: { now: number; days: number; log: Logger },
): Promise<RecoverySummary> {
  const { liveState, warehouse } = targets;
  const { log } = opts;
  const summary: RecoverySummary = { events: 0, skipped: 0 };
  const skip = (fields: Record<string, unknown>, reason: string, count = 1) => {
    summary.skipped += count;
    summary.lastError = reason;
    log.warn({ ...fields, reason }, 'archived event skipped at start-up recovery');
  };

  async function applyState(events: StateEvent[]): Promise<void> {
    try {
      await liveState.apply(events);
    } catch (err) {
      // One event the fold cannot take must not cost the others: apply them one by one.
      for (const e of events) {
        await liveState.apply([e]).catch((one: unknown) => {
          summary.events--;
          skip({ eventId: e.eventId }, `live state refused it: ${errorMessage(one ?? err)}`);
        });
      }
    }
  }

  async function insertRows(rows: RawEventRow[]): Promise<void> {
    try {
      await warehouse.insertEvents(rows);
    } catch (err) {
      if (err instanceof RowsRejectedError) {
        for (const r of err.rejected) skip({ eventId: r.eventId }, `warehouse refused its row: ${r.reason}`);
      } else {
        skip({ rows: rows.length }, `warehouse write failed: ${errorMessage(err)}`, rows.length);
      }
    }
  }

  let batch: StateEvent[] = [];
  let rows: RawEventRow[] = [];
  const insertedAt = new Date(opts.now).toISOString();
  for (let d = opts.days; d >= 0; d--) {
    const day = new Date(opts.now - d * 86_400_000).toISOString().slice(0, 10);
    try {
      for await (const key of archive.list(`raw/${day}/`)) {
        let bytes: Buffer | undefined;
        try {
          bytes = await archive.get(key);
        } catch (err) {
          skip({ key }, `archive read failed: ${errorMessage(err)}`);
          continue;
        }
        if (!bytes) continue;
        const read = normalizeArchived(key, bytes, insertedAt);
        if (!read.ok) {
          skip({ key }, read.reason);
          continue;
        }
        if (read.normalized.state) batch.push(read.normalized.state);
        rows.push(read.normalized.row);
        summary.events++;
        if (rows.length >= 2000) {
          await Promise.all([applyState(batch), insertRows(rows)]);
          batch = [];
          rows = [];
        }
      }
    } catch (err) {
      // A day whose folder cannot be listed is named; the other days still recover.
      skip({ day }, `archive listing failed: ${errorMessage(err)}`, 0);
    }
  }
  await Promise.all([applyState(batch), insertRows(rows)]);
  return summary;
}
