-- attendance: one row per roster member per meeting of attendance_date (guests with is_guest).
CREATE TABLE IF NOT EXISTS zoom_tracker.attendance (
  attendance_date DATE NOT NULL,
  meeting_id STRING,
  meeting_uuid STRING NOT NULL,
  roster_id STRING,
  email STRING,
  first_name STRING,
  last_name STRING,
  department STRING,
  participant_name STRING,
  status STRING NOT NULL,
  is_guest BOOL NOT NULL,
  first_join_time TIMESTAMP,
  last_leave_time TIMESTAMP,
  present_mins FLOAT64 NOT NULL,
  inserted_at TIMESTAMP NOT NULL
)
PARTITION BY attendance_date
CLUSTER BY meeting_uuid
OPTIONS (description = 'Attendance of roster members per meeting');
