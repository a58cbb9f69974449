-- The CSV export of one day of daily_reports (the report's columns, in order; sql/README.md). Every value is
-- rendered to text here, in integer arithmetic, so BigQuery EXPORT DATA and DuckDB COPY write the
-- same bytes: timestamps ISO 8601 UTC to the second, minutes with 2 decimals, percentage with 1;
-- empty values are NULL (both engines write NULL as an empty field; `||` keeps NULL NULL). Parameter: @report_date.
-- Text columns (every STRING column) that a spreadsheet would run as a formula, their first character
-- one of = + - @ TAB CR, get a leading ' (core/csv.ts writes the same rule; README "CSV files").
-- Numbers, dates and times are formatted below and never changed: -1.5 stays a number.
WITH
r AS (
  SELECT
    * REPLACE (
      IF(REGEXP_CONTAINS(participant_name, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || participant_name AS participant_name,
      IF(REGEXP_CONTAINS(participant_email, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || participant_email AS participant_email,
      IF(REGEXP_CONTAINS(room_name, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || room_name AS room_name,
      IF(REGEXP_CONTAINS(room_uuid, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || room_uuid AS room_uuid,
      IF(REGEXP_CONTAINS(next_room, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || next_room AS next_room,
      IF(REGEXP_CONTAINS(meeting_id, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || meeting_id AS meeting_id,
      IF(REGEXP_CONTAINS(meeting_uuid, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || meeting_uuid AS meeting_uuid,
      IF(REGEXP_CONTAINS(participant_key, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || participant_key AS participant_key,
      IF(REGEXP_CONTAINS(camera_source, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || camera_source AS camera_source,
      IF(REGEXP_CONTAINS(join_time_source, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || join_time_source AS join_time_source,
      IF(REGEXP_CONTAINS(meeting_topic, '^[-=+@\t\r]'), CODE_POINTS_TO_STRING([39]), '') || meeting_topic AS meeting_topic
    ),
    CAST(ROUND(meeting_duration_mins * 100) AS INT64) AS dur_h,
    CAST(ROUND(room_duration_mins * 100) AS INT64) AS room_h,
    CAST(ROUND(camera_on_mins * 100) AS INT64) AS on_h,
    CAST(ROUND(camera_off_mins * 100) AS INT64) AS off_h,
    CAST(ROUND(camera_percentage * 10) AS INT64) AS pct_t
  FROM zoom_tracker.daily_reports
  WHERE report_date = CAST(@report_date AS DATE)
)
SELECT
  CAST(report_date AS STRING) AS report_date,
  NULLIF(participant_name, '') AS participant_name,
  NULLIF(participant_email, '') AS participant_email,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', meeting_join_time, 'UTC') AS meeting_join_time,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', meeting_leave_time, 'UTC') AS meeting_leave_time,
  CAST(DIV(dur_h, 100) AS STRING) || '.' || LPAD(CAST(MOD(dur_h, 100) AS STRING), 2, '0') AS meeting_duration_mins,
  CAST(room_number AS STRING) AS room_number,
  room_name,
  room_uuid,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', room_join_time, 'UTC') AS room_join_time,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', room_leave_time, 'UTC') AS room_leave_time,
  CAST(DIV(room_h, 100) AS STRING) || '.' || LPAD(CAST(MOD(room_h, 100) AS STRING), 2, '0') AS room_duration_mins,
  CAST(DIV(on_h, 100) AS STRING) || '.' || LPAD(CAST(MOD(on_h, 100) AS STRING), 2, '0') AS camera_on_mins,
  CAST(DIV(off_h, 100) AS STRING) || '.' || LPAD(CAST(MOD(off_h, 100) AS STRING), 2, '0') AS camera_off_mins,
  CAST(DIV(pct_t, 10) AS STRING) || '.' || CAST(MOD(pct_t, 10) AS STRING) AS camera_percentage,
  next_room,
  meeting_id,
  meeting_uuid,
  participant_key,
  camera_source,
  join_time_source,
  meeting_topic
FROM r
ORDER BY meeting_id, meeting_uuid, r.meeting_join_time, participant_key, r.room_number NULLS FIRST
