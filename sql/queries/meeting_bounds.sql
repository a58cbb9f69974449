-- Each meeting's start and end as its events tell them (attendance measures Late from the start):
-- payload.object.start_time (every meeting event carries it), else meeting.started; meeting.ended.
-- Parameters as daily_report.sql (the same window of events).
SELECT
  meeting_uuid,
  COALESCE(
    MIN(UNIX_MILLIS(meeting_start_time)),
    MIN(CASE WHEN action = 'MEETING_START' THEN UNIX_MILLIS(event_timestamp) END)
  ) AS start_ms,
  MAX(CASE WHEN action = 'MEETING_END' THEN UNIX_MILLIS(event_timestamp) END) AS end_ms
FROM zoom_tracker.raw_events_dedup
WHERE event_date BETWEEN CAST(@window_from AS DATE) AND CAST(@window_to AS DATE)
  AND UNIX_MILLIS(event_timestamp) >= CAST(@window_start_ms AS INT64)
  AND UNIX_MILLIS(event_timestamp) < CAST(@window_end_ms AS INT64)
  AND meeting_uuid IS NOT NULL
  AND source = 'webhook'
GROUP BY meeting_uuid
