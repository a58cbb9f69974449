// raw_events_resolved on DuckDB (the same view text BigQuery runs, translated): duplicates are read
// once and QoS rows get the meeting number the meeting's other events of that day carry.
import { describe, expect, it } from 'vitest';
import { createFileArchive } from '../adapters/local/file-archive.ts';
import { eventIdOf } from '../zoom/event-id.ts';
import { normalizeEvent } from '../zoom/normalize.ts';
import { MEETING, PEOPLE, zoom } from '../../demo/simulator/zoom-events.ts';
import { createDuckDbEngine } from '../adapters/local/duckdb-engine.ts';

describe('raw_events_resolved', () => {
  it('maps QoS rows to the meeting number and dedupes', async () => {
    const engine = await createDuckDbEngine({ path: ':memory:', archive: createFileArchive('/nonexistent') });
    try {
      const t0 = Date.parse(MEETING.startTime);
      const person = PEOPLE[0] as (typeof PEOPLE)[0];
      const rows = [zoom.joined(MEETING, person, t0), zoom.qos(MEETING, person, t0 + 60_000, '800 kbps')].map(
        (b) =>
          normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: 'k', insertedAt: '2026-02-03T10:00:00.000Z' })
            .row,
      );
      expect(rows[1]?.meeting_id).toBeNull();
      await engine.replaceWebhookEvents('2026-02-03', [...rows, ...rows]);
      const { rows: out } = await engine.query(
        'SELECT action, meeting_id FROM zoom_tracker.raw_events_resolved WHERE event_date = @d ORDER BY action',
        { d: '2026-02-03' },
      );
      expect(out).toEqual([
        { action: 'JOIN', meeting_id: MEETING.id },
        { action: 'QOS', meeting_id: MEETING.id },
      ]);
    } finally {
      await engine.close();
    }
  });
});
