// Test helpers: hand-built raw_events rows (webhook and RTMS) for table tests of the report SQL; the
// person key is computed as normalisation does (core/zoom/person-key.ts).
import type { RawEventRow } from '../../core/warehouse/raw-events.ts';
import { personKeyOf } from '../../core/zoom/person-key.ts';

export const DAY = '2026-02-03';
export const MEETING = 'mtg-uuid-1==';

export interface EventSpec {
  /** `HH:MM[:SS]` on DAY (UTC), or a full ISO instant. */
  at: string;
  action: string;
  who?: string;
  email?: string;
  name?: string;
  room?: string;
  userId?: string;
  parentUserId?: string;
  source?: 'webhook' | 'rtms';
  meeting?: string;
  reason?: string;
  /** The Zoom account user id (`participant_user_id`). */
  accountId?: string;
  /** The meeting's start_time the event carries (`HH:MM[:SS]` or ISO). */
  start?: string;
  /** Added to Zoom's event_ts (it lags the join/leave time by 1-3.5 s in real deliveries). */
  lagMs?: number;
}

let counter = 0;

export function iso(at: string): string {
  if (at.includes('T')) return new Date(at).toISOString();
  const [h, m, s] = at.split(':');
  return new Date(`${DAY}T${h}:${m}:${s ?? '00'}Z`).toISOString();
}

export function row(spec: EventSpec): RawEventRow {
  const ts = iso(spec.at);
  counter++;
  const source = spec.source ?? 'webhook';
  const person =
    source === 'webhook'
      ? personKeyOf({ userId: spec.accountId ?? null, email: spec.email ?? null, name: spec.name ?? null })
      : undefined;
  const eventType =
    source === 'rtms'
      ? `rtms.participant_${spec.action === 'VIDEO_ON' ? 'video_on' : 'video_off'}`
      : spec.action.startsWith('MEETING')
        ? `meeting.${spec.action === 'MEETING_START' ? 'started' : 'ended'}`
        : `meeting.participant_${spec.action === 'JOIN' ? 'joined' : 'left'}${spec.room ? '_breakout_room' : ''}`;
  return {
    event_id: `ev-${String(counter).padStart(6, '0')}-${spec.action}`,
    event_date: ts.slice(0, 10),
    event_type: eventType,
    event_timestamp: ts,
    event_ts: Date.parse(ts) + (spec.lagMs ?? 0),
    meeting_id: '86431910364',
    meeting_uuid: spec.meeting ?? MEETING,
    participant_id: spec.userId ?? null,
    participant_uuid: source === 'rtms' ? null : (spec.who ?? null),
    parent_participant_id: spec.parentUserId ?? null,
    zoom_user_id: spec.accountId ?? null,
    participant_name: spec.name ?? null,
    participant_email: spec.email ?? null,
    breakout_room_uuid: spec.room ?? null,
    action: spec.action,
    leave_reason: spec.reason ?? null,
    rtms_stream_id: null,
    raw_payload: '{}',
    gcs_path: `raw/${ts.slice(0, 10)}/x.json`,
    source,
    inserted_at: '2026-02-04T00:00:00.000Z',
    meeting_start_time: spec.start ? iso(spec.start) : null,
    meeting_topic: source === 'webhook' ? 'Weekly sync' : null,
    person_match: person?.match ?? null,
  };
}

/** A participant's moves: [at, action, room?] tuples for one participant uuid. */
export function moves(who: string, name: string, list: [string, string, string?][]): RawEventRow[] {
  return list.map(([at, action, room]) => row({ at, action, who, name, ...(room && { room }) }));
}
