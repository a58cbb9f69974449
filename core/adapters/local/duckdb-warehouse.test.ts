// The embedded DuckDB warehouse (real DuckDB, in memory): one row DuckDB refuses is isolated and
// named while its whole group-committed batch still lands; text is stored well formed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowsRejectedError } from '../../errors.ts';
import { silentLogger } from '../../log.ts';
import type { RawEventRow } from '../../warehouse/raw-events.ts';
import { createDuckDbWarehouse, type DuckDbWarehouse } from './duckdb-warehouse.ts';

let wh: DuckDbWarehouse;
beforeEach(async () => {
  wh = await createDuckDbWarehouse(':memory:', silentLogger());
});
afterEach(async () => wh.close());

function row(i: number, over: Partial<RawEventRow> = {}): RawEventRow {
  const id = `evt${String(i).padStart(29, '0')}`;
  return {
    event_id: id,
    event_date: '2026-02-03',
    event_type: 'meeting.participant_joined',
    event_timestamp: '2026-02-03T09:00:00.000Z',
    event_ts: 1_770_109_200_000 + i,
    meeting_id: '81234567890',
    meeting_uuid: 'aBc/12+xyZ==',
    participant_id: String(16_778_240 + i),
    participant_uuid: null,
    parent_participant_id: null,
    zoom_user_id: null,
    participant_name: `Person ${i}`,
    participant_email: null,
    breakout_room_uuid: null,
    action: 'JOIN',
    leave_reason: null,
    rtms_stream_id: null,
    raw_payload: JSON.stringify({ event: 'meeting.participant_joined', i }),
    gcs_path: `raw/2026-02-03/${id}.json`,
    source: 'webhook',
    inserted_at: '2026-02-03T09:00:01.000Z',
    ...over,
  };
}

async function storedIds(): Promise<string[]> {
  const reader = await wh.connection.runAndReadAll('SELECT event_id FROM raw_events ORDER BY event_id');
  return reader.getRowObjectsJson().map((r) => String(r['event_id']));
}

describe('duckdb warehouse', () => {
  it('writes every other row of a batch DuckDB refuses one row of, and names that row', async () => {
    const bad = row(99, { raw_payload: '{not json' });
    // Three callers whose rows are group-committed into one DuckDB batch.
    const [a, b, c] = await Promise.allSettled([
      wh.insertEvents(Array.from({ length: 10 }, (_, i) => row(i))),
      wh.insertEvents([...Array.from({ length: 10 }, (_, i) => row(10 + i)), bad]),
      wh.insertEvents([row(20)]),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(c.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as RowsRejectedError;
    expect(err).toBeInstanceOf(RowsRejectedError);
    expect(err.rejected.map((r) => r.eventId)).toEqual([bad.event_id]);
    expect(err.rejected[0]?.reason).toMatch(/Conversion Error/);
    expect(await storedIds()).toEqual(Array.from({ length: 21 }, (_, i) => row(i).event_id));
    // The staging table was left clean: the next batch writes only its own row.
    await wh.insertEvents([row(21)]);
    expect(await storedIds()).toHaveLength(22);
  });

  it('stores a lone surrogate as U+FFFD, in text columns and inside raw_payload', async () => {
    const payload = JSON.stringify({ payload: { object: { participant: { user_name: 'Ana \ud83d' } } } });
    expect(payload).toContain('\\ud83d'); // what DuckDB's JSON parser refuses ("no low surrogate")
    await wh.insertEvents([row(1, { participant_name: 'Ana \ud83d', raw_payload: payload }), row(2)]);
    const reader = await wh.connection.runAndReadAll(
      `SELECT participant_name, raw_payload->>'$.payload.object.participant.user_name' AS inside
       FROM raw_events WHERE event_id = '${row(1).event_id}'`,
    );
    expect(reader.getRowObjectsJson()).toEqual([{ participant_name: 'Ana \uFFFD', inside: 'Ana \uFFFD' }]);
    expect(await storedIds()).toHaveLength(2);
  });
});
