-- The daily breakout-journey report (DESIGN §4): one row per participant per breakout-room visit
-- on @report_date. BigQuery SQL, the one source of truth; jobs/sql/to-duckdb.ts translates it for
-- DuckDB. Semantics decisions are documented in sql/README.md. All interval arithmetic is done in
-- integer epoch milliseconds so both engines produce identical figures.
-- Parameters: @report_date (YYYY-MM-DD), @day_start_ms / @day_end_ms (the day in REPORT_TIMEZONE,
-- [start, end)), @scan_from / @scan_to (the UTC partitions that day overlaps).
WITH
events AS (
  SELECT
    e.event_id, e.event_ts, e.action, e.source, e.meeting_uuid, e.meeting_id,
    UNIX_MILLIS(e.event_timestamp) AS t,
    COALESCE(e.breakout_room_uuid, '') AS loc,
    e.participant_id, e.parent_participant_id, e.participant_name, e.participant_email,
    COALESCE(e.participant_uuid, e.participant_email, e.participant_name) AS pkey,
    -- A 64-bit id of (meeting, participant) to partition windows by: cheaper to sort than strings.
    FARM_FINGERPRINT(CONCAT(e.meeting_uuid, '|', COALESCE(e.participant_uuid, e.participant_email, e.participant_name, ''))) AS pid
  FROM zoom_tracker.raw_events_dedup AS e
  WHERE e.event_date BETWEEN CAST(@scan_from AS DATE) AND CAST(@scan_to AS DATE)
    AND e.meeting_uuid IS NOT NULL
    AND UNIX_MILLIS(e.event_timestamp) >= CAST(@day_start_ms AS INT64)
    AND UNIX_MILLIS(e.event_timestamp) < CAST(@day_end_ms AS INT64)
),
meetings AS (
  SELECT
    meeting_uuid,
    MAX(meeting_id) AS meeting_id,
    MIN(CASE WHEN action = 'MEETING_START' THEN t END) AS start_t,
    MAX(CASE WHEN action = 'MEETING_END' THEN t END) AS end_t
  FROM events
  GROUP BY meeting_uuid
),
-- Presence moves of webhook participants: joins and leaves of the main session and of rooms.
moves AS (
  SELECT
    meeting_uuid, pkey, pid, event_id, event_ts, t, loc,
    FARM_FINGERPRINT(CONCAT(CAST(pid AS STRING), '|', loc)) AS plid,
    action = 'JOIN' AS is_join,
    action IN ('LEAVE', 'LEAVE_TO_BREAKOUT') AS is_leave,
    action = 'LEAVE' AND loc = '' AS is_exit
  FROM events
  WHERE source = 'webhook' AND action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND pkey IS NOT NULL
),
-- A join right after a join to the same place (no leave between) repeats it: dropped.
moves_marked AS (
  SELECT
    *,
    LAG(is_join) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_is_join,
    LAG(loc) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_loc
  FROM moves
),
moves_kept AS (
  SELECT meeting_uuid, pkey, pid, plid, event_id, event_ts, t, loc, is_join, is_leave, is_exit
  FROM moves_marked
  WHERE NOT (is_join AND COALESCE(prev_is_join, FALSE) AND prev_loc = loc)
),
moves_seq AS (
  SELECT
    *,
    LAG(t) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_t,
    LAG(loc) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_loc,
    LAG(is_leave) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_is_leave,
    LAG(is_exit) OVER (PARTITION BY pid ORDER BY t, event_ts, event_id) AS prev_is_exit,
    LAG(is_join) OVER (PARTITION BY plid ORDER BY t, event_ts, event_id) AS prev_here_is_join,
    MIN(CASE WHEN is_join THEN t END) OVER (
      PARTITION BY pid ORDER BY t, event_ts, event_id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_join_t,
    MIN(CASE WHEN is_exit THEN t END) OVER (
      PARTITION BY pid ORDER BY t, event_ts, event_id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_exit_t,
    MIN(CASE WHEN is_leave THEN t END) OVER (
      PARTITION BY plid ORDER BY t, event_ts, event_id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_leave_here_t
  FROM moves_kept
),
-- Intervals of presence per place ('' = main session), within [day start, day end).
intervals AS (
  -- A join lasts until its leave, the next join elsewhere, the leave from the meeting or the
  -- meeting's end, whichever is first; with none of these, until the end of the day.
  SELECT
    s.meeting_uuid, s.pkey, s.pid, s.loc, s.t AS start_t,
    LEAST(
      COALESCE(s.next_leave_here_t, CAST(@day_end_ms AS INT64)),
      COALESCE(s.next_join_t, CAST(@day_end_ms AS INT64)),
      COALESCE(s.next_exit_t, CAST(@day_end_ms AS INT64)),
      COALESCE(CASE WHEN m.end_t >= s.t THEN m.end_t END, CAST(@day_end_ms AS INT64))
    ) AS end_t
  FROM moves_seq AS s
  JOIN meetings AS m USING (meeting_uuid)
  WHERE s.is_join
  UNION ALL
  -- A leave without its join started at the participant's previous event, else at the meeting's
  -- start, else at the start of the day (a meeting that crossed midnight). A leave that only
  -- repeats a leave (previous event: a leave from the same place, or from the meeting) adds nothing.
  SELECT
    s.meeting_uuid, s.pkey, s.pid, s.loc,
    COALESCE(s.prev_t, CASE WHEN m.start_t <= s.t THEN m.start_t END, CAST(@day_start_ms AS INT64)) AS start_t,
    s.t AS end_t
  FROM moves_seq AS s
  JOIN meetings AS m USING (meeting_uuid)
  WHERE s.is_leave
    AND NOT COALESCE(s.prev_here_is_join, FALSE)
    AND NOT COALESCE(s.prev_is_exit, FALSE)
    AND NOT (COALESCE(s.prev_is_leave, FALSE) AND s.prev_loc = s.loc)
),
-- Display name and email: the ones the participant's latest event carrying them had.
last_seen AS (
  SELECT
    meeting_uuid, pkey,
    MAX(CASE WHEN participant_name IS NOT NULL THEN t END) AS name_t,
    MAX(CASE WHEN participant_email IS NOT NULL THEN t END) AS email_t
  FROM events
  WHERE source = 'webhook' AND pkey IS NOT NULL
  GROUP BY meeting_uuid, pkey
),
identity AS (
  SELECT
    e.meeting_uuid, e.pkey,
    MAX(CASE WHEN e.t = l.name_t THEN e.participant_name END) AS participant_name,
    MAX(CASE WHEN e.t = l.email_t THEN e.participant_email END) AS participant_email
  FROM events AS e
  JOIN last_seen AS l ON l.meeting_uuid = e.meeting_uuid AND l.pkey = e.pkey
  WHERE e.source = 'webhook'
  GROUP BY e.meeting_uuid, e.pkey
),
-- Breakout-room visits; rooms are named by the order in which anyone first entered them.
visits AS (
  SELECT meeting_uuid, pkey, loc AS room_uuid, start_t, end_t
  FROM intervals
  WHERE loc <> ''
),
rooms AS (
  SELECT
    meeting_uuid, room_uuid,
    CONCAT('Room-', CAST(DENSE_RANK() OVER (PARTITION BY meeting_uuid ORDER BY first_t, room_uuid) AS STRING)) AS room_name
  FROM (
    SELECT meeting_uuid, room_uuid, MIN(start_t) AS first_t
    FROM visits
    GROUP BY meeting_uuid, room_uuid
  )
),
journeys AS (
  SELECT
    v.meeting_uuid, v.pkey, v.room_uuid, v.start_t, v.end_t, r.room_name,
    ROW_NUMBER() OVER (PARTITION BY v.meeting_uuid, v.pkey ORDER BY v.start_t, v.end_t, v.room_uuid) AS room_number,
    LEAD(r.room_name) OVER (PARTITION BY v.meeting_uuid, v.pkey ORDER BY v.start_t, v.end_t, v.room_uuid) AS next_room
  FROM visits AS v
  JOIN rooms AS r USING (meeting_uuid, room_uuid)
),
-- Who a webhook participant is by per-meeting user id (main id, or parent id inside rooms) and by
-- name, learnt from presence moves only: other events (sharing) carry no participant_uuid, so their
-- key would be a name that is nobody's report row.
ids AS (
  SELECT meeting_uuid, uid, MIN(pkey) AS pkey
  FROM (
    SELECT meeting_uuid, participant_id AS uid, pkey FROM events
    WHERE source = 'webhook' AND action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND participant_id IS NOT NULL AND pkey IS NOT NULL
    UNION ALL
    SELECT meeting_uuid, parent_participant_id AS uid, pkey FROM events
    WHERE source = 'webhook' AND action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND parent_participant_id IS NOT NULL AND pkey IS NOT NULL
  )
  GROUP BY meeting_uuid, uid
),
names AS (
  SELECT meeting_uuid, participant_name AS name, MIN(pkey) AS pkey
  FROM events
  WHERE source = 'webhook' AND action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND participant_name IS NOT NULL AND pkey IS NOT NULL
  GROUP BY meeting_uuid, participant_name
),
-- RTMS video on/off, resolved to the webhook participant; leaves from the meeting end camera time.
camera_events AS (
  SELECT
    r.meeting_uuid,
    COALESCE(i.pkey, n.pkey, r.participant_name, r.participant_id) AS pkey,
    FARM_FINGERPRINT(CONCAT(r.meeting_uuid, '|', COALESCE(i.pkey, n.pkey, r.participant_name, r.participant_id, ''))) AS pid,
    r.t, r.event_ts, r.event_id,
    r.action = 'VIDEO_ON' AS is_on,
    TRUE AS is_video
  FROM events AS r
  LEFT JOIN ids AS i ON i.meeting_uuid = r.meeting_uuid AND i.uid = r.participant_id
  LEFT JOIN names AS n ON n.meeting_uuid = r.meeting_uuid AND n.name = r.participant_name
  WHERE r.source = 'rtms' AND r.action IN ('VIDEO_ON', 'VIDEO_OFF')
  UNION ALL
  SELECT meeting_uuid, pkey, pid, t, event_ts, event_id, FALSE AS is_on, FALSE AS is_video
  FROM moves_kept
  WHERE is_exit
),
camera_seq AS (
  SELECT
    *,
    MIN(t) OVER (
      PARTITION BY pid ORDER BY t, event_ts, event_id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_t,
    COUNT(*) OVER (
      PARTITION BY pid ORDER BY t, event_ts, event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
  FROM camera_events
),
camera_raw AS (
  -- On until the next video event or leave from the meeting, else the meeting's end, else day end.
  SELECT
    c.meeting_uuid, c.pkey, c.pid, c.t AS start_t,
    LEAST(
      COALESCE(c.next_t, CAST(@day_end_ms AS INT64)),
      COALESCE(CASE WHEN m.end_t >= c.t THEN m.end_t END, CAST(@day_end_ms AS INT64))
    ) AS end_t
  FROM camera_seq AS c
  JOIN meetings AS m USING (meeting_uuid)
  WHERE c.is_video AND c.is_on
  UNION ALL
  -- An off with nothing before it: the camera was on since the start of the day.
  SELECT meeting_uuid, pkey, pid, CAST(@day_start_ms AS INT64) AS start_t, t AS end_t
  FROM camera_seq
  WHERE is_video AND NOT is_on AND earlier = 0
  UNION ALL
  -- Dashboard QoS minutes whose video_input showed a bitrate > 0: [t, t + 60 s).
  SELECT
    meeting_uuid, participant_key AS pkey,
    FARM_FINGERPRINT(CONCAT(meeting_uuid, '|', participant_key)) AS pid,
    UNIX_MILLIS(interval_start) AS start_t, UNIX_MILLIS(interval_end) AS end_t
  FROM zoom_tracker.camera_minutes_dedup
  WHERE minute_date BETWEEN CAST(@scan_from AS DATE) AND CAST(@scan_to AS DATE)
    AND source = 'qos' AND camera_on
),
-- Presence and camera-on time: each the union of its intervals, merged into islands (gaps and
-- islands, once for both). Zero-length presence counts (a join and leave in the same instant).
timed AS (
  SELECT 'presence' AS kind, meeting_uuid, pkey, pid, start_t, end_t FROM intervals
  UNION ALL
  SELECT 'camera' AS kind, meeting_uuid, pkey, pid, start_t, end_t FROM camera_raw WHERE end_t > start_t
),
timed_marked AS (
  SELECT
    kind, meeting_uuid, pkey, pid, start_t, end_t,
    CASE
      WHEN start_t <= MAX(end_t) OVER (
        PARTITION BY pid, kind ORDER BY start_t, end_t
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0
      ELSE 1
    END AS is_new
  FROM timed
),
timed_numbered AS (
  SELECT
    *,
    SUM(is_new) OVER (
      PARTITION BY pid, kind ORDER BY start_t, end_t
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM timed_marked
),
islands AS (
  SELECT kind, meeting_uuid, pkey, island, MIN(start_t) AS start_t, MAX(end_t) AS end_t
  FROM timed_numbered
  GROUP BY kind, meeting_uuid, pkey, island
),
presence AS (
  SELECT meeting_uuid, pkey, island, start_t, end_t FROM islands WHERE kind = 'presence'
),
camera_on AS (
  SELECT meeting_uuid, pkey, island, start_t, end_t FROM islands WHERE kind = 'camera'
),
people AS (
  SELECT
    meeting_uuid, pkey,
    MIN(start_t) AS join_t,
    MAX(end_t) AS leave_t,
    SUM(end_t - start_t) AS presence_ms
  FROM presence
  GROUP BY meeting_uuid, pkey
),
camera_sources AS (
  SELECT
    meeting_uuid, pkey,
    MAX(CASE WHEN src = 'rtms' THEN 1 ELSE 0 END) AS has_rtms,
    MAX(CASE WHEN src = 'qos' THEN 1 ELSE 0 END) AS has_qos
  FROM (
    SELECT meeting_uuid, pkey, 'rtms' AS src FROM camera_events WHERE is_video
    UNION ALL
    SELECT meeting_uuid, participant_key AS pkey, 'qos' AS src
    FROM zoom_tracker.camera_minutes_dedup
    WHERE minute_date BETWEEN CAST(@scan_from AS DATE) AND CAST(@scan_to AS DATE)
      AND source = 'qos' AND video_bitrate_kbps IS NOT NULL
  )
  GROUP BY meeting_uuid, pkey
),
-- The spans a row's camera figures cover: each visit, or the whole presence when there is none.
spans AS (
  SELECT meeting_uuid, pkey, room_number, start_t, end_t FROM journeys
  UNION ALL
  SELECT p.meeting_uuid, p.pkey, CAST(NULL AS INT64) AS room_number, p.start_t, p.end_t
  FROM presence AS p
  WHERE NOT EXISTS (SELECT 1 FROM journeys AS j WHERE j.meeting_uuid = p.meeting_uuid AND j.pkey = p.pkey)
),
span_camera AS (
  SELECT
    s.meeting_uuid, s.pkey, s.room_number,
    SUM(CASE
      WHEN c.start_t IS NULL THEN 0
      ELSE GREATEST(0, LEAST(s.end_t, c.end_t) - GREATEST(s.start_t, c.start_t))
    END) AS on_ms
  FROM spans AS s
  LEFT JOIN camera_on AS c
    ON c.meeting_uuid = s.meeting_uuid AND c.pkey = s.pkey AND c.start_t < s.end_t AND c.end_t > s.start_t
  GROUP BY s.meeting_uuid, s.pkey, s.room_number
),
rows_ms AS (
  SELECT
    p.meeting_uuid, p.pkey, p.join_t, p.leave_t, p.presence_ms,
    j.room_number, j.room_name, j.room_uuid, j.start_t AS room_start_t, j.end_t AS room_end_t, j.next_room,
    COALESCE(j.end_t - j.start_t, p.presence_ms) AS span_ms,
    COALESCE(sc.on_ms, 0) AS on_ms
  FROM people AS p
  LEFT JOIN journeys AS j ON j.meeting_uuid = p.meeting_uuid AND j.pkey = p.pkey
  LEFT JOIN span_camera AS sc
    ON sc.meeting_uuid = p.meeting_uuid AND sc.pkey = p.pkey
    AND COALESCE(sc.room_number, -1) = COALESCE(j.room_number, -1)
),
-- Minutes in hundredths and the percentage in tenths, rounded half up in integers.
rows_rounded AS (
  SELECT
    *,
    DIV(presence_ms * 100 + 30000, 60000) AS presence_h,
    DIV(span_ms * 100 + 30000, 60000) AS span_h,
    DIV(on_ms * 100 + 30000, 60000) AS on_h,
    CASE WHEN span_ms = 0 THEN 0 ELSE DIV(on_ms * 2000 + span_ms, span_ms * 2) END AS pct_tenths
  FROM rows_ms
)
SELECT
  CAST(@report_date AS DATE) AS report_date,
  n.participant_name,
  n.participant_email,
  TIMESTAMP_MILLIS(r.join_t) AS meeting_join_time,
  TIMESTAMP_MILLIS(r.leave_t) AS meeting_leave_time,
  r.presence_h / 100 AS meeting_duration_mins,
  r.room_number,
  r.room_name,
  r.room_uuid,
  TIMESTAMP_MILLIS(r.room_start_t) AS room_join_time,
  TIMESTAMP_MILLIS(r.room_end_t) AS room_leave_time,
  CASE WHEN r.room_number IS NULL THEN NULL ELSE r.span_h / 100 END AS room_duration_mins,
  r.on_h / 100 AS camera_on_mins,
  (r.span_h - r.on_h) / 100 AS camera_off_mins,
  r.pct_tenths / 10 AS camera_percentage,
  r.next_room,
  m.meeting_id,
  r.meeting_uuid,
  r.pkey AS participant_key,
  CASE
    WHEN COALESCE(cs.has_rtms, 0) = 1 AND COALESCE(cs.has_qos, 0) = 1 THEN 'rtms+qos'
    WHEN COALESCE(cs.has_rtms, 0) = 1 THEN 'rtms'
    WHEN COALESCE(cs.has_qos, 0) = 1 THEN 'qos'
    ELSE 'none'
  END AS camera_source
FROM rows_rounded AS r
JOIN meetings AS m ON m.meeting_uuid = r.meeting_uuid
LEFT JOIN identity AS n ON n.meeting_uuid = r.meeting_uuid AND n.pkey = r.pkey
LEFT JOIN camera_sources AS cs ON cs.meeting_uuid = r.meeting_uuid AND cs.pkey = r.pkey
