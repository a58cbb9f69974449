-- What the warehouse holds of the UTC event_dates a report reads, for its reconciliation with the
-- archive: distinct webhook events per date, and rows written before the report's narrow columns
-- existed (they name a participant but carry no person_match). Parameters: @window_from, @window_to.
SELECT
  CAST(event_date AS STRING) AS event_date,
  COUNT(DISTINCT event_id) AS events,
  COUNTIF(person_match IS NULL AND (participant_name IS NOT NULL OR participant_email IS NOT NULL)) AS outdated
FROM zoom_tracker.raw_events
WHERE event_date BETWEEN CAST(@window_from AS DATE) AND CAST(@window_to AS DATE) AND source = 'webhook'
GROUP BY event_date
