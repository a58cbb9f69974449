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

-- raw_events for analysts: deduplicated, and QoS rows (which carry only the meeting UUID) given the
-- meeting number that the meeting's other events of the same day carry. Rows themselves stay a pure
-- function of the archived body, so replays and redeliveries never disagree.
CREATE OR REPLACE VIEW zoom_tracker.raw_events_resolved AS
SELECT * EXCEPT (day_meeting_id) REPLACE (COALESCE(meeting_id, day_meeting_id) AS meeting_id)
FROM (
  SELECT *, MAX(meeting_id) OVER (PARTITION BY event_date, meeting_uuid) AS day_meeting_id
  FROM zoom_tracker.raw_events
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY event_date, event_id ORDER BY inserted_at) = 1
);
