// Live state as a pure fold of events ordered by Zoom's event time: the same set of events gives
// the same state whatever the arrival order or the number of copies.
import { compareStateEvents, type StateEvent } from '../zoom/types.ts';
import { meetingKeyOf } from '../zoom/event-id.ts';
import type { Location, LiveParticipantsView, MeetingSummary, ParticipantView, RoomCounts } from './views.ts';

export interface Session {
  room: string;
  joinedAt: number;
  leftAt?: number;
}

export interface ParticipantState {
  key: string;
  name?: string;
  email?: string;
  location: Location;
  roomUuid?: string;
  camera: 'on' | 'off' | 'unknown';
  sharing: boolean;
  role?: string;
  sessions: Session[];
  userIds: string[];
  lastEventAt: number;
}

export interface MeetingState {
  meetingUuid: string;
  meetingId?: string;
  topic?: string;
  hostId?: string;
  status: 'started' | 'ended' | 'unknown';
  startedAt?: number;
  endedAt?: number;
  recording: 'none' | 'recording' | 'paused' | 'stopped';
  rtmsStreams: string[];
}

/** Meeting-level events change the meeting document; participant events the participant's. */
export function isMeetingLevel(e: StateEvent): boolean {
  return e.participantKey === undefined && e.userId === undefined;
}

/**
 * The meeting-level record of a participant event: carries the meeting number, topic, host and
 * start time into the meeting's state (the UUID->ID map) without any participant change.
 */
export function sightingOf(e: StateEvent): StateEvent {
  return {
    eventId: `seen:${e.meetingUuid}`,
    type: 'meeting.sighted',
    action: 'SEEN',
    at: e.at,
    ts: e.ts,
    meetingUuid: e.meetingUuid,
    ...(e.meetingId !== undefined && { meetingId: e.meetingId }),
    ...(e.topic !== undefined && { topic: e.topic }),
    ...(e.hostId !== undefined && { hostId: e.hostId }),
    ...(e.startTime !== undefined && { startTime: e.startTime }),
  };
}

/** What a store knows of a participant for resolving events that name only a per-meeting id. */
export interface ParticipantIdentity {
  key: string;
  userIds: readonly string[];
  names: readonly string[];
}

/**
 * The participant an event belongs to: its own key, else the participant whose per-meeting ids
 * include the event's user id (or parent id), else the one with the same name; undefined when no
 * known participant matches yet (the store keeps the event pending and retries as others arrive).
 */
export function resolveParticipant(e: StateEvent, known: Iterable<ParticipantIdentity>): string | undefined {
  if (e.participantKey !== undefined) return e.participantKey;
  let byName: string | undefined;
  for (const p of known) {
    if (
      (e.userId !== undefined && p.userIds.includes(e.userId)) ||
      (e.parentUserId !== undefined && p.userIds.includes(e.parentUserId))
    )
      return p.key;
    if (byName === undefined && e.name !== undefined && p.names.includes(e.name)) byName = p.key;
  }
  return byName;
}

/** Sorts by event time and drops duplicate event ids. */
export function orderEvents(events: Iterable<StateEvent>): StateEvent[] {
  const byId = new Map<string, StateEvent>();
  for (const e of events) byId.set(e.eventId, e);
  return [...byId.values()].sort(compareStateEvents);
}

export function foldMeeting(meetingUuid: string, events: readonly StateEvent[]): MeetingState {
  const m: MeetingState = { meetingUuid, status: 'unknown', recording: 'none', rtmsStreams: [] };
  for (const e of orderEvents(events)) {
    if (e.meetingId !== undefined) m.meetingId = e.meetingId;
    if (e.topic !== undefined) m.topic = e.topic;
    if (e.hostId !== undefined) m.hostId = e.hostId;
    switch (e.action) {
      case 'MEETING_START':
        if (m.status !== 'ended') m.status = 'started';
        m.startedAt = e.startTime ?? e.at;
        break;
      case 'MEETING_END':
        m.status = 'ended';
        m.endedAt = e.endTime ?? e.at;
        if (e.startTime !== undefined && m.startedAt === undefined) m.startedAt = e.startTime;
        break;
      case 'RECORDING_START':
      case 'RECORDING_RESUME':
        m.recording = 'recording';
        break;
      case 'RECORDING_PAUSE':
        m.recording = 'paused';
        break;
      case 'RECORDING_STOP':
        m.recording = 'stopped';
        break;
      case 'RTMS_START':
        if (e.rtmsStreamId && !m.rtmsStreams.includes(e.rtmsStreamId)) m.rtmsStreams.push(e.rtmsStreamId);
        break;
      case 'RTMS_STOP':
        m.rtmsStreams = m.rtmsStreams.filter((s) => s !== e.rtmsStreamId);
        break;
      default:
        if (m.status === 'unknown' && m.startedAt === undefined && e.startTime !== undefined)
          m.startedAt = e.startTime;
    }
  }
  return m;
}

export function foldParticipant(key: string, events: readonly StateEvent[]): ParticipantState {
  const p: ParticipantState = {
    key,
    location: 'left',
    camera: 'unknown',
    sharing: false,
    sessions: [],
    userIds: [],
    lastEventAt: 0,
  };
  const open = (): Session | undefined => {
    const last = p.sessions.at(-1);
    return last && last.leftAt === undefined ? last : undefined;
  };
  const close = (at: number): void => {
    const s = open();
    if (s) s.leftAt = Math.max(at, s.joinedAt);
  };
  const enter = (room: string, at: number): void => {
    const s = open();
    if (s?.room === room) return; // a second join to where they already are changes nothing
    close(at);
    p.sessions.push({ room, joinedAt: at });
  };
  for (const e of orderEvents(events)) {
    p.lastEventAt = Math.max(p.lastEventAt, e.at);
    if (e.name) p.name = e.name;
    if (e.email) p.email = e.email;
    if (e.userId && !p.userIds.includes(e.userId)) p.userIds.push(e.userId);
    switch (e.action) {
      case 'JOIN':
        enter(e.roomUuid ?? 'main', e.at);
        p.location = e.roomUuid ? 'breakout' : 'main';
        p.roomUuid = e.roomUuid;
        break;
      case 'LEAVE':
        if (e.roomUuid) {
          if (open()?.room === e.roomUuid) {
            close(e.at);
            p.location = /left the meeting\.?$|host ended|host closed/i.test(e.leaveReason ?? '')
              ? 'left'
              : 'transit';
            p.roomUuid = undefined;
          }
        } else if (open()?.room !== undefined && open()?.room !== 'main') {
          // A main-room leave while in a room (delivered late): the room visit already ended it.
        } else {
          close(e.at);
          p.location = 'left';
          p.roomUuid = undefined;
        }
        break;
      case 'LEAVE_TO_BREAKOUT':
        if (open()?.room === 'main') {
          close(e.at);
          p.location = 'transit';
        }
        break;
      case 'WAITING_ROOM_JOIN':
      case 'PUT_IN_WAITING_ROOM':
        close(e.at);
        p.location = 'waiting_room';
        p.roomUuid = undefined;
        break;
      case 'WAITING_ROOM_LEAVE':
      case 'JBH_WAITING_LEAVE':
        if (p.location === 'waiting_room' || p.location === 'jbh_waiting') p.location = 'left';
        break;
      case 'ADMITTED':
      case 'JBH_JOIN':
        if (p.location === 'waiting_room' || p.location === 'jbh_waiting' || p.location === 'left')
          p.location = 'transit';
        break;
      case 'JBH_WAITING':
        close(e.at);
        p.location = 'jbh_waiting';
        break;
      case 'SHARE_START':
        p.sharing = true;
        break;
      case 'SHARE_END':
        p.sharing = false;
        break;
      case 'ROLE_CHANGE':
        if (e.role) p.role = e.role;
        break;
      case 'VIDEO_ON':
        p.camera = 'on';
        break;
      case 'VIDEO_OFF':
        p.camera = 'off';
        break;
    }
  }
  return p;
}

/** Room-K names: K is the order in which each room UUID first appeared (earliest join; ties by uuid). */
export function nameRooms(participants: readonly ParticipantState[]): Map<string, string> {
  const first = new Map<string, number>();
  for (const p of participants) {
    for (const s of p.sessions) {
      if (s.room === 'main') continue;
      const seen = first.get(s.room);
      if (seen === undefined || s.joinedAt < seen) first.set(s.room, s.joinedAt);
    }
  }
  const order = [...first.entries()].sort(
    ([ua, ta], [ub, tb]) => ta - tb || (ua < ub ? -1 : ua > ub ? 1 : 0),
  );
  return new Map(order.map(([uuid], i) => [uuid, `Room-${i + 1}`]));
}

/** Builds the API view: open sessions run to `now` (or to the meeting's end once it ended). */
export function viewMeeting(
  meeting: MeetingState,
  participants: readonly ParticipantState[],
  now: number,
  roster?: ReadonlySet<string>,
): LiveParticipantsView {
  const rooms = nameRooms(participants);
  const ended = meeting.status === 'ended';
  const until = ended && meeting.endedAt !== undefined ? meeting.endedAt : now;
  const views: ParticipantView[] = participants.map((p) => {
    const sessions = p.sessions.map((s) => {
      const end = s.leftAt ?? Math.max(until, s.joinedAt);
      return {
        room: s.room,
        ...(s.room !== 'main' && { roomName: rooms.get(s.room) }),
        joinedAt: new Date(s.joinedAt).toISOString(),
        ...((s.leftAt !== undefined || ended) && { leftAt: new Date(end).toISOString() }),
        durationSeconds: Math.round((end - s.joinedAt) / 1000),
      };
    });
    const location: Location = ended ? 'left' : p.location;
    return {
      key: p.key,
      ...(p.name && { name: p.name }),
      ...(p.email && { email: p.email }),
      location,
      ...(location === 'breakout' && p.roomUuid && { roomUuid: p.roomUuid, roomName: rooms.get(p.roomUuid) }),
      camera: ended ? 'off' : p.camera,
      sharing: !ended && p.sharing,
      ...(p.role && { role: p.role }),
      sessions,
      totalSeconds: sessions.reduce((sum, s) => sum + s.durationSeconds, 0),
      lastEventAt: new Date(p.lastEventAt).toISOString(),
      ...(roster && { rosterMatch: p.email !== undefined && roster.has(p.email.toLowerCase()) }),
    };
  });
  views.sort(
    (a, b) =>
      (a.name ?? a.key).localeCompare(b.name ?? b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const stats = countRooms(views);
  return { meeting: summarize(meeting, stats), participants: views, stats };
}

export function countRooms(views: readonly ParticipantView[]): RoomCounts {
  const c: RoomCounts = {
    inMeeting: 0,
    main: 0,
    breakout: 0,
    byRoom: {},
    waitingRoom: 0,
    cameraOn: 0,
    sharing: 0,
  };
  for (const v of views) {
    if (v.location === 'main' || v.location === 'breakout' || v.location === 'transit') c.inMeeting++;
    if (v.location === 'main') c.main++;
    if (v.location === 'breakout') {
      c.breakout++;
      const name = v.roomName ?? v.roomUuid ?? 'unknown';
      c.byRoom[name] = (c.byRoom[name] ?? 0) + 1;
    }
    if (v.location === 'waiting_room' || v.location === 'jbh_waiting') c.waitingRoom++;
    if (v.camera === 'on' && v.location !== 'left') c.cameraOn++;
    if (v.sharing) c.sharing++;
  }
  return c;
}

export function summarize(m: MeetingState, counts: RoomCounts): MeetingSummary {
  return {
    meetingUuid: m.meetingUuid,
    meetingKey: meetingKeyOf(m.meetingUuid),
    ...(m.meetingId !== undefined && { meetingId: m.meetingId }),
    ...(m.topic !== undefined && { topic: m.topic }),
    ...(m.hostId !== undefined && { hostId: m.hostId }),
    status: m.status,
    ...(m.startedAt !== undefined && { startedAt: new Date(m.startedAt).toISOString() }),
    ...(m.endedAt !== undefined && { endedAt: new Date(m.endedAt).toISOString() }),
    recording: m.recording,
    rtmsStreams: m.rtmsStreams,
    counts,
  };
}

/** When a meeting's documents may be deleted: a day after it ended, else `ttlDays` after it began. */
export function expiryOf(m: MeetingState, lastEventAt: number, ttlDays: number): number {
  const day = 86_400_000;
  if (m.status === 'ended' && m.endedAt !== undefined) return m.endedAt + day;
  return (m.startedAt ?? lastEventAt) + ttlDays * day;
}
