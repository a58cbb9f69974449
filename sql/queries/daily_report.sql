-- The daily report (sql/README.md, "The daily report"): one row per person per breakout-room visit
-- on @report_date. BigQuery SQL, the one source of truth; jobs/sql/to-duckdb.ts translates it for
-- DuckDB. All interval arithmetic is in integer epoch milliseconds so both engines agree.
-- Parameters: @report_date (YYYY-MM-DD); @day_start_ms / @day_end_ms (the day in REPORT_TIMEZONE,
-- [start, end)); @now_ms (the run time: a day in progress ends there); @window_start_ms /
-- @window_end_ms (the events read: the day and one day on each side) and @window_from / @window_to
-- (the UTC event_date partitions of that window).
WITH
events AS (
  SELECT
    e.event_id, e.event_ts, e.action, e.source, e.meeting_uuid, e.meeting_id, e.meeting_topic,
    UNIX_MILLIS(e.event_timestamp) AS t,
    UNIX_MILLIS(e.meeting_start_time) AS start_time_t,
    COALESCE(e.breakout_room_uuid, '') AS loc,
    e.participant_id, e.parent_participant_id, e.participant_name, e.participant_email, e.person_match,
    -- The connection: participant_uuid (kept across room hops, new on every rejoin); events without
    -- one that name a person form one connection per person key.
    COALESCE('c:' || e.participant_uuid, 'k:' || e.person_match) AS conn
  FROM zoom_tracker.raw_events_dedup AS e
  WHERE e.event_date BETWEEN CAST(@window_from AS DATE) AND CAST(@window_to AS DATE)
    AND e.meeting_uuid IS NOT NULL
    AND UNIX_MILLIS(e.event_timestamp) >= CAST(@window_start_ms AS INT64)
    AND UNIX_MILLIS(e.event_timestamp) < CAST(@window_end_ms AS INT64)
),
-- The report's time range: [day start, cut), cut = the day's end, or the run time for a day in progress.
bounds AS (
  SELECT
    CAST(@day_start_ms AS INT64) AS day_start,
    LEAST(CAST(@day_end_ms AS INT64), GREATEST(CAST(@now_ms AS INT64), CAST(@day_start_ms AS INT64))) AS cut
),
meetings AS (
  SELECT
    meeting_uuid,
    MAX(meeting_id) AS meeting_id,
    -- payload.object.start_time is in every meeting event; meeting.started only if it was received.
    COALESCE(MIN(start_time_t), MIN(CASE WHEN action = 'MEETING_START' THEN t END)) AS start_t,
    MAX(CASE WHEN action = 'MEETING_END' THEN t END) AS end_t,
    -- Whether the account sends breakout-room events for this meeting (rooms are then identified).
    MAX(CASE WHEN loc <> '' THEN 1 ELSE 0 END) AS has_rooms,
    MAX(CASE WHEN meeting_topic IS NOT NULL THEN t END) AS topic_t
  FROM events
  GROUP BY meeting_uuid
),
topics AS (
  SELECT e.meeting_uuid, MAX(e.meeting_topic) AS meeting_topic
  FROM events AS e
  JOIN meetings AS m ON m.meeting_uuid = e.meeting_uuid AND e.t = m.topic_t
  WHERE e.meeting_topic IS NOT NULL
  GROUP BY e.meeting_uuid
),
conn_events AS (
  SELECT
    *,
    -- A 64-bit id of (meeting, connection) to partition windows by: cheaper to sort than strings.
    FARM_FINGERPRINT(CONCAT(meeting_uuid, '|', conn)) AS cid,
    -- The person key as Zoom sent it: the account user id, else the email, else the display name.
    CASE SUBSTR(person_match, 1, 2)
      WHEN 'u:' THEN SUBSTR(person_match, 3)
      WHEN 'e:' THEN participant_email
      ELSE participant_name
    END AS key_value
  FROM events
  WHERE source = 'webhook' AND conn IS NOT NULL
),
-- A connection belongs to the person its first event carrying a person key names (a rename later in
-- the connection never splits the person); a connection that names nobody is a person of its own.
conn_named AS (
  SELECT
    meeting_uuid, conn, person_match, key_value, t, event_ts, event_id,
    ROW_NUMBER() OVER (PARTITION BY cid ORDER BY t, event_ts, event_id) AS n
  FROM conn_events
  WHERE person_match IS NOT NULL
),
connections AS (
  SELECT
    c.meeting_uuid, c.conn,
    COALESCE(f.person_match, c.conn) AS person,
    COALESCE(f.key_value, SUBSTR(c.conn, 3)) AS key_value,
    f.t AS named_t, f.event_ts AS named_ts, f.event_id AS named_id
  FROM (SELECT DISTINCT meeting_uuid, conn FROM conn_events) AS c
  LEFT JOIN conn_named AS f ON f.meeting_uuid = c.meeting_uuid AND f.conn = c.conn AND f.n = 1
),
-- participant_key: the key's value in the first event that named the person.
persons AS (
  SELECT meeting_uuid, person, key_value AS participant_key
  FROM (
    SELECT
      meeting_uuid, person, key_value,
      ROW_NUMBER() OVER (
        PARTITION BY meeting_uuid, person
        ORDER BY named_t NULLS LAST, named_ts NULLS LAST, named_id NULLS LAST) AS n
    FROM connections
  )
  WHERE n = 1
),
events_p AS (
  SELECT e.*, c.person, FARM_FINGERPRINT(CONCAT(e.meeting_uuid, '|', c.person)) AS pid
  FROM conn_events AS e
  JOIN connections AS c ON c.meeting_uuid = e.meeting_uuid AND c.conn = e.conn
),
-- A connection's joins and leaves grouped by second: a participant_left and a join of one connection
-- in the same second are a move, whatever the leave reason and in whichever order they came.
steps AS (
  SELECT
    meeting_uuid, cid, person, pid, DIV(t, 1000) AS sec, MIN(t) AS t,
    MAX(CASE WHEN action = 'JOIN' THEN 1 ELSE 0 END) AS has_join,
    SUM(CASE WHEN action = 'JOIN' THEN 1 ELSE 0 END) - SUM(CASE WHEN action IN ('LEAVE', 'LEAVE_TO_BREAKOUT') THEN 1 ELSE 0 END) AS unpaired_joins,
    -- A room join wins over a main-session join in the same second.
    MAX(CASE WHEN action = 'JOIN' THEN loc END) AS join_loc,
    MAX(CASE WHEN action IN ('LEAVE', 'LEAVE_TO_BREAKOUT') THEN 1 ELSE 0 END) AS has_leave,
    MAX(CASE WHEN action = 'LEAVE_TO_BREAKOUT' THEN 1 ELSE 0 END) AS to_room,
    MAX(CASE WHEN action IN ('LEAVE', 'LEAVE_TO_BREAKOUT') AND loc = '' THEN 1 ELSE 0 END) AS left_main,
    MIN(CASE WHEN action = 'LEAVE' AND loc <> '' THEN loc END) AS left_room
  FROM events_p
  WHERE action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT')
  GROUP BY meeting_uuid, cid, person, pid, sec
),
-- A J-step (a join, or a leave "to join breakout room" whose join never came) takes the connection to
-- a place: a room uuid, '' (main session) or '?' (a room the events do not name). An L-step (plain
-- leaves only) ends its presence if it leaves the place the connection is in.
steps_typed AS (
  SELECT
    s.*,
    (s.has_join = 1 OR s.to_room = 1) AS is_j,
    CASE
      WHEN s.has_join = 1 AND s.join_loc <> '' THEN s.join_loc
      WHEN s.to_room = 1 AND (s.has_join = 0 OR m.has_rooms = 0) THEN '?'
      WHEN s.has_join = 1 THEN ''
    END AS dest,
    ROW_NUMBER() OVER (PARTITION BY s.cid ORDER BY s.sec) AS step_n
  FROM steps AS s
  JOIN meetings AS m ON m.meeting_uuid = s.meeting_uuid
),
steps_ctx AS (
  SELECT
    *,
    LAST_VALUE(dest IGNORE NULLS) OVER (
      PARTITION BY cid ORDER BY sec ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_dest,
    -- The J-run a step belongs to: the number of J-steps up to it.
    SUM(CASE WHEN is_j THEN 1 ELSE 0 END) OVER (
      PARTITION BY cid ORDER BY sec ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
  FROM steps_typed
),
-- The exit of a J-run: its first L-step that leaves the place the connection is in (a leave from the
-- main session leaves the meeting; from '?' any leave does). A leave from elsewhere changes nothing.
run_exits AS (
  SELECT cid, run, t AS exit_t, left_room AS exit_left_room
  FROM (
    SELECT cid, run, t, left_room, ROW_NUMBER() OVER (PARTITION BY cid, run ORDER BY sec) AS n
    FROM steps_ctx
    WHERE NOT is_j AND run > 0 AND (left_main = 1 OR prev_dest = '?' OR left_room = prev_dest)
  )
  WHERE n = 1
),
-- A join-only J-step to the place the connection is already in (no exit between) repeats it.
jsteps AS (
  SELECT
    j.meeting_uuid, j.cid, j.person, j.pid, j.sec, j.t, j.dest,
    COALESCE(x.exit_t, LEAD(j.t) OVER (PARTITION BY j.cid ORDER BY j.sec)) AS end_t,
    CASE
      WHEN x.exit_t IS NOT NULL THEN x.exit_left_room
      ELSE LEAD(j.left_room) OVER (PARTITION BY j.cid ORDER BY j.sec)
    END AS end_left_room,
    -- Ended by a plain join into a named room: a leave "to join breakout room" was in transit to it.
    CASE
      WHEN x.exit_t IS NULL
        AND LEAD(j.has_leave) OVER (PARTITION BY j.cid ORDER BY j.sec) = 0
        AND LEAD(j.dest) OVER (PARTITION BY j.cid ORDER BY j.sec) NOT IN ('', '?') THEN 1
      ELSE 0
    END AS end_into_room,
    CASE WHEN j.has_leave = 0 AND j.prev_dest = j.dest AND p.exit_t IS NULL THEN 1 ELSE 0 END AS is_repeat
  FROM steps_ctx AS j
  LEFT JOIN run_exits AS x ON x.cid = j.cid AND x.run = j.run
  LEFT JOIN run_exits AS p ON p.cid = j.cid AND p.run = j.run - 1
  WHERE j.is_j
),
jsteps_seg AS (
  SELECT
    *,
    SUM(1 - is_repeat) OVER (PARTITION BY cid ORDER BY sec ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seg,
    LEAD(is_repeat) OVER (PARTITION BY cid ORDER BY sec) AS next_is_repeat
  FROM jsteps
),
segments AS (
  SELECT
    meeting_uuid, cid, person, pid, dest, t, end_t, end_left_room, end_into_room, next_is_repeat,
    MIN(t) OVER (PARTITION BY cid, seg) AS seg_start_t
  FROM jsteps_seg
),
-- A connection whose first step is a leave or a move (every join in it paired with a leave) was present
-- before it, from its previous event (admitted, role change, ...), else from the meeting's start,
-- never from the start of the day.
first_leaves AS (
  SELECT
    s.meeting_uuid, s.cid, s.person, s.pid, s.t,
    CASE WHEN s.left_main = 1 THEN '' ELSE COALESCE(s.left_room, '') END AS place,
    m.start_t AS meeting_start_t
  FROM steps_ctx AS s
  JOIN meetings AS m ON m.meeting_uuid = s.meeting_uuid
  WHERE s.step_n = 1 AND s.has_leave = 1 AND s.unpaired_joins <= 0
),
anchors AS (
  SELECT f.cid, MAX(e.t) AS anchor_t
  FROM first_leaves AS f
  JOIN events_p AS e ON e.cid = f.cid AND e.t < f.t
  WHERE e.action NOT IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT', 'WAITING_ROOM_JOIN', 'PUT_IN_WAITING_ROOM', 'JBH_WAITING')
  GROUP BY f.cid
),
-- Every interval of every connection at a place ('' = main session); end_t NULL = still open.
intervals_open AS (
  SELECT
    meeting_uuid, person, pid, dest AS place, seg_start_t AS start_t, end_t, end_left_room, end_into_room,
    'event' AS source
  FROM segments
  WHERE COALESCE(next_is_repeat, 0) = 0
  UNION ALL
  SELECT
    f.meeting_uuid, f.person, f.pid, f.place,
    COALESCE(a.anchor_t, CASE WHEN f.meeting_start_t <= f.t THEN f.meeting_start_t END, f.t) AS start_t,
    f.t AS end_t,
    CAST(NULL AS STRING) AS end_left_room,
    0 AS end_into_room,
    CASE WHEN a.anchor_t IS NULL AND f.meeting_start_t <= f.t THEN 'meeting_start' ELSE 'event' END AS source
  FROM first_leaves AS f
  LEFT JOIN anchors AS a ON a.cid = f.cid
),
-- An open interval ends at the meeting's end, else at the cut. A room the events did not name ('?')
-- is the room a later leave from a named room names; before a plain join into a named room it was
-- transit (presence, no visit). A visit also ends at the meeting's end.
intervals AS (
  SELECT
    i.meeting_uuid, i.person, i.pid, i.start_t, i.source,
    CASE
      WHEN i.place = '?' AND i.end_left_room IS NOT NULL THEN i.end_left_room
      WHEN i.place = '?' AND i.end_into_room = 1 THEN ''
      ELSE i.place
    END AS place,
    COALESCE(i.end_t, CASE WHEN m.end_t IS NOT NULL THEN GREATEST(m.end_t, i.start_t) ELSE GREATEST(b.cut, i.start_t) END) AS end_t,
    m.end_t AS meeting_end_t
  FROM intervals_open AS i
  JOIN meetings AS m ON m.meeting_uuid = i.meeting_uuid
  CROSS JOIN bounds AS b
),
-- Presence: the union of all the person's intervals (connections that overlap count once), merged
-- into islands by one gaps-and-islands pass, then clipped to the report's time range.
presence_marked AS (
  SELECT
    meeting_uuid, person, pid, start_t, end_t,
    CASE
      WHEN start_t <= MAX(end_t) OVER (
        PARTITION BY pid ORDER BY start_t, end_t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0
      ELSE 1
    END AS is_new
  FROM intervals
),
presence_numbered AS (
  SELECT
    *,
    SUM(is_new) OVER (PARTITION BY pid ORDER BY start_t, end_t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM presence_marked
),
presence_islands AS (
  SELECT meeting_uuid, person, pid, island, MIN(start_t) AS start_t, MAX(end_t) AS end_t
  FROM presence_numbered
  GROUP BY meeting_uuid, person, pid, island
),
-- Clipped to [day start, cut); an instant of presence (a join and leave in one instant) counts.
presence AS (
  SELECT
    p.meeting_uuid, p.person, p.pid,
    GREATEST(p.start_t, b.day_start) AS start_t,
    LEAST(p.end_t, b.cut) AS end_t
  FROM presence_islands AS p
  CROSS JOIN bounds AS b
  WHERE GREATEST(p.start_t, b.day_start) < LEAST(p.end_t, b.cut)
    OR (p.start_t = p.end_t AND p.start_t >= b.day_start AND p.start_t < b.cut)
),
people AS (
  SELECT meeting_uuid, person, pid, MIN(start_t) AS join_t, MAX(end_t) AS leave_t, SUM(end_t - start_t) AS presence_ms
  FROM presence
  GROUP BY meeting_uuid, person, pid
),
-- join_time_source: 'meeting_start' when the person's first presence in the range began at the
-- meeting's start because their join was never received.
join_sources AS (
  SELECT
    p.meeting_uuid, p.person,
    MAX(CASE WHEN i.source = 'meeting_start' THEN 'meeting_start' ELSE 'event' END) AS join_time_source
  FROM people AS p
  JOIN intervals AS i ON i.pid = p.pid AND i.meeting_uuid = p.meeting_uuid AND i.person = p.person
  CROSS JOIN bounds AS b
  WHERE GREATEST(i.start_t, b.day_start) = p.join_t AND i.end_t >= p.join_t
  GROUP BY p.meeting_uuid, p.person
),
-- Room visits: Room-K by the order in which anyone first entered the room (ties by uuid), over all
-- the meeting's events read; visits clipped to the range and numbered in the person's order.
visits_all AS (
  SELECT
    meeting_uuid, person, pid, place AS room_uuid, start_t,
    CASE WHEN meeting_end_t IS NOT NULL AND meeting_end_t >= start_t AND meeting_end_t < end_t THEN meeting_end_t ELSE end_t END AS end_t
  FROM intervals
  WHERE place <> ''
),
rooms AS (
  SELECT
    meeting_uuid, room_uuid,
    CONCAT('Room-', CAST(DENSE_RANK() OVER (PARTITION BY meeting_uuid ORDER BY first_t, room_uuid) AS STRING)) AS room_name
  FROM (
    SELECT meeting_uuid, room_uuid, MIN(start_t) AS first_t
    FROM visits_all
    WHERE room_uuid <> '?'
    GROUP BY meeting_uuid, room_uuid
  )
),
visits AS (
  SELECT
    v.meeting_uuid, v.person, v.pid,
    CASE WHEN v.room_uuid = '?' THEN CAST(NULL AS STRING) ELSE v.room_uuid END AS room_uuid,
    COALESCE(r.room_name, 'Room-?') AS room_name,
    v.room_uuid AS place,
    GREATEST(v.start_t, b.day_start) AS start_t,
    LEAST(v.end_t, b.cut) AS end_t
  FROM visits_all AS v
  CROSS JOIN bounds AS b
  LEFT JOIN rooms AS r ON r.meeting_uuid = v.meeting_uuid AND r.room_uuid = v.room_uuid
  WHERE GREATEST(v.start_t, b.day_start) < LEAST(v.end_t, b.cut)
    OR (v.start_t = v.end_t AND v.start_t >= b.day_start AND v.start_t < b.cut)
),
journeys AS (
  SELECT
    meeting_uuid, person, pid, room_uuid, room_name, start_t, end_t,
    ROW_NUMBER() OVER (PARTITION BY pid ORDER BY start_t, end_t, place) AS room_number,
    LEAD(room_name) OVER (PARTITION BY pid ORDER BY start_t, end_t, place) AS next_room
  FROM visits
),
-- Display name and email: the ones the person's latest event carrying them had.
last_seen AS (
  SELECT
    meeting_uuid, person,
    MAX(CASE WHEN participant_name IS NOT NULL THEN t END) AS name_t,
    MAX(CASE WHEN participant_email IS NOT NULL THEN t END) AS email_t
  FROM events_p
  GROUP BY meeting_uuid, person
),
identity AS (
  SELECT
    e.meeting_uuid, e.person,
    MAX(CASE WHEN e.t = l.name_t THEN e.participant_name END) AS participant_name,
    MAX(CASE WHEN e.t = l.email_t THEN e.participant_email END) AS participant_email
  FROM events_p AS e
  JOIN last_seen AS l ON l.meeting_uuid = e.meeting_uuid AND l.person = e.person
  GROUP BY e.meeting_uuid, e.person
),
-- Who a camera sample is: RTMS rows carry the per-meeting user id (main id, or the parent id inside
-- rooms) and a display name; QoS minutes the participant_uuid, email and name. Learnt from joins and
-- leaves only; when several persons match, the smallest key is taken (deterministic).
ids AS (
  SELECT meeting_uuid, uid, MIN(person) AS person
  FROM (
    SELECT meeting_uuid, participant_id AS uid, person FROM events_p
    WHERE action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND participant_id IS NOT NULL
    UNION ALL
    SELECT meeting_uuid, parent_participant_id AS uid, person FROM events_p
    WHERE action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND parent_participant_id IS NOT NULL
  )
  GROUP BY meeting_uuid, uid
),
names AS (
  SELECT meeting_uuid, participant_name AS name, MIN(person) AS person
  FROM events_p
  WHERE action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND participant_name IS NOT NULL
  GROUP BY meeting_uuid, participant_name
),
emails AS (
  SELECT meeting_uuid, LOWER(participant_email) AS email, MIN(person) AS person
  FROM events_p
  WHERE action IN ('JOIN', 'LEAVE', 'LEAVE_TO_BREAKOUT') AND participant_email IS NOT NULL
  GROUP BY meeting_uuid, LOWER(participant_email)
),
camera_events AS (
  SELECT
    r.meeting_uuid, COALESCE(i.person, n.person) AS person, r.t, r.event_ts, r.event_id,
    r.action = 'VIDEO_ON' AS is_on
  FROM events AS r
  LEFT JOIN ids AS i ON i.meeting_uuid = r.meeting_uuid AND i.uid = r.participant_id
  LEFT JOIN names AS n ON n.meeting_uuid = r.meeting_uuid AND n.name = r.participant_name
  WHERE r.source = 'rtms' AND r.action IN ('VIDEO_ON', 'VIDEO_OFF')
    AND COALESCE(i.person, n.person) IS NOT NULL
),
camera_seq AS (
  SELECT
    c.*,
    FARM_FINGERPRINT(CONCAT(c.meeting_uuid, '|', c.person)) AS pid,
    MIN(c.t) OVER (
      PARTITION BY c.meeting_uuid, c.person ORDER BY c.t, c.event_ts, c.event_id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_t,
    COUNT(*) OVER (
      PARTITION BY c.meeting_uuid, c.person ORDER BY c.t, c.event_ts, c.event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
  FROM camera_events AS c
),
-- An RTMS video-on lasts until the person's next video event, the end of the presence it falls in
-- (leaving the meeting ends it) or the meeting's end; a video-off with nothing before it means the
-- camera was on since that presence began. Only time inside presence counts.
camera_bounds AS (
  SELECT
    c.pid, c.t, c.is_on,
    MIN(CASE WHEN p.end_t >= c.t THEN p.end_t END) AS presence_end_t,
    MAX(CASE WHEN p.start_t <= c.t THEN p.start_t END) AS presence_start_t
  FROM camera_seq AS c
  JOIN presence_islands AS p ON p.pid = c.pid
  GROUP BY c.pid, c.t, c.is_on
),
qos_minutes AS (
  SELECT
    q.meeting_uuid, COALESCE(cu.person, qe.person, qn.person) AS person,
    UNIX_MILLIS(q.interval_start) AS start_t, UNIX_MILLIS(q.interval_end) AS end_t,
    q.camera_on, q.video_bitrate_kbps
  FROM zoom_tracker.camera_minutes_dedup AS q
  LEFT JOIN connections AS cu ON cu.meeting_uuid = q.meeting_uuid AND cu.conn = 'c:' || q.participant_uuid
  LEFT JOIN emails AS qe ON qe.meeting_uuid = q.meeting_uuid AND qe.email = LOWER(q.participant_email)
  LEFT JOIN names AS qn ON qn.meeting_uuid = q.meeting_uuid AND qn.name = q.participant_name
  WHERE q.minute_date BETWEEN CAST(@window_from AS DATE) AND CAST(@window_to AS DATE)
    AND q.source = 'qos'
    AND COALESCE(cu.person, qe.person, qn.person) IS NOT NULL
),
camera_raw AS (
  SELECT
    c.meeting_uuid, c.person, c.pid, c.t AS start_t,
    LEAST(
      COALESCE(c.next_t, e.presence_end_t),
      e.presence_end_t,
      CASE WHEN m.end_t IS NOT NULL AND m.end_t >= c.t THEN m.end_t ELSE e.presence_end_t END
    ) AS end_t
  FROM camera_seq AS c
  JOIN camera_bounds AS e ON e.pid = c.pid AND e.t = c.t AND e.is_on = c.is_on
  JOIN meetings AS m ON m.meeting_uuid = c.meeting_uuid
  WHERE c.is_on AND e.presence_end_t IS NOT NULL
  UNION ALL
  SELECT c.meeting_uuid, c.person, c.pid, e.presence_start_t AS start_t, c.t AS end_t
  FROM camera_seq AS c
  JOIN camera_bounds AS e ON e.pid = c.pid AND e.t = c.t AND e.is_on = c.is_on
  WHERE NOT c.is_on AND c.earlier = 0 AND e.presence_start_t IS NOT NULL
  UNION ALL
  -- Dashboard QoS minutes whose video_input showed a bitrate > 0: [t, t + 60 s).
  SELECT meeting_uuid, person, FARM_FINGERPRINT(CONCAT(meeting_uuid, '|', person)) AS pid, start_t, end_t
  FROM qos_minutes
  WHERE camera_on
),
camera_marked AS (
  SELECT
    meeting_uuid, person, pid, start_t, end_t,
    CASE
      WHEN start_t <= MAX(end_t) OVER (
        PARTITION BY pid ORDER BY start_t, end_t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0
      ELSE 1
    END AS is_new
  FROM camera_raw
  WHERE end_t > start_t
),
camera_numbered AS (
  SELECT
    *,
    SUM(is_new) OVER (PARTITION BY pid ORDER BY start_t, end_t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM camera_marked
),
camera_on AS (
  SELECT meeting_uuid, person, pid, MIN(start_t) AS start_t, MAX(end_t) AS end_t
  FROM camera_numbered
  GROUP BY meeting_uuid, person, pid, island
),
camera_sources AS (
  SELECT
    meeting_uuid, person,
    MAX(CASE WHEN src = 'rtms' THEN 1 ELSE 0 END) AS has_rtms,
    MAX(CASE WHEN src = 'qos' THEN 1 ELSE 0 END) AS has_qos
  FROM (
    SELECT meeting_uuid, person, 'rtms' AS src FROM camera_events
    UNION ALL
    SELECT meeting_uuid, person, 'qos' AS src FROM qos_minutes WHERE video_bitrate_kbps IS NOT NULL
  )
  GROUP BY meeting_uuid, person
),
-- The spans a row's camera figures cover: each visit, or the whole presence when there is none.
spans AS (
  SELECT meeting_uuid, person, pid, room_number, start_t, end_t FROM journeys
  UNION ALL
  SELECT p.meeting_uuid, p.person, p.pid, CAST(NULL AS INT64) AS room_number, p.start_t, p.end_t
  FROM presence AS p
  WHERE NOT EXISTS (SELECT 1 FROM journeys AS j WHERE j.pid = p.pid AND j.meeting_uuid = p.meeting_uuid AND j.person = p.person)
),
span_camera AS (
  SELECT
    s.meeting_uuid, s.person, s.room_number,
    SUM(CASE
      WHEN c.start_t IS NULL THEN 0
      ELSE GREATEST(0, LEAST(s.end_t, c.end_t) - GREATEST(s.start_t, c.start_t))
    END) AS on_ms
  FROM spans AS s
  LEFT JOIN camera_on AS c
    ON c.pid = s.pid AND c.meeting_uuid = s.meeting_uuid AND c.person = s.person
    AND c.start_t < s.end_t AND c.end_t > s.start_t
  GROUP BY s.meeting_uuid, s.person, s.room_number
),
rows_ms AS (
  SELECT
    p.meeting_uuid, p.person, p.join_t, p.leave_t, p.presence_ms,
    j.room_number, j.room_name, j.room_uuid, j.start_t AS room_start_t, j.end_t AS room_end_t, j.next_room,
    COALESCE(j.end_t - j.start_t, p.presence_ms) AS span_ms,
    COALESCE(sc.on_ms, 0) AS on_ms
  FROM people AS p
  LEFT JOIN journeys AS j ON j.pid = p.pid AND j.meeting_uuid = p.meeting_uuid AND j.person = p.person
  LEFT JOIN span_camera AS sc
    ON sc.meeting_uuid = p.meeting_uuid AND sc.person = p.person
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
  -- Camera figures are unknown (NULL), not 0 %, for a person with no camera data.
  CASE WHEN cs.person IS NULL THEN NULL ELSE r.on_h / 100 END AS camera_on_mins,
  CASE WHEN cs.person IS NULL THEN NULL ELSE (r.span_h - r.on_h) / 100 END AS camera_off_mins,
  CASE WHEN cs.person IS NULL THEN NULL ELSE r.pct_tenths / 10 END AS camera_percentage,
  r.next_room,
  m.meeting_id,
  r.meeting_uuid,
  k.participant_key,
  CASE
    WHEN cs.has_rtms = 1 AND cs.has_qos = 1 THEN 'rtms+qos'
    WHEN cs.has_rtms = 1 THEN 'rtms'
    WHEN cs.has_qos = 1 THEN 'qos'
    ELSE 'none'
  END AS camera_source,
  COALESCE(js.join_time_source, 'event') AS join_time_source,
  tp.meeting_topic
FROM rows_rounded AS r
JOIN meetings AS m ON m.meeting_uuid = r.meeting_uuid
JOIN persons AS k ON k.meeting_uuid = r.meeting_uuid AND k.person = r.person
LEFT JOIN identity AS n ON n.meeting_uuid = r.meeting_uuid AND n.person = r.person
LEFT JOIN camera_sources AS cs ON cs.meeting_uuid = r.meeting_uuid AND cs.person = r.person
LEFT JOIN join_sources AS js ON js.meeting_uuid = r.meeting_uuid AND js.person = r.person
LEFT JOIN topics AS tp ON tp.meeting_uuid = r.meeting_uuid
