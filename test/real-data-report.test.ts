// The daily report, export and attendance on real Zoom webhooks: the capture named by
// ZOOM_REAL_WEBHOOKS (ndjson, one delivery a line: `received_at` and `raw`, the body Zoom sent) is
// posted signed, in received_at order, to the embedded service (its clock at each receipt); then
// report, export and attendance run for each day, and rows lost after ingest are restored. Every
// expected value is derived by hand from the events (derivations below). The capture carries no
// license: it is read from its path, never copied into the repository.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { parseCsv } from '../core/csv.ts';
import { runAttendance } from '../jobs/attendance/run-attendance.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { exportKey } from '../core/warehouse/report-contract.ts';
import { runExport, runReport } from '../jobs/report.ts';
import { postCapture } from './helpers/real-capture.ts';

const FILE = process.env['ZOOM_REAL_WEBHOOKS'];
if (!FILE) {
  console.warn('real-data-report: ZOOM_REAL_WEBHOOKS not set: real-data checks of the report are SKIPPED');
}
const title = FILE
  ? 'report, export and attendance on real Zoom webhooks (ZOOM_REAL_WEBHOOKS)'
  : 'ZOOM_REAL_WEBHOOKS not set: real-data checks skipped (report, export, attendance)';

const DAYS = ['2026-04-03', '2026-04-11'];
const log = silentLogger();

/**
 * One line per person and day: `meeting key join-leave minutes source [| rooms]`, times UTC.
 * The capture's account sent no breakout-room events, so every room is `Room-?`. Derivations:
 * - A first event that is a leave or a same-second leave+join (a move) means the join was never
 *   received: presence from the meeting's start_time (`ms`), never from 00:00.
 * - A same-second leave+join of one connection is a move whatever its reason: never an exit.
 * - A move whose leave says "to join breakout room" starts a Room-? visit until the next move/leave.
 * - Connections of one display name are one person; gaps between them are not presence.
 */
const EXPECTED: Record<string, string[]> = {
  // Instance 1: start_time 10:56:58, meeting.ended 19:47:57.
  '2026-04-03': [
    // 01: first event a move at 17:06:25 (join stamped after the leave) → 10:56:58; leave 17:51:20.
    '1 참가자01 10:56:58-17:51:20 414.37 ms',
    // 02: first event a move at 17:33:07 → 10:56:58; leave 19:16:34 (issue: was 1156.57 from 00:00).
    '1 참가자02 10:56:58-19:16:34 499.60 ms',
    // 03: conn A joined 17:45:15, move to a room 17:45:29, left 18:43:55 (58:40); conn B joined
    // 18:44:05, move to a room 18:44:16 (join stamped first), disconnected 19:47:57 (63:52): 122.53.
    '1 참가자03 17:45:15-19:47:57 122.53 ev | Room-? 17:45:29-18:43:55 58.43, Room-? 18:44:16-19:47:57 63.68',
    // 04: a lone leave at 18:04:18 → 10:56:58 (7:07:20).
    '1 참가자04 10:56:58-18:04:18 427.33 ms',
    // 05: six plain-reason moves from 18:48:31 on (none an exit), host ended 19:47:56 → 8:50:58.
    '1 참가자05 10:56:58-19:47:56 530.97 ms',
    // 06: joined 18:57:34, move to a room 18:58:02, left 19:47:25: 49:51, room 49:23.
    '1 참가자06 18:57:34-19:47:25 49.85 ev | Room-? 18:58:02-19:47:25 49.38',
  ],
  '2026-04-11': [
    // Instance 2: start_time 06:33:13, ended 09:50:53.
    // 05: one connection, renamed 참가자07 at the 08:45:45 move (one person, key = first name):
    // joined 08:32:27, room move 08:32:42, plain move back 08:45:15, left 08:55:46.
    '2 참가자05 08:32:27-08:55:46 23.32 ev | Room-? 08:32:42-08:45:15 12.55',
    // 06 is the host (account user id): joined 08:31:15, left 08:31:23.
    '2 TESTUSER001 08:31:15-08:31:23 0.13 ev',
    '2 참가자08 06:33:13-08:52:07 138.90 ms',
    '2 참가자09 06:33:13-08:52:10 138.95 ms',
    '2 참가자10 06:33:13-09:04:55 151.70 ms',
    '2 참가자11 06:33:13-09:50:52 197.65 ms',
    // Instance 3: started 10:20:19 (meeting.started received), joined 10:20:19, left 10:20:27.
    '3 참가자12 10:20:19-10:20:27 0.13 ev',
    // Instance 4: start_time 11:56:09, ended 19:00:19. Lone leaves: from 11:56:09.
    // 01: lone leave 15:08:23 (3:12:14); rejoin 15:10:13, room 15:10:25, left 15:15:50 (5:37);
    // rejoin 15:16:18, room 15:16:29, left 15:17:08 (0:50): one row per visit, 198.68 in all.
    '4 참가자01 11:56:09-15:17:08 198.68 ms | Room-? 15:10:25-15:15:50 5.42, Room-? 15:16:29-15:17:08 0.65',
    // 02: lone leave 15:20:13 (3:24:04); rejoin 15:20:30, room 15:20:41, left 17:04:56 (1:44:26).
    '4 참가자02 11:56:09-17:04:56 308.50 ms | Room-? 15:20:41-17:04:56 104.25',
    // 03: joined 15:27:50, room 15:28:09, plain move 15:35:52 ends it, left 15:36:09.
    '4 참가자03 15:27:50-15:36:09 8.32 ev | Room-? 15:28:09-15:35:52 7.72',
    '4 참가자04 11:56:09-17:54:58 358.82 ms',
    '4 참가자05 11:56:09-19:00:07 423.97 ms',
    '4 참가자08 11:56:09-19:00:06 423.95 ms',
    '4 참가자09 11:56:09-14:59:23 183.23 ms',
    '4 참가자10 11:56:09-14:59:27 183.30 ms',
    '4 참가자11 11:56:09-15:46:32 230.38 ms',
    '4 참가자13 11:56:09-18:15:18 379.15 ms',
    // 14: joined 14:49:13, room 14:49:25, left 15:08:49.
    '4 참가자14 14:49:13-15:08:49 19.60 ev | Room-? 14:49:25-15:08:49 19.40',
    // 15: a single leave at 14:59:06 (issue: was 899.10 from 00:00).
    '4 참가자15 11:56:09-14:59:06 182.95 ms',
    '4 참가자16 11:56:09-14:59:07 182.97 ms',
    '4 참가자17 11:56:09-14:59:21 183.20 ms',
    '4 참가자18 11:56:09-14:59:22 183.22 ms',
    '4 참가자19 11:56:09-14:59:22 183.22 ms',
    // 20: lone leave 14:59:23 (3:03:14); rejoin 15:31:47, room 15:32:06, left 18:18:45 (2:46:58).
    '4 참가자20 11:56:09-18:18:45 350.20 ms | Room-? 15:32:06-18:18:45 166.65',
    // 21: lone leave 14:59:24 (3:03:15); rejoin 15:17:35, room 15:17:43, left 15:34:47 (17:12).
    '4 참가자21 11:56:09-15:34:47 200.45 ms | Room-? 15:17:43-15:34:47 17.07',
    '4 참가자22 11:56:09-15:19:57 203.80 ms',
    '4 참가자23 11:56:09-15:34:45 218.60 ms',
    '4 참가자24 11:56:09-17:31:48 335.65 ms',
    '4 참가자25 11:56:09-15:00:54 184.75 ms',
    '4 참가자26 11:56:09-15:02:20 186.18 ms',
    '4 참가자27 11:56:09-15:07:51 191.70 ms',
    '4 참가자28 11:56:09-15:08:22 192.22 ms',
    '4 참가자29 11:56:09-15:08:23 192.23 ms',
    '4 참가자30 11:56:09-15:08:25 192.27 ms',
    '4 참가자31 11:56:09-15:08:30 192.35 ms',
    // 32 and 35: a move whose leave says "leave breakout room to join main meeting": no visit
    // starts (only "to join breakout room" starts one), presence goes on.
    '4 참가자32 11:56:09-15:09:16 193.12 ms',
    '4 참가자33 11:56:09-15:08:31 192.37 ms',
    '4 참가자34 11:56:09-15:08:34 192.42 ms',
    '4 참가자35 11:56:09-15:08:40 192.52 ms',
    '4 참가자36 11:56:09-15:08:37 192.47 ms',
    '4 참가자37 11:56:09-16:31:25 275.27 ms',
    '4 참가자38 11:56:09-16:08:01 251.87 ms',
    '4 참가자39 11:56:09-16:01:13 245.07 ms',
    '4 참가자40 11:56:09-17:13:52 317.72 ms',
    '4 참가자41 11:56:09-15:10:08 193.98 ms',
    '4 참가자42 11:56:09-15:12:22 196.22 ms',
    // 43: joined 16:10:05, room 16:10:23, left 16:31:09.
    '4 참가자43 16:10:05-16:31:09 21.07 ev | Room-? 16:10:23-16:31:09 20.77',
    '4 참가자44 11:56:09-17:00:40 304.52 ms',
    '4 참가자45 11:56:09-17:00:42 304.55 ms',
    '4 참가자46 11:56:09-17:22:03 325.90 ms',
    // 47: left 19:00:19, the second meeting.ended came.
    '4 참가자47 11:56:09-19:00:19 424.17 ms',
  ],
};

type CsvRow = Record<string, string>;
const hms = (iso: string): string => iso.slice(11, 19);

/** The export's rows folded into one line per person (the format of EXPECTED). */
function personLines(rows: readonly CsvRow[]): string[] {
  const out = new Map<string, { head: string; rooms: string[] }>();
  for (const r of rows) {
    const meeting = (r['meeting_uuid'] ?? '').replace(/^TESTUUID000(\d)==$/, '$1');
    const id = `${meeting} ${r['participant_key']}`;
    const src = r['join_time_source'] === 'meeting_start' ? 'ms' : 'ev';
    const head = `${id} ${hms(r['meeting_join_time'] ?? '')}-${hms(r['meeting_leave_time'] ?? '')} ${r['meeting_duration_mins']} ${src}`;
    const person = out.get(id) ?? { head, rooms: [] };
    out.set(id, person);
    if (r['room_number'])
      person.rooms.push(
        `${r['room_name']} ${hms(r['room_join_time'] ?? '')}-${hms(r['room_leave_time'] ?? '')} ${r['room_duration_mins']}`,
      );
  }
  return [...out.values()]
    .map((p) => (p.rooms.length ? `${p.head} | ${p.rooms.join(', ')}` : p.head))
    .sort(order);
}
const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function readCsv(text: string): CsvRow[] {
  const [head, ...body] = parseCsv(text).map(([, fields]) => fields);
  return body.map((f) => Object.fromEntries((head ?? []).map((c, i) => [c, f[i] ?? ''])));
}

describe.skipIf(!FILE)(title, () => {
  let dataDir: string;
  let archive: Archive;
  let engine: SqlEngine & { connection: { run(sql: string): Promise<unknown> } };
  const statuses: number[] = [];
  const exported = new Map<string, CsvRow[]>();

  const report = async (date: string): Promise<CsvRow[]> => {
    await runReport({ engine, archive, log, timeZone: 'UTC' }, { date });
    await runExport({ engine, log, timeZone: 'UTC' }, { date });
    return readCsv((await archive.get(exportKey(date)))?.toString('utf8') ?? '');
  };

  beforeAll(async () => {
    const posted = await postCapture(FILE as string);
    dataDir = posted.dataDir;
    statuses.push(...posted.statuses);
    archive = createFileArchive(join(dataDir, 'gcs'));
    engine = await createDuckDbEngine({ path: join(dataDir, 'warehouse.duckdb'), archive });
    for (const date of DAYS) exported.set(date, await report(date));
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    const { rm } = await import('node:fs/promises');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts all 162 deliveries and archives each once', async () => {
    expect(statuses).toHaveLength(162);
    expect(statuses.every((s) => s === 200)).toBe(true);
    let archived = 0;
    for (const date of DAYS)
      for await (const key of archive.list(`raw/${date}/`)) if (key.endsWith('.json')) archived++;
    expect(archived).toBe(162);
  });

  it.each(DAYS)('%s: one row per person (per visit), presence within what the events allow', (date) => {
    expect(personLines(exported.get(date) ?? [])).toEqual([...(EXPECTED[date] ?? [])].sort(order));
  });

  it('never starts presence at 00:00 and leaves camera figures empty (no camera data)', () => {
    const rows = DAYS.flatMap((d) => exported.get(d) ?? []);
    expect(rows.filter((r) => r['meeting_join_time']?.endsWith('T00:00:00Z'))).toEqual([]);
    expect(
      new Set(rows.map((r) => `${r['camera_source']}|${r['camera_on_mins']}|${r['camera_percentage']}`)),
    ).toEqual(new Set(['none||']));
    expect(new Set(rows.map((r) => r['meeting_topic']))).toEqual(new Set(['테스트 회의실']));
  });

  it('restores the rows a killed service lost (26 of 162) and writes the same CSV', async () => {
    await engine.connection.run(
      'DELETE FROM raw_events WHERE event_id IN (SELECT event_id FROM raw_events ORDER BY event_id LIMIT 26)',
    );
    for (const date of DAYS) expect(await report(date)).toEqual(exported.get(date));
    const { rows } = await engine.query('SELECT COUNT(*) AS n FROM zoom_tracker.raw_events', {});
    expect(rows[0]?.['n']).toBe(162);
  });

  it('attendance finds name-only people with a roster of display names, Late from the meeting start', async () => {
    // Roster by display name only (Zoom sent no email). 2026-04-11, instance 4 (start 11:56:09,
    // end 19:00:19, 424.17 min): 참가자04 present 11:56:09-17:54:58 (358.82 min, 85 %; left more
    // than 5 min before the end) → Left Early; 참가자03 joined 15:27:50 for 8.32 min → Absent
    // (under 50 %); 참가자47 from the start to the end → Present; 참가자05 from the start to 19:00:07
    // (12 s before the end) → Present. 참가자99 never came → Absent.
    const { csv } = await runAttendance(
      {
        engine,
        archive,
        log,
        timeZone: 'UTC',
        thresholds: { lateAfterMins: 5, leftEarlyBeforeMins: 5, minPresencePercent: 50 },
      },
      {
        date: '2026-04-11',
        rosterCsv: 'name,department\n참가자03,A\n참가자04,A\n참가자05,A\n참가자47,A\n참가자99,A\n',
      },
    );
    const rows = readCsv(csv.replace(/^\uFEFF/, '')).filter((r) => r['meeting_uuid'] === 'TESTUUID0004==');
    const members = rows.filter((r) => r['attendee_type'] === 'member');
    expect(
      members.map((r) => [
        r['participant_name'] || r['first_name'],
        r['status'],
        r['first_join_time'],
        r['present_mins'],
      ]),
    ).toEqual([
      ['참가자03', 'Absent', '2026-04-11T15:27:50Z', '8.32'],
      ['참가자04', 'Left Early', '2026-04-11T11:56:09Z', '358.82'],
      ['참가자05', 'Present', '2026-04-11T11:56:09Z', '423.97'],
      ['참가자47', 'Present', '2026-04-11T11:56:09Z', '424.17'],
      ['', 'Absent', '', '0.00'],
    ]);
    expect(rows[0]?.['meeting_start_time']).toBe('2026-04-11T11:56:09Z');
    // Everyone else of instance 4 is a guest: 44 persons, 4 of them members.
    expect(rows.filter((r) => r['attendee_type'] === 'guest')).toHaveLength(40);
    // Instance 2: 참가자05 joined 08:32:27, the meeting started 06:33:13: late, not on time
    // (the first join of anyone was 08:31:15), and present 23.32 of 197.67 min → Absent.
    const second = readCsv(csv.replace(/^\uFEFF/, '')).filter(
      (r) => r['meeting_uuid'] === 'TESTUUID0002==' && r['participant_name'] === '참가자07',
    );
    expect(second.map((r) => [r['attendee_type'], r['status'], r['meeting_start_time']])).toEqual([
      ['member', 'Absent', '2026-04-11T06:33:13Z'],
    ]);
  });
});
