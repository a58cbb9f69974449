// The live view of one meeting at a moment, from its folded meeting and connection states (pure):
// persons with their connections, counts by room, join/leave notices, and when it next changes.
import { MAIN, UNKNOWN_ROOM, type ConnectionState } from './connection.ts';
import type { MeetingState } from './fold.ts';
import { isScheduled, summarize } from './meeting-summary.ts';
import { buildPerson, personKeyOfConnection } from './person-view.ts';
import { settleConnection, type SettledConnection } from './settle.ts';
import type { LiveParticipantsView, Notice, PersonView, RoomCounts } from './views.ts';

export interface ViewOptions {
  /** ATTENDANCE_LATE_AFTER_MINS: a join later than the scheduled start plus this is late. */
  lateAfterMins?: number;
  graceMs?: number;
}

const NOTICES = 30;
/** One collator for every comparison (String#localeCompare sets one up per call: much slower). */
const byName = new Intl.Collator('en');
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Room-K names: K is the order in which each room UUID first appeared (earliest join; ties by uuid). */
export function nameRooms(connections: readonly SettledConnection[]): Map<string, string> {
  const first = new Map<string, number>();
  for (const c of connections) {
    for (const s of c.sessions) {
      if (s.room === MAIN || s.room === UNKNOWN_ROOM) continue;
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
  connections: readonly ConnectionState[],
  now: number,
  opts: ViewOptions = {},
): LiveParticipantsView {
  const endedAt = meeting.status === 'ended' ? meeting.endedAt : undefined;
  const settled = connections.map((c) =>
    settleConnection(c, {
      now,
      ...(endedAt !== undefined && { endedAt }),
      ...(opts.graceMs !== undefined && { graceMs: opts.graceMs }),
    }),
  );
  const roomNames = nameRooms(settled);
  const byPerson = new Map<string, SettledConnection[]>();
  for (const s of settled) {
    const key = personKeyOfConnection(s);
    const list = byPerson.get(key);
    if (list) list.push(s);
    else byPerson.set(key, [s]);
  }
  const ctx = {
    until: endedAt ?? now,
    now,
    roomNames,
    ...(isScheduled(meeting) &&
      meeting.startedAt !== undefined && {
        scheduledStart: meeting.startedAt,
        lateAfterMs: (opts.lateAfterMins ?? 0) * 60_000,
      }),
  };
  const persons: PersonView[] = [];
  const notices: Notice[] = [];
  for (const [key, list] of byPerson) {
    const built = buildPerson(key, list, ctx);
    persons.push(built.person);
    notices.push(...built.notices);
  }
  persons.sort((a, b) => byName.compare(a.name ?? a.key, b.name ?? b.key) || byCode(a.key, b.key));
  notices.sort((a, b) => byCode(b.at, a.at) || byCode(a.kind, b.kind) || byCode(a.key, b.key));
  const settlesAt = settled.flatMap((s) =>
    s.settlesAt !== undefined && s.settlesAt > now ? [s.settlesAt] : [],
  );
  const stats = countRooms(persons);
  return {
    meeting: summarize(meeting, stats),
    participants: persons,
    stats,
    notices: notices.slice(0, NOTICES),
    ...(settlesAt.length > 0 && { refreshAt: new Date(Math.min(...settlesAt)).toISOString() }),
  };
}

export function countRooms(persons: readonly PersonView[]): RoomCounts {
  const c: RoomCounts = {
    inMeeting: 0,
    main: 0,
    breakout: 0,
    byRoom: {},
    waitingRoom: 0,
    cameraOn: 0,
    sharing: 0,
  };
  for (const v of persons) {
    if (v.location === 'main' || v.location === 'breakout' || v.location === 'transit') c.inMeeting++;
    if (v.location === 'main') c.main++;
    if (v.location === 'breakout') {
      c.breakout++;
      const name = v.roomName ?? v.roomUuid ?? 'Room-?';
      c.byRoom[name] = (c.byRoom[name] ?? 0) + 1;
    }
    if (v.location === 'waiting_room' || v.location === 'jbh_waiting') c.waitingRoom++;
    if (v.camera === 'on' && v.location !== 'left') c.cameraOn++;
    if (v.sharing) c.sharing++;
  }
  return c;
}
