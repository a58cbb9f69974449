-- raw_events: one row per accepted event (sql/README.md). Columns must equal RAW_EVENT_COLUMNS in
-- core/warehouse/raw-events.ts (checked by jobs/sql/bigquery-sql.test.ts). A day's queries prune to
-- its partitions. The last three columns are filled at normalisation so the report never reads raw_payload.
CREATE TABLE IF NOT EXISTS zoom_tracker.raw_events (
  event_id STRING NOT NULL,
  event_date DATE NOT NULL,
  event_type STRING NOT NULL,
  event_timestamp TIMESTAMP NOT NULL,
  event_ts INT64 NOT NULL,
  meeting_id STRING,
  meeting_uuid STRING,
  participant_id STRING,
  participant_uuid STRING,
  parent_participant_id STRING,
  zoom_user_id STRING,
  participant_name STRING,
  participant_email STRING,
  breakout_room_uuid STRING,
  action STRING NOT NULL,
  leave_reason STRING,
  rtms_stream_id STRING,
  raw_payload JSON NOT NULL,
  gcs_path STRING NOT NULL,
  source STRING NOT NULL,
  inserted_at TIMESTAMP NOT NULL,
  meeting_start_time TIMESTAMP,
  meeting_topic STRING,
  person_match STRING
)
PARTITION BY event_date
CLUSTER BY meeting_uuid, event_type
OPTIONS (description = 'Zoom events, one row per event_id (deduplicate with raw_events_dedup)');
