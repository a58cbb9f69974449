-- The ids of one UTC event_date of webhook events in the warehouse (reconciliation: which archived
-- events are missing). Parameter: @event_date.
SELECT DISTINCT event_id
FROM zoom_tracker.raw_events
WHERE event_date = CAST(@event_date AS DATE) AND source = 'webhook'
