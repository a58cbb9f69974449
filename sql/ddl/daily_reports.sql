-- daily_reports: one row per person per breakout-room visit on report_date (sql/README.md).
-- Rerunning a day deletes and re-inserts that day's rows in one transaction. Camera figures are
-- NULL (unknown) when camera_source is 'none'.
CREATE TABLE IF NOT EXISTS zoom_tracker.daily_reports (
  report_date DATE NOT NULL,
  participant_name STRING,
  participant_email STRING,
  meeting_join_time TIMESTAMP NOT NULL,
  meeting_leave_time TIMESTAMP NOT NULL,
  meeting_duration_mins FLOAT64 NOT NULL,
  room_number INT64,
  room_name STRING,
  room_uuid STRING,
  room_join_time TIMESTAMP,
  room_leave_time TIMESTAMP,
  room_duration_mins FLOAT64,
  camera_on_mins FLOAT64,
  camera_off_mins FLOAT64,
  camera_percentage FLOAT64,
  next_room STRING,
  meeting_id STRING,
  meeting_uuid STRING NOT NULL,
  participant_key STRING NOT NULL,
  camera_source STRING NOT NULL,
  join_time_source STRING NOT NULL,
  meeting_topic STRING
)
PARTITION BY report_date
CLUSTER BY meeting_uuid, participant_key
OPTIONS (description = 'Daily breakout-room journeys with camera minutes');
