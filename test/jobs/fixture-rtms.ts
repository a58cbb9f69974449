// The fixture day's RTMS camera events (sql/fixtures/2026-02-03/rtms.json) as raw_events rows, the
// way the rtms-worker writes them (source rtms, per-meeting user id, no participant UUID).
import { readFile } from 'node:fs/promises';
import type { RawEventRow } from '../../core/warehouse/raw-events.ts';

interface RtmsFixture {
  event_id: string;
  event_type: string;
  action: string;
  at: string;
  user_id: string;
  name: string | null;
}

export async function fixtureRtmsRows(path: string, meetingUuid: string): Promise<RawEventRow[]> {
  const list = JSON.parse(await readFile(path, 'utf8')) as RtmsFixture[];
  return list.map((r) => ({
    event_id: r.event_id,
    event_date: r.at.slice(0, 10),
    event_type: r.event_type,
    event_timestamp: r.at,
    event_ts: Date.parse(r.at),
    meeting_id: '86431910364',
    meeting_uuid: meetingUuid,
    participant_id: r.user_id,
    participant_uuid: null,
    parent_participant_id: null,
    zoom_user_id: null,
    participant_name: r.name,
    participant_email: null,
    breakout_room_uuid: null,
    action: r.action,
    leave_reason: null,
    rtms_stream_id: 'stream-1',
    raw_payload: '{}',
    gcs_path: '',
    source: 'rtms',
    inserted_at: r.at,
  }));
}
