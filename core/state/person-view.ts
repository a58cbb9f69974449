// Persons from settled connections: every connection sharing a person key is one person, present
// when any connection is; presence is the union of all sessions, so a reconnect shows once.
import { rosterMatchKeys } from '../zoom/person-key.ts';
import { MAIN, UNKNOWN_ROOM } from './connection.ts';
import { presenceRank, type SettledConnection, type SettledSession } from './settle.ts';
import type { ConnectionView, Notice, PersonView, SessionView } from './views.ts';

export interface PersonContext {
  /** Open sessions run to here: now, or the meeting's end once it ended. */
  until: number;
  now: number;
  roomNames: ReadonlyMap<string, string>;
  /** The scheduled start when the meeting has a schedule (late = joined after it + lateAfterMs). */
  scheduledStart?: number;
  lateAfterMs?: number;
}

interface Interval {
  from: number;
  to: number;
  /** Whether `from` is a received join (else an estimate: no "joined" notice). */
  joined: boolean;
  /** Whether `to` is the person's own leave (not the meeting's end, not still open). */
  left: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The person key of a connection; one that never named anybody stands alone. */
export function personKeyOfConnection(s: SettledConnection): string {
  return s.state.person?.match ?? `c:${s.state.key}`;
}

export function roomNameOf(room: string, names: ReadonlyMap<string, string>): string | undefined {
  if (room === MAIN) return undefined;
  if (room === UNKNOWN_ROOM) return 'Room-?';
  return names.get(room);
}

function sessionView(s: SettledSession, connection: string, ctx: PersonContext): SessionView {
  const end = s.leftAt ?? Math.max(ctx.until, s.joinedAt);
  const roomName = roomNameOf(s.room, ctx.roomNames);
  return {
    room: s.room,
    ...(roomName && { roomName }),
    joinedAt: iso(s.joinedAt),
    joinTime: s.source,
    ...(s.leftAt !== undefined && { leftAt: iso(s.leftAt) }),
    durationSeconds: Math.round((end - s.joinedAt) / 1000),
    connection,
  };
}

/** Sorted, merged presence intervals of connections (touching intervals merge: a move is no gap). */
export function unionOf(connections: readonly SettledConnection[], ctx: PersonContext): Interval[] {
  const spans: Interval[] = [];
  for (const c of connections) {
    for (const s of c.sessions) {
      const to = s.leftAt ?? Math.max(ctx.until, s.joinedAt);
      spans.push({
        from: s.joinedAt,
        to,
        joined: s.source === 'event',
        left: s.leftAt !== undefined && !s.closedByEnd,
      });
    }
    if (c.transitSince !== undefined)
      spans.push({ from: c.transitSince, to: Math.max(ctx.now, c.transitSince), joined: false, left: false });
  }
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  const out: Interval[] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && s.from <= last.to) {
      if (s.to > last.to || (s.to === last.to && !s.left)) {
        last.left = s.left;
        last.to = s.to;
      }
    } else out.push({ ...s });
  }
  return out;
}

export function buildPerson(
  key: string,
  connections: readonly SettledConnection[],
  ctx: PersonContext,
): { person: PersonView; notices: Notice[] } {
  const ordered = [...connections].sort(
    (a, b) =>
      (a.sessions[0]?.joinedAt ?? a.state.firstEventAt) - (b.sessions[0]?.joinedAt ?? b.state.firstEventAt) ||
      byKey(a.state.key, b.state.key),
  );
  const sinceOf = (c: SettledConnection): number => c.sessions.at(-1)?.joinedAt ?? c.state.statusAt;
  const primary = [...ordered].sort(
    (a, b) => presenceRank(b) - presenceRank(a) || sinceOf(b) - sinceOf(a) || byKey(a.state.key, b.state.key),
  )[0] as SettledConnection;
  const latest = [...ordered].sort((a, b) => b.state.lastEventAt - a.state.lastEventAt);
  const name = latest.find((c) => c.state.name)?.state.name;
  const email = latest.find((c) => c.state.email)?.state.email;
  const here = ordered.filter((c) => presenceRank(c) > 0);
  const location = primary.location;
  const gone = location === 'left';

  const sessions = ordered
    .flatMap((c) => c.sessions.map((s) => sessionView(s, c.state.key, ctx)))
    .sort((a, b) => byKey(a.joinedAt, b.joinedAt) || byKey(a.connection, b.connection));
  const first = ordered.flatMap((c) => c.sessions).sort((a, b) => a.joinedAt - b.joinedAt)[0];
  const union = unionOf(ordered, ctx);
  const total = union.reduce((sum, i) => sum + (i.to - i.from), 0);
  const lastEnd = union.at(-1)?.to;
  const late =
    ctx.scheduledStart !== undefined && first?.source === 'event'
      ? first.joinedAt > ctx.scheduledStart + (ctx.lateAfterMs ?? 0)
      : undefined;

  const connectionViews: ConnectionView[] = ordered.map((c) => {
    const cSessions = c.sessions;
    const start = cSessions[0];
    const end = cSessions.at(-1)?.leftAt;
    return {
      key: c.state.key,
      ...(c.state.name && { name: c.state.name }),
      ...(c.state.email && { email: c.state.email }),
      location: c.location,
      ...(start && { joinedAt: iso(start.joinedAt), joinTime: start.source }),
      ...(c.location === 'left' && end !== undefined && { leftAt: iso(end) }),
      totalSeconds: Math.round(unionOf([c], ctx).reduce((sum, i) => sum + (i.to - i.from), 0) / 1000),
    };
  });

  const roomName = primary.room === undefined ? undefined : roomNameOf(primary.room, ctx.roomNames);
  const person: PersonView = {
    key,
    ...(name && { name }),
    ...(email && { email }),
    location,
    ...(location === 'breakout' && {
      ...(primary.room !== UNKNOWN_ROOM && { roomUuid: primary.room }),
      roomName: roomName ?? primary.room,
    }),
    camera: gone ? 'off' : here.some((c) => c.state.camera === 'on') ? 'on' : primary.state.camera,
    sharing: here.some((c) => c.state.sharing),
    ...((primary.state.role ?? latest.find((c) => c.state.role)?.state.role) && {
      role: primary.state.role ?? latest.find((c) => c.state.role)?.state.role,
    }),
    ...(first && { joinedAt: iso(first.joinedAt), joinTime: first.source }),
    ...(gone && lastEnd !== undefined && { leftAt: iso(lastEnd) }),
    ...(late !== undefined && { late }),
    sessions,
    totalSeconds: Math.round(total / 1000),
    connections: connectionViews,
    lastEventAt: iso(Math.max(...ordered.map((c) => c.state.lastEventAt))),
  };
  const notices: Notice[] = [];
  for (const i of union) {
    if (i.joined) notices.push({ at: iso(i.from), kind: 'joined', key, ...(name && { name }) });
    if (i.left && i.to <= ctx.now) notices.push({ at: iso(i.to), kind: 'left', key, ...(name && { name }) });
  }
  return { person, notices };
}

/**
 * Marks persons on a roster of match keys (`e:<email>`, `n:<normalised name>`, see rosterMatchKeys):
 * a person is on it when any of its connections' emails or names is.
 */
export function markRoster(people: PersonView[], roster: ReadonlySet<string>): void {
  for (const p of people) {
    p.rosterMatch = p.connections.some((c) =>
      rosterMatchKeys({ email: c.email ?? null, name: c.name ?? null }).some((k) => roster.has(k)),
    );
  }
}
