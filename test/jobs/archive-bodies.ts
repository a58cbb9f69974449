// Test helpers: webhook bodies archived as the webhook stores them (raw/<event_date>/<event_id>.json),
// and an exported CSV read back as text.
import type { Archive } from '../../core/ports.ts';
import { eventIdOf, rawArchiveKey } from '../../core/zoom/event-id.ts';
import { normalizeEvent } from '../../core/zoom/normalize.ts';
import { exportKey } from '../../core/warehouse/report-contract.ts';

/** Archives each body once; returns how many were new. */
export async function archiveBodies(archive: Archive, bodies: readonly unknown[]): Promise<number> {
  let created = 0;
  for (const body of bodies) {
    const eventId = eventIdOf(body);
    const date = normalizeEvent(body, { eventId, gcsPath: '', insertedAt: '' }).row.event_date;
    const put = await archive.putIfAbsent(
      rawArchiveKey(date, eventId),
      Buffer.from(JSON.stringify(body)),
      'application/json',
    );
    if (put === 'created') created++;
  }
  return created;
}

/** The export of a day as text, exactly as stored (byte-order mark included). */
export async function exportedCsv(archive: Archive, date: string): Promise<string | undefined> {
  return (await archive.get(exportKey(date)))?.toString('utf8');
}
