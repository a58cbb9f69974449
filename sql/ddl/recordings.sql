-- recordings: one row per RTMS recording copied to S3 (manifest.json of the rtms-worker).
CREATE TABLE IF NOT EXISTS zoom_tracker.recordings (
  recording_date DATE NOT NULL,
  meeting_uuid STRING NOT NULL,
  meeting_id STRING,
  rtms_stream_id STRING NOT NULL,
  started_at TIMESTAMP,
  ended_at TIMESTAMP,
  duration_secs FLOAT64,
  s3_prefix STRING NOT NULL,
  manifest JSON,
  inserted_at TIMESTAMP NOT NULL
)
PARTITION BY recording_date
CLUSTER BY meeting_uuid
OPTIONS (description = 'RTMS recordings in S3, one row per stream');
