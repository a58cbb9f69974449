// Rebuilds the in-process live state from the raw archive at start: the embedded default keeps no
// state file, the archive is the source of truth.
import type { Logger } from '../../log.ts';
import type { Archive, LiveState } from '../../ports.ts';
import { eventIdOf } from '../../zoom/event-id.ts';
import { normalizeEvent } from '../../zoom/normalize.ts';
import type { StateEvent } from '../../zoom/types.ts';

/** Folds the archived events of the last `days` days (UTC) into `liveState`; returns how many. */
export async function rebuildStateFromArchive(
  archive: Archive,
  liveState: LiveState,
  opts: { now: number; days: number; log: Logger },
): Promise<number> {
  let count = 0;
  let batch: StateEvent[] = [];
  for (let d = opts.days; d >= 0; d--) {
    const day = new Date(opts.now - d * 86_400_000).toISOString().slice(0, 10);
    for await (const key of archive.list(`raw/${day}/`)) {
      const bytes = await archive.get(key);
      if (!bytes) continue;
      try {
        const body: unknown = JSON.parse(bytes.toString('utf8'));
        const n = normalizeEvent(body, { eventId: eventIdOf(body), gcsPath: key, insertedAt: '' });
        if (n.state) batch.push(n.state);
        count++;
      } catch (err) {
        opts.log.warn({ key, err }, 'archived event skipped while rebuilding state');
      }
      if (batch.length >= 1000) {
        await liveState.apply(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await liveState.apply(batch);
  return count;
}
