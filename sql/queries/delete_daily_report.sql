-- Removes one day of daily_reports before it is written again (rerunning a day is idempotent).
DELETE FROM zoom_tracker.daily_reports WHERE report_date = CAST(@report_date AS DATE)
