// Test-only builders of live-state events as normalisation produces them from Zoom's webhooks (times
// in seconds after T0; event_ts 1.5 s after the event, as Zoom stamps it; reasons as Zoom words them).
import type { StateEvent } from '../../core/zoom/types.ts';

export const T0 = Date.parse('2026-02-03T09:00:00Z');
export const MEETING_UUID = 'State+Test/uuid==';
export const MEETING_ID = '81234567890';

/** One connection: a participant_uuid with the person fields its events carry. */
export interface Conn {
  uuid: string;
  name?: string;
  email?: string;
  accountUserId?: string;
  userId?: string;
}

export interface EventOptions {
  /** A breakout room uuid (the *_breakout_room events). */
  room?: string;
  /** event_ts offset from the event time, ms (Zoom stamps a move's two halves either way). */
  tsMs?: number;
  name?: string;
}

export function stateEvents(meeting: { type?: number; startTime?: number } = {}) {
  let seq = 0;
  const startTime = meeting.startTime ?? T0;
  const base = (action: string, type: string, atS: number, fields: Partial<StateEvent>, tsMs = 1500) => ({
    eventId: `ev${String(++seq).padStart(4, '0')}`,
    type,
    action,
    at: T0 + atS * 1000,
    ts: T0 + atS * 1000 + tsMs,
    meetingUuid: MEETING_UUID,
    meetingId: MEETING_ID,
    meetingType: meeting.type ?? 2,
    startTime,
    ...fields,
  });
  const who = (c: Conn, o: EventOptions = {}): Partial<StateEvent> => ({
    participantKey: c.uuid,
    participantUuid: c.uuid,
    ...((o.name ?? c.name) && { name: o.name ?? c.name }),
    ...(c.email && { email: c.email }),
    ...(c.accountUserId && { accountUserId: c.accountUserId }),
    userId: c.userId ?? String(16_000_000 + seq),
    ...(o.room && { roomUuid: o.room }),
  });
  return {
    started: (atS = 0): StateEvent =>
      base('MEETING_START', 'meeting.started', atS, { startTime: T0 + atS * 1000 }),
    ended: (atS: number): StateEvent =>
      base('MEETING_END', 'meeting.ended', atS, { endTime: T0 + atS * 1000 }),
    joined: (c: Conn, atS: number, o: EventOptions = {}): StateEvent =>
      base(
        'JOIN',
        o.room ? 'meeting.participant_joined_breakout_room' : 'meeting.participant_joined',
        atS,
        who(c, o),
        o.tsMs,
      ),
    /** `reason` is Zoom's text after "Reason :" (e.g. "left the meeting to join breakout room"). */
    left: (c: Conn, atS: number, reason = 'left the meeting', o: EventOptions = {}): StateEvent =>
      base(
        /join breakout room/i.test(reason) ? 'LEAVE_TO_BREAKOUT' : 'LEAVE',
        o.room ? 'meeting.participant_left_breakout_room' : 'meeting.participant_left',
        atS,
        {
          ...who(c, o),
          leaveReason: /Reason :/.test(reason) ? reason : `left the meeting. Reason : ${reason}`,
        },
        o.tsMs,
      ),
    waiting: (c: Conn, atS: number): StateEvent =>
      base('WAITING_ROOM_JOIN', 'meeting.participant_joined_waiting_room', atS, who(c)),
    admitted: (c: Conn, atS: number): StateEvent =>
      base('ADMITTED', 'meeting.participant_admitted', atS, who(c)),
    putInWaitingRoom: (c: Conn, atS: number): StateEvent =>
      base('PUT_IN_WAITING_ROOM', 'meeting.participant_put_in_waiting_room', atS, who(c)),
    sharing: (c: Conn, atS: number, on: boolean): StateEvent =>
      base(on ? 'SHARE_START' : 'SHARE_END', 'meeting.sharing_started', atS, who(c)),
    camera: (c: Conn, atS: number, on: boolean): StateEvent =>
      base(on ? 'VIDEO_ON' : 'VIDEO_OFF', 'rtms.video', atS, who(c)),
  };
}

/** Seconds after T0 of an epoch-ms time, or undefined. */
export const secs = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : (ms - T0) / 1000;
