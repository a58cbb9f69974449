// RTMS EVENT_UPDATE messages (participant join/leave, active speaker, camera on/off) as raw_events
// rows with source 'rtms' and as live-state events. Pure: the caller passes the clock and the names.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/zoom/event-id.ts';
import type { StateEvent } from '../core/zoom/types.ts';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import { EVENT, type RtmsEvent } from './protocol/messages.ts';
import { MAX_USERS, boundName, type NameBook } from './capture/name-book.ts';

const KINDS: Readonly<Record<number, { type: string; action: string }>> = {
  [EVENT.ACTIVE_SPEAKER_CHANGE]: { type: 'rtms.active_speaker_change', action: 'ACTIVE_SPEAKER' },
  [EVENT.PARTICIPANT_JOIN]: { type: 'rtms.participant_join', action: 'JOIN' },
  [EVENT.PARTICIPANT_LEAVE]: { type: 'rtms.participant_leave', action: 'LEAVE' },
  [EVENT.PARTICIPANT_VIDEO_ON]: { type: 'rtms.participant_video_on', action: 'VIDEO_ON' },
  [EVENT.PARTICIPANT_VIDEO_OFF]: { type: 'rtms.participant_video_off', action: 'VIDEO_OFF' },
};

/** Only camera changes go to live state: joins and leaves there come from the webhooks, keyed properly. */
const LIVE_ACTIONS = new Set(['VIDEO_ON', 'VIDEO_OFF']);

export interface StreamContext {
  meetingUuid: string;
  meetingId?: string;
  streamId: string;
  /** user_id -> display name, learnt from joins and media frames (leave events carry ids only); bounded. */
  names: NameBook;
}

export interface EventRecords {
  rows: RawEventRow[];
  state: StateEvent[];
  /** Users past MAX_USERS in one event: no row for them. */
  droppedUsers?: number;
}

/** Users an event is about: `participants[]`, or a single `user_id` (both shapes occur, §3.7). */
function usersOf(e: RtmsEvent): { user_id: number; user_name?: string | undefined }[] {
  if (e.participants && e.participants.length > 0) return e.participants.slice(0, MAX_USERS);
  if (e.user_id !== undefined) return [{ user_id: e.user_id, user_name: e.user_name }];
  return [];
}

/** Learns names from the event (joins, active speaker) into ctx.names. */
export function learnNames(ctx: StreamContext, e: RtmsEvent): void {
  for (const u of usersOf(e)) if (u.user_name) ctx.names.set(u.user_id, u.user_name);
}

/**
 * One row (and, for camera events, one state event) per user the event names. event_id is the
 * SHA-256 of stream id + the canonical event + user, so a replayed event is stored once.
 */
export function recordsOfEvent(
  ctx: StreamContext,
  e: RtmsEvent,
  receivedAtMs: number,
  insertedAt: string,
): EventRecords {
  const kind = KINDS[e.event_type];
  if (!kind) return { rows: [], state: [] };
  learnNames(ctx, e);
  const at = e.timestamp ?? receivedAtMs;
  const iso = new Date(at).toISOString();
  const rows: RawEventRow[] = [];
  const state: StateEvent[] = [];
  // The event is hashed once and the hash state copied per user: an event naming thousands of users
  // stays linear (same ids as hashing `stream \n event \n user` whole each time).
  const eventHash = createHash('sha256').update(`${ctx.streamId}\n${canonicalJson(e)}\n`);
  const { participants, ...rest } = e;
  for (const u of usersOf(e)) {
    const userId = String(u.user_id);
    const name = u.user_name !== undefined ? boundName(u.user_name) : (ctx.names.get(u.user_id) ?? null);
    const eventId = eventHash.copy().update(userId).digest('hex').slice(0, 32);
    // Each row keeps the event with its own participant only, so a row's size never grows with the event.
    const rawEvent = participants
      ? { ...rest, participants: [{ ...u, ...(u.user_name !== undefined && { user_name: name }) }] }
      : e;
    rows.push({
      event_id: eventId,
      event_date: iso.slice(0, 10),
      event_type: kind.type,
      event_timestamp: iso,
      event_ts: at,
      meeting_id: ctx.meetingId ?? null,
      meeting_uuid: ctx.meetingUuid,
      participant_id: userId,
      participant_uuid: null,
      parent_participant_id: null,
      zoom_user_id: null,
      participant_name: name,
      participant_email: null,
      breakout_room_uuid: null,
      action: kind.action,
      leave_reason: null,
      rtms_stream_id: ctx.streamId,
      raw_payload: JSON.stringify({ msg_type: 6, event: rawEvent }),
      gcs_path: '',
      source: 'rtms',
      inserted_at: insertedAt,
    });
    if (LIVE_ACTIONS.has(kind.action)) {
      state.push({
        eventId,
        type: kind.type,
        action: kind.action,
        at,
        ts: at,
        meetingUuid: ctx.meetingUuid,
        userId,
        rtmsStreamId: ctx.streamId,
        ...(ctx.meetingId !== undefined && { meetingId: ctx.meetingId }),
        ...(name !== null && { name }),
      });
    }
  }
  const droppedUsers = (participants?.length ?? 0) - MAX_USERS;
  return { rows, state, ...(droppedUsers > 0 && { droppedUsers }) };
}
