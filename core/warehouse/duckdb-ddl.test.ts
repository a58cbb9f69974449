// The DuckDB raw_events DDL: a table written by an older version (without the report's narrow
// columns) gains them, keeps its rows, and running the DDL again changes nothing.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { duckDbRawEventsDdl } from './duckdb-ddl.ts';
import { RAW_EVENT_COLUMNS } from './raw-events.ts';

const OLD_TABLE = `CREATE TABLE raw_events (event_id VARCHAR NOT NULL PRIMARY KEY, event_date DATE NOT NULL,
  event_type VARCHAR NOT NULL, event_timestamp TIMESTAMP NOT NULL, event_ts BIGINT NOT NULL, meeting_id VARCHAR,
  meeting_uuid VARCHAR, participant_id VARCHAR, participant_uuid VARCHAR, parent_participant_id VARCHAR,
  zoom_user_id VARCHAR, participant_name VARCHAR, participant_email VARCHAR, breakout_room_uuid VARCHAR,
  action VARCHAR NOT NULL, leave_reason VARCHAR, rtms_stream_id VARCHAR, raw_payload JSON NOT NULL,
  gcs_path VARCHAR NOT NULL, source VARCHAR NOT NULL, inserted_at TIMESTAMP NOT NULL)`;

describe('duckDbRawEventsDdl', () => {
  it('adds the columns an older table lacks, keeps its rows, and is idempotent', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      await c.run(OLD_TABLE);
      await c.run(`INSERT INTO raw_events (event_id, event_date, event_type, event_timestamp, event_ts, action,
        raw_payload, gcs_path, source, inserted_at) VALUES ('old-1', DATE '2026-04-03', 'meeting.participant_left',
        TIMESTAMP '2026-04-03 17:06:25', 1, 'LEAVE', '{}', 'raw/2026-04-03/old-1.json', 'webhook', TIMESTAMP '2026-04-03 17:06:29')`);
      await c.run(duckDbRawEventsDdl());
      await c.run(duckDbRawEventsDdl());
      const cols = await c.runAndReadAll(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'raw_events' ORDER BY ordinal_position",
      );
      expect(cols.getRows().map((r) => r[0])).toEqual(RAW_EVENT_COLUMNS.map((col) => col.name));
      const rows = await c.runAndReadAll(
        'SELECT event_id, meeting_start_time, meeting_topic, person_match FROM raw_events',
      );
      expect(rows.getRows()).toEqual([['old-1', null, null, null]]);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
