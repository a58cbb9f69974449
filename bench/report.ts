// Benchmark: one million raw events (2,000 meetings × 50 participants × 10 events: joins, breakout
// hops, RTMS camera on/off) → daily report and CSV export on the embedded DuckDB engine, with time,
// peak memory, and the bytes BigQuery would scan for the same day (its column-size rules).
// Run: npx tsx bench/report.ts [events]   (default 1,000,000; target: report + export < 10 s)
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import { runExport, runReport } from '../jobs/report.ts';

const DAY = '2026-02-03';
const PER_PARTICIPANT = 10;
const PARTICIPANTS_PER_MEETING = 50;

/** One participant's day, event k of 10: main → room A → room B → main, camera on/off (RTMS). */
export const EVENTS_SQL = (participants: number): string => `
INSERT INTO raw_events
SELECT
  'ev-' || p || '-' || k AS event_id,
  DATE '${DAY}' AS event_date,
  CASE WHEN k IN (7, 8) THEN 'rtms.participant_video_' || CASE WHEN k = 7 THEN 'on' ELSE 'off' END
       WHEN k IN (2, 4) THEN 'meeting.participant_joined_breakout_room'
       WHEN k IN (3, 5) THEN 'meeting.participant_left_breakout_room'
       WHEN k IN (0, 6) THEN 'meeting.participant_joined' ELSE 'meeting.participant_left' END AS event_type,
  ts AS event_timestamp,
  epoch_ms(ts) AS event_ts,
  CAST(80000000000 + m AS VARCHAR) AS meeting_id,
  'meeting-' || m || '==' AS meeting_uuid,
  CAST(16778240 + p AS VARCHAR) AS participant_id,
  CASE WHEN k IN (7, 8) THEN NULL ELSE 'P-' || p END AS participant_uuid,
  CASE WHEN k BETWEEN 2 AND 5 THEN CAST(16778240 + p AS VARCHAR) END AS parent_participant_id,
  NULL AS zoom_user_id,
  'Person ' || p AS participant_name,
  CASE WHEN k IN (7, 8) THEN NULL ELSE 'person' || p || '@example.com' END AS participant_email,
  CASE WHEN k IN (2, 3) THEN 'room-' || m || '-' || (p % 5) WHEN k IN (4, 5) THEN 'room-' || m || '-' || ((p + 1) % 5) END AS breakout_room_uuid,
  CASE k WHEN 0 THEN 'JOIN' WHEN 1 THEN 'LEAVE_TO_BREAKOUT' WHEN 2 THEN 'JOIN' WHEN 3 THEN 'LEAVE' WHEN 4 THEN 'JOIN'
         WHEN 5 THEN 'LEAVE' WHEN 6 THEN 'JOIN' WHEN 7 THEN 'VIDEO_ON' WHEN 8 THEN 'VIDEO_OFF' ELSE 'LEAVE' END AS action,
  CASE WHEN k = 1 THEN 'left the meeting. Reason : left the meeting to join breakout room' END AS leave_reason,
  NULL AS rtms_stream_id,
  '{"event":"bench"}' AS raw_payload,
  'raw/${DAY}/ev-' || p || '-' || k || '.json' AS gcs_path,
  CASE WHEN k IN (7, 8) THEN 'rtms' ELSE 'webhook' END AS source,
  TIMESTAMP '${DAY} 23:59:59' AS inserted_at,
  TIMESTAMP '${DAY} 00:00:00' + to_seconds((p // ${PARTICIPANTS_PER_MEETING}) % 600 * 60) AS meeting_start_time,
  CASE WHEN k IN (7, 8) THEN NULL ELSE 'Bench meeting ' || m END AS meeting_topic,
  CASE WHEN k IN (7, 8) THEN NULL ELSE 'e:person' || p || '@example.com' END AS person_match
FROM (
  SELECT p, k, p // ${PARTICIPANTS_PER_MEETING} AS m,
    TIMESTAMP '${DAY} 00:00:00' + to_seconds((p // ${PARTICIPANTS_PER_MEETING}) % 600 * 60 + (p % ${PARTICIPANTS_PER_MEETING})
      + CASE k WHEN 0 THEN 0 WHEN 1 THEN 600 WHEN 2 THEN 605 WHEN 3 THEN 1800 WHEN 4 THEN 1800 WHEN 5 THEN 2700
               WHEN 6 THEN 2705 WHEN 7 THEN 900 WHEN 8 THEN 2000 ELSE 3600 END) AS ts
  FROM range(${participants}) AS r(p), range(${PER_PARTICIPANT}) AS q(k)
)`;

/**
 * Bytes BigQuery bills for the raw_events columns read (STRING: 2 + UTF-8 bytes via strlen; 8 for
 * INT64/TIMESTAMP/DATE): `before` the 14 columns the report read before the person model, `after` the
 * 17 it reads now (+ meeting_start_time, meeting_topic, person_match), `reconcile` the columns of the
 * reconciliation count (event_date, event_id, source, person_match, participant_name, participant_email).
 */
const BYTES_SQL = `
SELECT
  SUM(old_b) AS before_bytes,
  SUM(old_b + 8 + COALESCE(2 + strlen(meeting_topic), 0) + COALESCE(2 + strlen(person_match), 0)) AS after_bytes,
  SUM(8 + 2 + strlen(event_id) + 2 + strlen(source) + COALESCE(2 + strlen(person_match), 0)
    + COALESCE(2 + strlen(participant_name), 0) + COALESCE(2 + strlen(participant_email), 0)) AS reconcile_bytes
FROM (
  SELECT *,
    8 + 8 + 8 + 8
    + 2 + strlen(event_id) + 2 + strlen(action) + 2 + strlen(source)
    + COALESCE(2 + strlen(meeting_uuid), 0) + COALESCE(2 + strlen(meeting_id), 0)
    + COALESCE(2 + strlen(breakout_room_uuid), 0) + COALESCE(2 + strlen(participant_id), 0)
    + COALESCE(2 + strlen(parent_participant_id), 0) + COALESCE(2 + strlen(participant_name), 0)
    + COALESCE(2 + strlen(participant_email), 0) + COALESCE(2 + strlen(participant_uuid), 0) AS old_b
  FROM raw_events
)`;

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 1_000_000);
  const participants = Math.ceil(events / PER_PARTICIPANT);
  const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  const archive = createFileArchive(join(dir, 'gcs'));
  const engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
  const log = silentLogger();
  try {
    let t = performance.now();
    await engine.connection.run(EVENTS_SQL(participants));
    const loadS = (performance.now() - t) / 1000;
    const bytes = (
      await engine.query<{ before_bytes: number; after_bytes: number; reconcile_bytes: number }>(
        BYTES_SQL,
        {},
      )
    ).rows[0] ?? { before_bytes: 0, after_bytes: 0, reconcile_bytes: 0 };

    t = performance.now();
    const cpu = process.cpuUsage();
    const report = await runReport({ engine, archive, log, timeZone: 'UTC' }, { date: DAY });
    const reportS = (performance.now() - t) / 1000;
    t = performance.now();
    const exported = await runExport({ engine, log, timeZone: 'UTC' }, { date: DAY });
    const exportS = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuS = (used.user + used.system) / 1e6;
    const peakMiB = process.resourceUsage().maxRSS / 1024;

    const eventsTotal = participants * PER_PARTICIPANT;
    const per = (n: number): number => n / eventsTotal;
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
    // A report now reads its day and one day on each side: in a steady state three days of events.
    const before = bytes.before_bytes;
    const after = 3 * bytes.after_bytes;
    const reconcile = 3 * bytes.reconcile_bytes;
    const tib = 2 ** 40;
    const monthly = (perReport: number): string =>
      `${((perReport * 30) / 2 ** 30).toFixed(3)} GiB/month ≈ $${(((perReport * 30) / tib) * 6.25).toFixed(4)}`;
    // BigQuery bills at least 10 MB per table a query reads.
    const billed = (scan: number, queries: number): number =>
      Math.max(scan, 10 * 2 ** 20) + (queries - 1) * 10 * 2 ** 20;
    console.log(
      [
        `events: ${eventsTotal.toLocaleString('en-US')} (${participants.toLocaleString('en-US')} participants in ${Math.ceil(participants / PARTICIPANTS_PER_MEETING)} meetings)`,
        `load (SQL generator, not timed in the target): ${loadS.toFixed(2)} s`,
        `report: ${reportS.toFixed(2)} s, ${report.rows.toLocaleString('en-US')} rows (reconciliation included)`,
        `export: ${exportS.toFixed(2)} s, ${(exported.bytes / 2 ** 20).toFixed(1)} MiB CSV`,
        `report + export: ${(reportS + exportS).toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU on ${cpus().length} cores (target < 10 s)`,
        `load average during the run: ${loadavg()[0]?.toFixed(1)}`,
        `peak RSS of the process (generation included): ${peakMiB.toFixed(0)} MiB`,
        `BigQuery bytes of raw_events per report, this day's events (${eventsTotal.toLocaleString('en-US')}/day):`,
        `  before (14 columns, the day only): ${mib(before)} (${per(before).toFixed(0)} B/event)`,
        `  after (17 columns, 3 days read): ${mib(after)} (${per(bytes.after_bytes).toFixed(0)} B/event/day read) + reconciliation count ${mib(reconcile)} (${per(bytes.reconcile_bytes).toFixed(0)} B/event/day read)`,
        `  a month at 1 report a day: before ${monthly(billed(before, 1))}, after ${monthly(billed(after, 1) + billed(reconcile, 1))} (camera_minutes not included)`,
      ].join('\n'),
    );
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`bench failed: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
