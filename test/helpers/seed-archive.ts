// Puts the fixture day's webhook bodies (sql/fixtures/2026-02-03/webhooks.json) into a DATA_DIR's
// raw archive exactly as the webhook stores them, without running the service.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { eventIdOf, rawArchiveKey } from '../../core/zoom/event-id.ts';
import { sqlDir } from '../../core/warehouse/sql-files.ts';

export const SEED_DATE = '2026-02-03';

/** Returns how many distinct events were archived. */
export async function seedFixtureArchive(dataDir: string): Promise<number> {
  const bodies = JSON.parse(
    await readFile(join(sqlDir(), 'fixtures', SEED_DATE, 'webhooks.json'), 'utf8'),
  ) as { event_ts: number }[];
  const archive = createFileArchive(join(dataDir, 'gcs'));
  const ids = new Set<string>();
  for (const body of bodies) {
    const id = eventIdOf(body);
    ids.add(id);
    const date = new Date(body.event_ts).toISOString().slice(0, 10);
    await archive.putIfAbsent(rawArchiveKey(date, id), Buffer.from(JSON.stringify(body)), 'application/json');
  }
  return ids.size;
}
