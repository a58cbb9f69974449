-- camera_minutes: camera samples per participant. source 'qos' = one Dashboard QoS minute
-- [interval_start, interval_start + 60 s); the report reads RTMS video on/off from raw_events.
CREATE TABLE IF NOT EXISTS zoom_tracker.camera_minutes (
  minute_date DATE NOT NULL,
  meeting_uuid STRING NOT NULL,
  meeting_id STRING,
  participant_key STRING NOT NULL,
  participant_uuid STRING,
  participant_id STRING,
  participant_name STRING,
  participant_email STRING,
  source STRING NOT NULL,
  interval_start TIMESTAMP NOT NULL,
  interval_end TIMESTAMP NOT NULL,
  camera_on BOOL NOT NULL,
  video_bitrate_kbps FLOAT64,
  video_resolution STRING,
  video_frame_rate FLOAT64,
  inserted_at TIMESTAMP NOT NULL
)
PARTITION BY minute_date
CLUSTER BY meeting_uuid, participant_key
OPTIONS (description = 'Camera samples: Dashboard QoS video_input per minute');
