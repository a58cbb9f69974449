// A connection as it stands at a moment: a leave whose move partner has not arrived is "transit" for
// a few seconds, then its reason decides (a room, the main room, or gone); an ended meeting closes
// every session at its end. Pure: the same state and moment give the same answer.
import { MAIN, UNKNOWN_ROOM, type ConnectionState, type Session } from './connection.ts';
import type { Location } from './views.ts';

/**
 * How long a leave may wait for the join of the same second that makes it a room move. Zoom stamps
 * `event_ts` 1–3.5 s after the leave time and delivers within about 2.5 s of it; the two halves of
 * a move arrive within a second of each other, in either order.
 */
export const MOVE_GRACE_MS = 15_000;

export interface SettledSession extends Session {
  /** Closed by the meeting's end rather than the connection's own leave. */
  closedByEnd?: boolean;
}

export interface SettledConnection {
  state: ConnectionState;
  location: Location;
  /** The breakout room it is in (a uuid or UNKNOWN_ROOM). */
  room?: string;
  sessions: SettledSession[];
  /** Presence while in transit: from the leave to now (it is a move until shown otherwise). */
  transitSince?: number;
  /** When this connection's view changes without a new event. */
  settlesAt?: number;
}

export interface SettleContext {
  now: number;
  /** The meeting's end, once it ended. */
  endedAt?: number;
  graceMs?: number;
}

export function settleConnection(c: ConnectionState, ctx: SettleContext): SettledConnection {
  const grace = ctx.graceMs ?? MOVE_GRACE_MS;
  const ended = ctx.endedAt !== undefined;
  const sessions: SettledSession[] = c.sessions.map((s) => ({ ...s }));
  const out: SettledConnection = { state: c, location: 'left', sessions };
  const enter = (room: string, at: number, source: Session['source']): void => {
    if (ended && at >= (ctx.endedAt as number)) return;
    const last = sessions.at(-1);
    if (room === MAIN && last?.room === MAIN && last.leftAt === at) delete last.leftAt;
    else sessions.push({ room, joinedAt: at, source });
  };
  let status = c.status;
  const p = c.pending;
  if (p) {
    if (!ended && p.kind !== 'exit' && ctx.now - p.at < grace) {
      out.location = 'transit';
      out.transitSince = p.at;
      out.settlesAt = p.at + grace;
      return out;
    }
    status = 'gone';
    if (p.kind === 'to_room' || p.kind === 'to_main') {
      enter(p.kind === 'to_room' ? UNKNOWN_ROOM : MAIN, p.at, 'event');
      status = 'present';
    }
  } else if (status === 'admitted') {
    // Admitted from the waiting room: the join follows at once; if it never comes, they are in.
    if (!ended && ctx.now - c.statusAt < grace) {
      out.location = 'transit';
      out.settlesAt = c.statusAt + grace;
      return out;
    }
    enter(MAIN, c.statusAt, 'previous_event');
    status = 'present';
  }
  const open = sessions.at(-1)?.leftAt === undefined ? sessions.at(-1) : undefined;
  if (ended) {
    if (open) {
      open.leftAt = Math.max(ctx.endedAt as number, open.joinedAt);
      open.closedByEnd = true;
    }
    return out;
  }
  if (status === 'present' && open) {
    out.location = open.room === MAIN ? 'main' : 'breakout';
    if (open.room !== MAIN) out.room = open.room;
  } else if (status === 'waiting_room' || status === 'jbh_waiting') {
    out.location = status;
  }
  return out;
}

/** Where a connection is, for picking the one that speaks for a person: in a room beats leaving. */
export function presenceRank(s: SettledConnection): number {
  switch (s.location) {
    case 'main':
    case 'breakout':
      return 3;
    case 'transit':
      return 2;
    case 'waiting_room':
    case 'jbh_waiting':
      return 1;
    default:
      return 0;
  }
}
