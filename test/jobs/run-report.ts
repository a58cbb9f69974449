// Test helper: runs the daily report SELECT on a fresh in-memory DuckDB over hand-built rows and
// renders each output row as one compact line, so table tests read like the rules they check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import type { RawEventRow } from '../../core/warehouse/raw-events.ts';
import { dayWindow, reportParams } from '../../core/warehouse/day-window.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import type { CameraMinuteRow, Row } from '../../core/warehouse/sql-engine.ts';
import { readSql } from '../../core/warehouse/sql-files.ts';
import { DAY, MEETING, iso } from './event-rows.ts';

export async function reportRows(
  events: RawEventRow[],
  opts: { qos?: CameraMinuteRow[]; date?: string; timeZone?: string; now?: string } = {},
): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'report-test-'));
  const engine = await createDuckDbEngine({ path: ':memory:', archive: createFileArchive(dir) });
  try {
    const byDate = new Map<string, RawEventRow[]>();
    for (const e of events) byDate.set(e.event_date, [...(byDate.get(e.event_date) ?? []), e]);
    for (const [date, rows] of byDate) await engine.replaceWebhookEvents(date, rows);
    if (opts.qos?.length) {
      await engine.replaceCameraMinutes(
        opts.qos[0]?.meeting_uuid ?? MEETING,
        [...new Set(opts.qos.map((q) => q.minute_date))],
        opts.qos,
      );
    }
    const window = dayWindow(opts.date ?? DAY, opts.timeZone ?? 'UTC');
    const params = reportParams(window, opts.now ? Date.parse(iso(opts.now)) : window.endMs);
    const { rows } = await engine.query(
      `${readSql('queries/daily_report.sql')}\nORDER BY meeting_uuid, participant_key, room_number`,
      params,
    );
    return rows;
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function hms(v: unknown): string {
  return typeof v === 'string' ? v.slice(11, 19) : '-';
}

const orDash = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

/** `key room#n from-to dur on/off pct next | meeting from-to dur | camera source [| meeting_start]`. */
export function line(r: Row): string {
  const room =
    r['room_number'] == null
      ? 'no-room'
      : `${String(r['room_name'])}#${String(r['room_number'])} ${hms(r['room_join_time'])}-${hms(r['room_leave_time'])} ${String(r['room_duration_mins'])}`;
  return [
    String(r['participant_key']),
    room,
    `on=${orDash(r['camera_on_mins'])} off=${orDash(r['camera_off_mins'])} pct=${orDash(r['camera_percentage'])}`,
    `next=${String(r['next_room'] ?? '-')}`,
    `| ${hms(r['meeting_join_time'])}-${hms(r['meeting_leave_time'])} ${String(r['meeting_duration_mins'])}`,
    `| ${String(r['camera_source'])}`,
    ...(r['join_time_source'] === 'meeting_start' ? ['| meeting_start'] : []),
  ].join(' ');
}

/** A QoS minute for the camera table. */
export function qosMinute(key: string, at: string, kbps: number | null, meeting = MEETING): CameraMinuteRow {
  const start = iso(at);
  return {
    minute_date: start.slice(0, 10),
    meeting_uuid: meeting,
    meeting_id: '86431910364',
    participant_key: key,
    participant_uuid: key,
    participant_id: null,
    participant_name: null,
    participant_email: null,
    source: 'qos',
    interval_start: start,
    interval_end: new Date(Date.parse(start) + 60_000).toISOString(),
    camera_on: (kbps ?? 0) > 0,
    video_bitrate_kbps: kbps,
    video_resolution: null,
    video_frame_rate: null,
    inserted_at: '2026-02-04T00:00:00.000Z',
  };
}
