// One connection (one participant_uuid: new on every rejoin, kept across room hops) as a pure fold of
// its events: its sessions in the main room and breakout rooms, a leave that may still be the first
// half of a room move, and camera, sharing and role. Persons are built from connections in person-view.
import { personKeyOf, type PersonKey } from '../zoom/person-key.ts';
import type { StateEvent } from '../zoom/types.ts';

export const MAIN = 'main';
/** A breakout room whose uuid Zoom did not send (a move whose leave reason names a breakout room). */
export const UNKNOWN_ROOM = '?';

/** How a session's start is known: a join event, or estimated because the join never arrived. */
export type JoinSource = 'event' | 'previous_event' | 'meeting_start' | 'unknown';

export interface Session {
  /** MAIN, a breakout room uuid, or UNKNOWN_ROOM. */
  room: string;
  joinedAt: number;
  leftAt?: number;
  source: JoinSource;
}

/** What a leave's reason says about where the connection went. */
export type LeaveKind = 'exit' | 'plain' | 'to_room' | 'to_main';

/** A leave with no join of the same second (yet): a move whose join is on its way, or an exit. */
export interface PendingLeave {
  at: number;
  kind: LeaveKind;
  /** The place it left. */
  room: string;
}

export type ConnectionStatus =
  'none' | 'present' | 'leaving' | 'waiting_room' | 'jbh_waiting' | 'admitted' | 'gone';

export interface ConnectionState {
  /** The store's key: the participant_uuid (else the email or name of an event without one). */
  key: string;
  participantUuid?: string;
  /** The person key of the connection's first event that carried one. */
  person?: PersonKey;
  name?: string;
  email?: string;
  status: ConnectionStatus;
  /** When the status last changed (e.g. admitted from the waiting room). */
  statusAt: number;
  sessions: Session[];
  pending?: PendingLeave;
  /** The meeting's start time (`start_time`, carried by every meeting event). */
  meetingStart?: number;
  camera: 'on' | 'off' | 'unknown';
  sharing: boolean;
  role?: string;
  userIds: string[];
  firstEventAt: number;
  lastEventAt: number;
}

const LEAVES = new Set(['LEAVE', 'LEAVE_TO_BREAKOUT']);
const second = (ms: number): number => Math.floor(ms / 1000);

/**
 * Dedupes by event id and orders by Zoom's time; within one second leaves come first, so a move's
 * `participant_left` and join pair up whatever their `event_ts` order (Zoom stamps either first).
 */
export function orderConnectionEvents(events: Iterable<StateEvent>): StateEvent[] {
  const byId = new Map<string, StateEvent>();
  for (const e of events) byId.set(e.eventId, e);
  const rank = (e: StateEvent): number => (LEAVES.has(e.action) ? 0 : 1);
  return [...byId.values()].sort(
    (a, b) =>
      second(a.at) - second(b.at) ||
      rank(a) - rank(b) ||
      a.at - b.at ||
      a.ts - b.ts ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
}

/** Reads a leave reason (`"<who> left the meeting. Reason : <reason>"`; the part after `Reason :`). */
export function leaveKindOf(e: StateEvent): LeaveKind {
  if (e.action === 'LEAVE_TO_BREAKOUT') return 'to_room';
  const text = e.leaveReason ?? '';
  if (/join (the )?main meeting/i.test(text)) return 'to_main';
  const reason = (/reason\s*:\s*(.*)$/is.exec(text)?.[1] ?? text).trim();
  if (reason === '' || /^(\S.*\s)?left the meeting\.?$/i.test(reason)) return 'plain';
  return 'exit';
}

export function foldConnection(key: string, events: readonly StateEvent[]): ConnectionState {
  const c: ConnectionState = {
    key,
    status: 'none',
    statusAt: 0,
    sessions: [],
    camera: 'unknown',
    sharing: false,
    userIds: [],
    firstEventAt: Infinity,
    lastEventAt: 0,
  };
  let previousAt: number | undefined;
  const open = (): Session | undefined => {
    const last = c.sessions.at(-1);
    return last && last.leftAt === undefined ? last : undefined;
  };
  const close = (at: number): void => {
    const s = open();
    if (s) s.leftAt = Math.max(at, s.joinedAt);
  };
  const enter = (room: string, at: number, source: JoinSource): void => {
    const last = c.sessions.at(-1);
    // A move from the main room back to it (a plain move) continues the same session.
    if (room === MAIN && last?.room === MAIN && last.leftAt === at) delete last.leftAt;
    else c.sessions.push({ room, joinedAt: at, source });
    c.status = 'present';
  };
  /** A leave or move of a connection not in a session: its join was lost; present since before. */
  const backfill = (room: string, at: number): void => {
    const from = previousAt ?? c.meetingStart;
    const source: JoinSource =
      previousAt !== undefined
        ? 'previous_event'
        : c.meetingStart !== undefined
          ? 'meeting_start'
          : 'unknown';
    c.sessions.push({ room, joinedAt: Math.min(from ?? at, at), leftAt: at, source });
  };
  /** A leave that a later second's event shows was not a move: its reason says where they went. */
  const settle = (): void => {
    const p = c.pending;
    if (!p) return;
    c.pending = undefined;
    if (p.kind === 'to_room') enter(UNKNOWN_ROOM, p.at, 'event');
    else if (p.kind === 'to_main') enter(MAIN, p.at, 'event');
    else c.status = 'gone';
    c.statusAt = p.at;
  };
  const leave = (e: StateEvent): void => {
    const kind = leaveKindOf(e);
    const from = e.roomUuid ?? open()?.room ?? MAIN;
    const current = open();
    if (current) {
      if (e.roomUuid !== undefined && current.room !== e.roomUuid) return; // left a room it is not in
      close(e.at);
    } else if (c.pending && second(c.pending.at) === second(e.at)) {
      // A room leave and the meeting leave of one exit: the meeting leave's reason decides.
      if (e.roomUuid === undefined) c.pending.kind = kind;
      return;
    } else if (c.status === 'none' || c.status === 'gone' || c.status === 'admitted') {
      backfill(from, e.at);
    } else {
      c.status = 'gone'; // left from the waiting room
      return;
    }
    c.pending = { at: e.at, kind, room: from };
    c.status = 'leaving';
  };
  const join = (e: StateEvent): void => {
    const moved = c.pending !== undefined && second(c.pending.at) === second(e.at);
    const dest = e.roomUuid ?? (moved && c.pending?.kind === 'to_room' ? UNKNOWN_ROOM : MAIN);
    if (moved) {
      c.pending = undefined;
      enter(dest, e.at, 'event');
      return;
    }
    if (open()?.room === dest) return; // a second join to where it already is changes nothing
    close(e.at);
    enter(dest, e.at, 'event');
  };

  for (const e of orderConnectionEvents(events)) {
    if (c.pending && second(e.at) > second(c.pending.at)) settle();
    const before = c.status;
    c.firstEventAt = Math.min(c.firstEventAt, e.at);
    c.lastEventAt = Math.max(c.lastEventAt, e.at);
    if (e.participantUuid) c.participantUuid = e.participantUuid;
    if (e.startTime !== undefined) c.meetingStart ??= e.startTime;
    c.person ??= personKeyOf({ userId: e.accountUserId, email: e.email, name: e.name });
    if (e.name) c.name = e.name;
    if (e.email) c.email = e.email;
    if (e.userId && !c.userIds.includes(e.userId)) c.userIds.push(e.userId);
    switch (e.action) {
      case 'JOIN':
        join(e);
        break;
      case 'LEAVE':
      case 'LEAVE_TO_BREAKOUT':
        leave(e);
        break;
      case 'WAITING_ROOM_JOIN':
      case 'PUT_IN_WAITING_ROOM':
      case 'JBH_WAITING':
        close(e.at);
        c.pending = undefined;
        c.status = e.action === 'JBH_WAITING' ? 'jbh_waiting' : 'waiting_room';
        break;
      case 'WAITING_ROOM_LEAVE':
      case 'JBH_WAITING_LEAVE':
        if (c.status === 'waiting_room' || c.status === 'jbh_waiting') c.status = 'gone';
        break;
      case 'ADMITTED':
      case 'JBH_JOIN':
        if (c.status !== 'present' && c.status !== 'leaving') c.status = 'admitted';
        break;
      case 'SHARE_START':
        c.sharing = true;
        break;
      case 'SHARE_END':
        c.sharing = false;
        break;
      case 'ROLE_CHANGE':
        if (e.role) c.role = e.role;
        break;
      case 'VIDEO_ON':
        c.camera = 'on';
        break;
      case 'VIDEO_OFF':
        c.camera = 'off';
        break;
    }
    if (c.status !== before) c.statusAt = e.at;
    previousAt = e.at;
  }
  if (c.firstEventAt === Infinity) c.firstEventAt = 0;
  return c;
}
