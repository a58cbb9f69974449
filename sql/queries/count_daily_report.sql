-- Rows of one day of daily_reports.
SELECT COUNT(*) AS row_count FROM zoom_tracker.daily_reports WHERE report_date = CAST(@report_date AS DATE)
