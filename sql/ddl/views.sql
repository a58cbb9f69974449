-- Views that deduplicate by id: the warehouse may hold an event (or a QoS minute) more than once
-- (streaming retries, replays); readers use these. Partitioning by the partition column first
-- lets BigQuery push a date filter through the window into partition pruning.
CREATE OR REPLACE VIEW zoom_tracker.raw_events_dedup AS
SELECT * FROM zoom_tracker.raw_events
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_date, event_id ORDER BY inserted_at) = 1;

CREATE OR REPLACE VIEW zoom_tracker.camera_minutes_dedup AS
SELECT * FROM zoom_tracker.camera_minutes
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY minute_date, meeting_uuid, participant_key, source, interval_start ORDER BY inserted_at DESC) = 1;
