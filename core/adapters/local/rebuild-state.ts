// Recovery at start on the embedded default: the in-process live state is rebuilt from the raw
// archive (the source of truth), and warehouse rows a crash kept from being written are restored.
import type { Logger } from '../../log.ts';
import type { Archive, LiveState, Warehouse } from '../../ports.ts';
import type { RawEventRow } from '../../warehouse/raw-events.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { normalizeArchived } from '../../zoom/archived-event.ts';

/**
 * Folds the archived events of the last `days` days (UTC) into `liveState` and re-inserts their rows
 * into `warehouse` (a no-op for rows already there); returns how many events were read.
 */
export async function recoverFromArchive(
  archive: Archive,
  targets: { liveState: LiveState; warehouse: Warehouse },
  opts: { now: number; days: number; log: Logger },
): Promise<number> {
  const { liveState, warehouse } = targets;
  let count = 0;
  let batch: StateEvent[] = [];
  let rows: RawEventRow[] = [];
  for (let d = opts.days; d >= 0; d--) {
    const day = new Date(opts.now - d * 86_400_000).toISOString().slice(0, 10);
    for await (const key of archive.list(`raw/${day}/`)) {
      const bytes = await archive.get(key);
      if (!bytes) continue;
      const read = normalizeArchived(key, bytes, new Date(opts.now).toISOString());
      if (read.ok) {
        if (read.normalized.state) batch.push(read.normalized.state);
        rows.push(read.normalized.row);
        count++;
      } else {
        opts.log.warn({ key, reason: read.reason }, 'archived event skipped while rebuilding state');
      }
      if (rows.length >= 2000) {
        await Promise.all([liveState.apply(batch), warehouse.insertEvents(rows)]);
        batch = [];
        rows = [];
      }
    }
  }
  await Promise.all([liveState.apply(batch), warehouse.insertEvents(rows)]);
  return count;
}
