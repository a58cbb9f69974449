// selectRows/replaceRows on DuckDB, the primitive the erasure job rewrites rows with: every table is
// filled the way the project writes it (webhook bodies replayed into raw_events, the report into
// daily_reports, QoS minutes, attendance, recordings, roster), and every column of every table is
// compared byte for byte (doubles by their bits, timestamps to the microsecond, JSON as text) before
// and after a round trip, a change, and a failed replace.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../adapters/local/duckdb-engine.ts';
import { createFileArchive } from '../adapters/local/file-archive.ts';
import { silentLogger } from '../log.ts';
import { runReplay } from '../../jobs/replay.ts';
import { runReport } from '../../jobs/report.ts';
import { archiveBodies } from '../../test/jobs/archive-bodies.ts';
import { sqlDir, tableDdls } from './sql-files.ts';
import { toDuckDb } from './to-duckdb.ts';
import {
  WAREHOUSE_TABLES,
  type AttendanceTableRow,
  type CameraMinuteRow,
  type Row,
  type SqlEngine,
  type Statement,
  type WarehouseTable,
} from './sql-engine.ts';

const log = silentLogger();
const FIXTURE = join(sqlDir(), 'fixtures', '2026-03-14');

/** Every row of every table, each value spelled exactly: doubles by their IEEE bits. */
async function dump(connection: DuckDBConnection): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of WAREHOUSE_TABLES) {
    const reader = await connection.runAndReadAll(`SELECT * FROM ${table} ORDER BY ALL`);
    out[table] = reader.getRowObjects().map((row) =>
      Object.entries(row)
        .map(([k, v]) => `${k}=${exact(v)}`)
        .join(' | '),
    );
  }
  return out;
}

function exact(v: DuckDBValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return `f64:${b.toString('hex')}`;
  }
  if (typeof v === 'bigint') return `i:${v}`;
  if (typeof v === 'string') return `s:${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `b:${v}`;
  return `${v.constructor.name}:${String(v)}`;
}

const M1 = 'syn-meeting-1';
const camera = (over: Partial<CameraMinuteRow>): CameraMinuteRow => ({
  minute_date: '2026-03-14',
  meeting_uuid: M1,
  meeting_id: '81234567890',
  participant_key: 'e:zoe.muller@example.org',
  participant_uuid: 'pu-zoe',
  participant_id: '16778240',
  participant_name: 'Zoë Müller',
  participant_email: 'zoe.muller@example.org',
  source: 'qos',
  interval_start: '2026-03-14T09:01:00.000Z',
  interval_end: '2026-03-14T09:02:00.000Z',
  camera_on: true,
  video_bitrate_kbps: 812.5,
  video_resolution: '1280*720',
  video_frame_rate: 29.97,
  inserted_at: '2026-03-15T02:00:00.123Z',
  ...over,
});

const attendance = (over: Partial<AttendanceTableRow>): AttendanceTableRow => ({
  attendance_date: '2026-03-14',
  meeting_id: '81234567890',
  meeting_uuid: M1,
  roster_id: 'R-17',
  email: 'zoe.muller@example.org',
  first_name: 'Zoë',
  last_name: 'Müller',
  department: 'Ops',
  participant_name: 'Zoë Müller',
  status: 'Present',
  is_guest: false,
  first_join_time: '2026-03-14T09:00:12.345Z',
  last_leave_time: '2026-03-14T09:47:27.001Z',
  present_mins: 47.25,
  inserted_at: '2026-03-15T03:00:00.000Z',
  ...over,
});

describe('selectRows / replaceRows on DuckDB', () => {
  let dir: string;
  let engine: SqlEngine & { connection: DuckDBConnection };
  let meetings: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replace-rows-'));
    const archive = createFileArchive(join(dir, 'gcs'));
    engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
    const bodies = JSON.parse(await readFile(join(FIXTURE, 'webhooks.json'), 'utf8')) as unknown[];
    await archiveBodies(archive, bodies);
    for (const date of ['2026-03-14', '2026-03-15']) await runReplay({ engine, archive, log }, { date });
    for (const date of ['2026-03-14', '2026-03-15'])
      await runReport({ engine, archive, log, timeZone: 'UTC' }, { date });
    meetings = (
      await engine.query<{ meeting_uuid: string }>(
        'SELECT DISTINCT meeting_uuid FROM raw_events WHERE meeting_uuid IS NOT NULL ORDER BY 1',
        {},
      )
    ).rows.map((r) => r.meeting_uuid);
    // QoS minutes as the backfill writes them (one meeting id, the other meeting's too).
    await engine.replaceCameraMinutes(
      M1,
      ['2026-03-14'],
      [
        camera({}),
        camera({
          interval_start: '2026-03-14T09:02:00.000Z',
          interval_end: '2026-03-14T09:03:00.000Z',
          camera_on: false,
          video_bitrate_kbps: null,
          video_resolution: null,
          video_frame_rate: null,
        }),
        camera({
          participant_key: 'n:guest 7',
          participant_uuid: null,
          participant_id: null,
          participant_name: 'guest 7',
          participant_email: null,
          video_bitrate_kbps: 0.1 + 0.2,
          video_frame_rate: 1 / 3,
        }),
      ],
    );
    await engine.replaceCameraMinutes(
      'syn-meeting-2',
      ['2026-03-15'],
      [
        camera({
          meeting_uuid: 'syn-meeting-2',
          minute_date: '2026-03-15',
          interval_start: '2026-03-15T00:10:00.000Z',
          interval_end: '2026-03-15T00:11:00.000Z',
        }),
      ],
    );
    await engine.replaceAttendance('2026-03-14', [
      attendance({}),
      attendance({
        roster_id: null,
        email: null,
        first_name: null,
        last_name: null,
        department: null,
        participant_name: 'guest 7',
        status: 'Guest',
        is_guest: true,
        present_mins: 12.583333333333334,
      }),
      attendance({
        roster_id: 'R-18',
        email: 'a.berg@example.org',
        first_name: 'Anna',
        last_name: 'Berg',
        participant_name: null,
        status: 'Absent',
        first_join_time: null,
        last_leave_time: null,
        present_mins: 0,
      }),
    ]);
    // recordings: one row per stream (the rtms-worker's manifest.json), one with microseconds.
    await engine.connection.run(`INSERT INTO recordings VALUES
      ('2026-03-14', '${M1}', '81234567890', 'st-1', '2026-03-14 09:00:01.250', '2026-03-14 09:59:59.999',
        3598.749, 'recordings/2026-03-14/st-1/',
        '{"status":"complete","files":[{"name":"audio.m4a","bytes":48213377},{"name":"transcript.vtt","bytes":1024}],"speakers":["Zoë Müller", "guest 7"]}',
        '2026-03-14 10:00:05.123'),
      ('2026-03-15', 'syn-meeting-2', NULL, 'st-2', '2026-03-15 00:05:00.123456', NULL, NULL,
        'recordings/2026-03-15/st-2/', NULL, '2026-03-15 00:05:01.000001')`);
    await engine.connection.run(`INSERT INTO roster VALUES
      ('R-17', 'zoe.muller@example.org', 'Zoë', 'Müller', 'Ops', '2026-03-01 08:00:00.000'),
      ('R-18', 'a.berg@example.org', 'Anna', 'Berg', NULL, '2026-03-01 08:00:00.000')`);
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the tables it takes are exactly those of sql/ddl', () => {
    expect([...WAREHOUSE_TABLES].sort()).toEqual([...tableDdls().keys()].sort());
  });

  // One meeting of each table (two for raw_events and the report, newline-separated), and the roster row.
  const wheres: Record<WarehouseTable, () => Statement> = {
    raw_events: () => ({
      sql: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
      params: { m: meetings.join('\n') },
    }),
    daily_reports: () => ({
      sql: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
      params: { m: meetings.join('\n') },
    }),
    camera_minutes: () => ({ sql: 'meeting_uuid = @m', params: { m: M1 } }),
    attendance: () => ({
      sql: 'meeting_uuid = @m AND attendance_date = CAST(@d AS DATE)',
      params: { m: M1, d: '2026-03-14' },
    }),
    recordings: () => ({
      sql: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
      params: { m: `${M1}\nsyn-meeting-2` },
    }),
    roster: () => ({ sql: 'LOWER(email) = @e', params: { e: 'zoe.muller@example.org' } }),
  };

  it.each(WAREHOUSE_TABLES)(
    '%s: replaceRows(selectRows(...)) leaves every table byte for byte as it was',
    async (table) => {
      const before = await dump(engine.connection);
      const where = wheres[table]();
      const rows = await engine.selectRows(table, where);
      expect(rows.length).toBeGreaterThan(0);
      expect(Object.keys(rows[0] as Row)).toEqual(
        (await engine.connection.runAndReadAll(`SELECT * FROM ${table} LIMIT 0`)).columnNames(),
      );
      await engine.replaceRows(table, where, rows);
      expect(await dump(engine.connection)).toEqual(before);
      // In batches too.
      await engine.replaceRows(
        table,
        where,
        (async function* () {
          yield rows.slice(0, 1);
          yield [];
          yield rows.slice(1);
        })(),
      );
      expect(await dump(engine.connection)).toEqual(before);
    },
  );

  it('the form of the rows: ISO timestamps (microseconds only when present), dates, numbers, booleans, JSON text, nulls', async () => {
    const recordings = await engine.selectRows('recordings', wheres.recordings());
    expect(recordings).toEqual([
      {
        recording_date: '2026-03-14',
        meeting_uuid: M1,
        meeting_id: '81234567890',
        rtms_stream_id: 'st-1',
        started_at: '2026-03-14T09:00:01.250Z',
        ended_at: '2026-03-14T09:59:59.999Z',
        duration_secs: 3598.749,
        s3_prefix: 'recordings/2026-03-14/st-1/',
        manifest:
          '{"status":"complete","files":[{"name":"audio.m4a","bytes":48213377},{"name":"transcript.vtt","bytes":1024}],"speakers":["Zoë Müller", "guest 7"]}',
        inserted_at: '2026-03-14T10:00:05.123Z',
      },
      {
        recording_date: '2026-03-15',
        meeting_uuid: 'syn-meeting-2',
        meeting_id: null,
        rtms_stream_id: 'st-2',
        started_at: '2026-03-15T00:05:00.123456Z',
        ended_at: null,
        duration_secs: null,
        s3_prefix: 'recordings/2026-03-15/st-2/',
        manifest: null,
        inserted_at: '2026-03-15T00:05:01.000001Z',
      },
    ]);
    const minutes = await engine.selectRows('camera_minutes', {
      sql: 'participant_key = @k',
      params: { k: 'n:guest 7' },
    });
    expect(minutes).toEqual([
      {
        ...camera({}),
        participant_key: 'n:guest 7',
        participant_uuid: null,
        participant_id: null,
        participant_name: 'guest 7',
        participant_email: null,
        video_bitrate_kbps: 0.1 + 0.2,
        video_frame_rate: 1 / 3,
      },
    ]);
    const events = await engine.selectRows('raw_events', {
      sql: 'event_id = @id',
      params: {
        id:
          (await engine.query<{ event_id: string }>('SELECT MIN(event_id) AS event_id FROM raw_events', {}))
            .rows[0]?.event_id ?? '',
      },
    });
    expect(events).toHaveLength(1);
    expect(typeof events[0]?.['event_ts']).toBe('number');
    expect(events[0]?.['event_timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse(events[0]?.['raw_payload'] as string)).toHaveProperty('event');
  });

  it('a changed row comes back changed; rows outside the condition are untouched', async () => {
    const before = await dump(engine.connection);
    const where: Statement = { sql: 'participant_email = @e', params: { e: 'zoe.muller@example.org' } };
    const rows = await engine.selectRows('camera_minutes', where);
    expect(rows).toHaveLength(3); // two of M1, one of syn-meeting-2
    const changed = rows.map((r) => ({
      ...r,
      participant_name: 'Person 1f3a',
      participant_email: null,
      participant_key: 'p:1f3a',
    }));
    await engine.replaceRows('camera_minutes', where, changed);
    const after = await dump(engine.connection);
    for (const t of WAREHOUSE_TABLES) if (t !== 'camera_minutes') expect(after[t]).toEqual(before[t]);
    const untouched = (before.camera_minutes ?? []).filter((r) => !r.includes('zoe.muller@example.org'));
    expect(untouched).toHaveLength(1); // the guest's minute
    const expected = [
      ...untouched,
      ...(before.camera_minutes ?? [])
        .filter((r) => r.includes('zoe.muller@example.org'))
        .map((r) =>
          r
            .replace('participant_key=s:"e:zoe.muller@example.org"', 'participant_key=s:"p:1f3a"')
            .replace('participant_name=s:"Zoë Müller"', 'participant_name=s:"Person 1f3a"')
            .replace('participant_email=s:"zoe.muller@example.org"', 'participant_email=NULL'),
        ),
    ].sort();
    expect([...(after.camera_minutes ?? [])].sort()).toEqual(expected);
    expect(await engine.selectRows('camera_minutes', where)).toEqual([]);
    const byStart = (rs: Row[]) =>
      [...rs].sort((a, b) => String(a['interval_start']).localeCompare(String(b['interval_start'])));
    expect(
      byStart(
        await engine.selectRows('camera_minutes', { sql: 'participant_key = @k', params: { k: 'p:1f3a' } }),
      ),
    ).toEqual(byStart(changed));
  });

  it('a raw_events row rewritten under the same event_id (the primary key) replaces the old one', async () => {
    const where: Statement = {
      sql: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
      params: { m: meetings.join('\n') },
    };
    const rows = await engine.selectRows('raw_events', where);
    const named = rows.filter((r) => r['participant_name'] !== null);
    expect(named.length).toBeGreaterThan(0);
    const pseudo = rows.map((r) =>
      r['participant_name'] === null
        ? r
        : { ...r, participant_name: 'Person 9', raw_payload: JSON.stringify({ erased: true }) },
    );
    await engine.replaceRows('raw_events', where, pseudo);
    const back = await engine.selectRows('raw_events', where);
    const byId = (rs: Row[]) =>
      [...rs].sort((a, b) => String(a['event_id']).localeCompare(String(b['event_id'])));
    expect(byId(back)).toEqual(byId(pseudo));
    expect(back).toHaveLength(rows.length);
  });

  it('a failed replace changes nothing (one transaction), and what is not a table, a column or one expression is refused', async () => {
    const before = await dump(engine.connection);
    const where: Statement = { sql: 'roster_id = @r', params: { r: 'R-18' } };
    const rows = await engine.selectRows('roster', where);
    await expect(
      engine.replaceRows(
        'roster',
        where,
        (async function* () {
          yield rows;
          yield [{ ...rows[0], nickname: 'x' }];
        })(),
      ),
    ).rejects.toThrow('roster has no column nickname');
    await expect(engine.replaceRows('roster', where, [{ ...rows[0], loaded_at: { at: 1 } }])).rejects.toThrow(
      'roster.loaded_at (TIMESTAMP) cannot take object {"at":1}',
    );
    await expect(engine.selectRows('roster; DROP TABLE roster --' as WarehouseTable, where)).rejects.toThrow(
      'not a warehouse table: roster; DROP TABLE roster --',
    );
    await expect(engine.selectRows('raw_events_dedup' as WarehouseTable, where)).rejects.toThrow(
      'not a warehouse table: raw_events_dedup',
    );
    await expect(
      engine.replaceRows('roster', { sql: 'TRUE; DELETE FROM roster', params: {} }, []),
    ).rejects.toThrow('a row condition is one expression, without `;`');
    expect(await dump(engine.connection)).toEqual(before);
  });
});

describe('the BigQuery conditions the erasure job writes, in DuckDB', () => {
  it('`x IN UNNEST(array)` becomes a subquery, and escapes in literals are decoded', () => {
    expect(toDuckDb(`meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`)).toBe(
      `meeting_uuid IN (SELECT UNNEST(SPLIT($m, '\n')))`,
    );
    expect(toDuckDb(`x NOT IN UNNEST(SPLIT(@m, ','))`)).toBe(`x NOT IN (SELECT UNNEST(SPLIT($m, ',')))`);
    expect(toDuckDb(`SELECT 'it\\'s', '\\t\\\\', '\\x41\\u00e9\\U0001F600\\101', 'plain'`)).toBe(
      `SELECT 'it''s', '\t\\', 'Aé😀A', 'plain'`,
    );
    expect(() => toDuckDb(`SELECT '\\q'`)).toThrow('illegal escape \\q in a SQL string literal');
  });
});
