// The BigQuery warehouse adapter with the real @google-cloud/bigquery client against
// test/servers/bigquery-server.ts, a mock of insertAll (BigQuery has no local emulator).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBigQueryWarehouse, RowsRejectedError } from '../../core/adapters/gcp/bigquery-warehouse.ts';
import { parseConfig } from '../../core/config.ts';
import { TransientUpstreamError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { RawEventRow } from '../../core/warehouse/raw-events.ts';
import { startBigQueryServer, type BigQueryTestServer } from '../servers/bigquery-server.ts';

let server: BigQueryTestServer;
const TABLE = 'demo.zoom_tracker.raw_events';

beforeAll(async () => {
  server = await startBigQueryServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.tables.clear();
  server.requests.length = 0;
  server.fail(0);
  server.refuseRequestsWith(undefined);
});

function warehouse(opts: Parameters<typeof createBigQueryWarehouse>[2] = {}) {
  const config = parseConfig({ GCP_PROJECT_ID: 'demo', BIGQUERY_API_ENDPOINT: server.url });
  return createBigQueryWarehouse(config, silentLogger(), { maxRetries: 0, ...opts });
}

function row(i: number, payload = '{"event":"meeting.participant_joined"}'): RawEventRow {
  const id = `evt${String(i).padStart(29, '0')}`;
  return {
    event_id: id,
    event_date: '2026-02-03',
    event_type: 'meeting.participant_joined',
    event_timestamp: '2026-02-03T09:00:00.000Z',
    event_ts: 1_770_109_200_000 + i,
    meeting_id: '81234567890',
    meeting_uuid: 'aBc/12+xyZ==',
    participant_id: '16778240',
    participant_uuid: null,
    parent_participant_id: null,
    zoom_user_id: null,
    participant_name: 'Zoë 🎉',
    participant_email: null,
    breakout_room_uuid: null,
    action: 'JOIN',
    leave_reason: null,
    rtms_stream_id: null,
    raw_payload: payload,
    gcs_path: `raw/2026-02-03/${id}.json`,
    source: 'webhook',
    inserted_at: '2026-02-03T09:00:01.000Z',
  };
}

describe('bigquery warehouse', () => {
  it('streams rows with insertId = event_id, so a redelivered row is stored once', async () => {
    const w = warehouse();
    const rows = [row(1), row(2), row(3)];
    await w.insertEvents(rows);
    await w.insertEvents([row(2), row(3), row(4)]);
    const stored = server.tables.get(TABLE);
    expect([...(stored?.keys() ?? [])].sort()).toEqual(
      [row(1), row(2), row(3), row(4)].map((r) => r.event_id),
    );
    expect(server.requests[0]?.rows.map((r) => r.insertId)).toEqual(rows.map((r) => r.event_id));
    expect(stored?.get(row(1).event_id)).toMatchObject({
      participant_name: 'Zoë 🎉',
      raw_payload: row(1).raw_payload,
      event_ts: row(1).event_ts,
    });
    expect(server.requests.every((r) => r.skipInvalidRows)).toBe(true);
  });

  it('batches by row count and by bytes', async () => {
    await warehouse().insertEvents(Array.from({ length: 1234 }, (_, i) => row(i)));
    expect(server.requests.map((r) => r.rows.length)).toEqual([500, 500, 234]);

    server.requests.length = 0;
    const big = JSON.stringify({ event: 'x', pad: 'y'.repeat(30_000) });
    await warehouse({ maxBytes: 100_000 }).insertEvents(
      Array.from({ length: 10 }, (_, i) => row(5000 + i, big)),
    );
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.every((r) => r.bytes < 100_000 + 2_000)).toBe(true);
    expect(server.tables.get(TABLE)?.size).toBe(1234 + 10);
  });

  it('surfaces rows BigQuery rejects by event_id while the others land', async () => {
    const bad = { ...row(7), event_date: 'not-a-date' };
    const err = await warehouse()
      .insertEvents([row(6), bad, row(8)])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RowsRejectedError);
    expect((err as RowsRejectedError).rejected).toEqual([
      { eventId: bad.event_id, reason: expect.stringContaining('invalid') as string },
    ]);
    expect([...(server.tables.get(TABLE)?.keys() ?? [])].sort()).toEqual([row(6).event_id, row(8).event_id]);
  });

  it('an outage is a TransientUpstreamError; health follows it', async () => {
    const w = warehouse();
    server.fail(Infinity, 503);
    await expect(w.insertEvents([row(1)])).rejects.toBeInstanceOf(TransientUpstreamError);
    expect((await w.health()).ok).toBe(false);
    server.fail(0);
    expect(await w.health()).toMatchObject({ ok: true, backend: 'bigquery' });
  });

  it('retries a failed request and still stores each row once', async () => {
    server.fail(1, 503);
    await warehouse({ maxRetries: 2 }).insertEvents([row(1), row(2)]);
    expect(server.tables.get(TABLE)?.size).toBe(2);
  });

  it('sends a lone surrogate as U+FFFD, so the request carrying it and its neighbours land', async () => {
    const payload = JSON.stringify({ payload: { object: { participant: { user_name: 'Ana \ud83d' } } } });
    const ana = { ...row(3, payload), participant_name: 'Ana \ud83d' };
    await warehouse().insertEvents([row(1), row(2), ana, row(4)]);
    const stored = server.tables.get(TABLE);
    expect(stored?.size).toBe(4);
    expect(stored?.get(ana.event_id)).toMatchObject({
      participant_name: 'Ana \uFFFD',
      raw_payload: '{"payload":{"object":{"participant":{"user_name":"Ana \uFFFD"}}}}',
    });
  });

  it('splits a request BigQuery refuses whole until the one row it refuses stands alone', async () => {
    server.refuseRequestsWith('poison-row');
    const rows = Array.from({ length: 10 }, (_, i) => row(20 + i));
    const poison = { ...row(26), leave_reason: 'poison-row' };
    rows[6] = poison;
    const err = await warehouse()
      .insertEvents(rows)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RowsRejectedError);
    expect((err as RowsRejectedError).rejected).toEqual([
      { eventId: poison.event_id, reason: expect.stringContaining('Invalid JSON payload') as string },
    ]);
    expect([...(server.tables.get(TABLE)?.keys() ?? [])].sort()).toEqual(
      rows.filter((r) => r !== poison).map((r) => r.event_id),
    );
    // Accepted requests: rows 0-4; of 5-9 (refused) 5-7 (refused), 5-6 (refused), 5; 6 alone is refused; 7; 8-9.
    expect(server.requests.map((r) => r.rows.length)).toEqual([5, 1, 1, 2]);
  });
});
