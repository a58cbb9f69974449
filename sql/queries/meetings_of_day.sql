-- The meeting instances with webhook events on a report day (what the QoS backfill visits).
-- Parameters as in daily_report.sql.
SELECT meeting_uuid, MAX(meeting_id) AS meeting_id, COUNT(*) AS event_count
FROM zoom_tracker.raw_events_dedup
WHERE event_date BETWEEN CAST(@scan_from AS DATE) AND CAST(@scan_to AS DATE)
  AND UNIX_MILLIS(event_timestamp) >= CAST(@day_start_ms AS INT64)
  AND UNIX_MILLIS(event_timestamp) < CAST(@day_end_ms AS INT64)
  AND meeting_uuid IS NOT NULL
  AND source = 'webhook'
GROUP BY meeting_uuid
ORDER BY meeting_uuid
