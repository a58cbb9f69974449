-- roster: the people expected in meetings (uploaded CSV: email, first name, last name, id, department).
CREATE TABLE IF NOT EXISTS zoom_tracker.roster (
  roster_id STRING NOT NULL,
  email STRING NOT NULL,
  first_name STRING,
  last_name STRING,
  department STRING,
  loaded_at TIMESTAMP NOT NULL
)
CLUSTER BY email
OPTIONS (description = 'Roster members matched to participants by email, case-insensitive');
