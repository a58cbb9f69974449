// The embedded live state: events kept per meeting and per connection in memory, folded on read
// with the same pure fold Firestore uses (persons are grouped from connections in the view). Rebuilt from the raw archive at start (see rebuild-state).
// Erasure rewrites the stored events (or, once compacted, the folded state) in place.
import { isDeepStrictEqual } from 'node:util';
import type { HealthStatus, LiveState } from '../../ports.ts';
import { foldConnection, type ConnectionState } from '../../state/connection.ts';
import { foldMeeting, type MeetingState } from '../../state/fold.ts';
import { latestInstance } from '../../state/latest-instance.ts';
import { viewMeeting, type ViewOptions } from '../../state/live-view.ts';
import { expiryOf, isCompactable } from '../../state/retention.ts';
import {
  identityEventOfMeeting,
  identityEventsOf,
  rewriteConnectionState,
  rewriteList,
  rewriteMeetingState,
  rewrittenKey,
  type EventMatch,
  type EventRewrite,
} from '../../state/rewrite-events.ts';
import { resolveParticipant, routeEvents, type ParticipantIdentity } from '../../state/route-events.ts';
import type { LiveParticipantsView, MeetingSummary } from '../../state/views.ts';
import type { StateEvent } from '../../zoom/types.ts';

interface MeetingEntry {
  uuid: string;
  seen: Set<string>;
  meetingEvents: StateEvent[];
  participants: Map<string, StateEvent[]>;
  /** RTMS events that name only a user id, waiting for the participant that has it. */
  unresolved: StateEvent[];
  byUserId: Map<string, string>;
  byName: Map<string, string>;
  lastEventAt: number;
  /** Frozen after the meeting ended and Zoom's retries are over: event lists dropped, state kept. */
  compacted?: boolean;
  /** Whether a participant event has told the meeting doc its number/topic (the UUID->ID map). */
  sighted?: boolean;
  folded?: { meeting: MeetingState; participants: ConnectionState[] };
}

export interface MemoryLiveStateOptions {
  now: () => number;
  ttlDays: number;
  /** Days an ended meeting is kept after its end (RETENTION_LIVE_STATE_DAYS; default 1). */
  endedDays?: number;
  /** ATTENDANCE_LATE_AFTER_MINS, for the late flag of scheduled meetings. */
  lateAfterMins?: number;
}

/** Everything a memory live state holds, as JSON (Maps and Sets as arrays): for tests and diagnostics. */
const dumps = new WeakMap<LiveState, () => string>();

export function dumpMemoryLiveState(state: LiveState): string | undefined {
  return dumps.get(state)?.();
}

export function createMemoryLiveState(opts: MemoryLiveStateOptions): LiveState {
  const meetings = new Map<string, MeetingEntry>();
  const listeners = new Set<() => void>();
  const viewOptions: ViewOptions = {
    ...(opts.lateAfterMins !== undefined && { lateAfterMins: opts.lateAfterMins }),
  };

  function entryOf(uuid: string): MeetingEntry {
    let m = meetings.get(uuid);
    if (!m) {
      m = {
        uuid,
        seen: new Set(),
        meetingEvents: [],
        participants: new Map(),
        unresolved: [],
        byUserId: new Map(),
        byName: new Map(),
        lastEventAt: 0,
      };
      meetings.set(uuid, m);
    }
    return m;
  }

  function fold(m: MeetingEntry): NonNullable<MeetingEntry['folded']> {
    if (!m.folded) {
      m.folded = {
        meeting: foldMeeting(m.uuid, m.meetingEvents),
        participants: [...m.participants.entries()].map(([key, events]) => foldConnection(key, events)),
      };
    }
    return m.folded;
  }

  /** Resolves through the meeting's indexes (user id -> key, name -> key) without scanning events. */
  function keyFor(m: MeetingEntry, e: StateEvent): string | undefined {
    if (e.participantKey !== undefined) return e.participantKey;
    const candidates: ParticipantIdentity[] = [];
    for (const id of [e.userId, e.parentUserId]) {
      const key = id === undefined ? undefined : m.byUserId.get(id);
      if (key !== undefined) candidates.push({ key, userIds: [id as string], names: [] });
    }
    const named = e.name === undefined ? undefined : m.byName.get(e.name);
    if (named !== undefined) candidates.push({ key: named, userIds: [], names: [e.name as string] });
    return resolveParticipant(e, candidates);
  }

  function index(m: MeetingEntry, key: string, e: StateEvent): void {
    for (const id of [e.userId, e.parentUserId])
      if (id !== undefined && !m.byUserId.has(id)) m.byUserId.set(id, key);
    if (e.name !== undefined && !m.byName.has(e.name)) m.byName.set(e.name, key);
  }

  /** Files a participant event under its connection; false while no known participant matches. */
  function placeWaiting(m: MeetingEntry, e: StateEvent): boolean {
    const key = keyFor(m, e);
    if (key === undefined) return false;
    addToConnection(m, key, e);
    return true;
  }

  function addToConnection(m: MeetingEntry, key: string, e: StateEvent): void {
    index(m, key, e);
    const list = m.participants.get(key);
    if (list) list.push(e);
    else m.participants.set(key, [e]);
  }

  function expired(m: MeetingEntry, now: number): boolean {
    return (
      expiryOf(fold(m).meeting, m.lastEventAt, { days: opts.ttlDays, endedDays: opts.endedDays ?? 1 }) < now
    );
  }

  /**
   * Read paths (never apply, which the start-up rebuild drives in archive order) drop expired
   * meetings and compact ended ones whose retry window has passed: memory then holds live meetings'
   * events and a small folded state per recent meeting, not every event ever received.
   */
  function sweep(now: number): void {
    for (const [uuid, m] of meetings) {
      if (expired(m, now)) {
        meetings.delete(uuid);
        continue;
      }
      if (m.compacted || !isCompactable(fold(m).meeting, now)) continue;
      m.compacted = true;
      m.meetingEvents = [];
      m.participants = new Map();
      m.unresolved = [];
      m.seen = new Set();
      m.byUserId = new Map();
      m.byName = new Map();
    }
  }

  /** Rewrites a meeting's events, connection keys and lookup indexes; returns the changed events. */
  function rewriteEntry(m: MeetingEntry, rewrite: EventRewrite): number {
    const changed = new Set<string>();
    const meetingEvents = rewriteList(m.meetingEvents, rewrite, changed);
    const participants = new Map<string, StateEvent[]>();
    const keyMap = new Map<string, string>();
    const valueMap = new Map<string, string>();
    const learn = (before: readonly StateEvent[], after: readonly StateEvent[]): void =>
      before.forEach((e, i) => {
        const r = after[i] as StateEvent;
        for (const f of ['userId', 'parentUserId', 'name'] as const) {
          const v = e[f];
          if (v !== undefined && !valueMap.has(`${f === 'name' ? 'n' : 'u'}:${v}`))
            valueMap.set(`${f === 'name' ? 'n' : 'u'}:${v}`, r[f] ?? '');
        }
      });
    for (const [key, list] of m.participants) {
      const after = rewriteList(list, rewrite, changed);
      const next = rewrittenKey(key, list, after, rewrite, m.uuid);
      keyMap.set(key, next);
      learn(list, after);
      const into = participants.get(next);
      if (into) into.push(...after);
      else participants.set(next, after);
    }
    const unresolved = rewriteList(m.unresolved, rewrite, changed);
    if (changed.size === 0) return 0;
    // The indexes keep their first-come order under the new values; an entry whose value the
    // rewrite dropped goes, and every stored event is indexed again (only missing entries are added).
    const reindex = (old: Map<string, string>, prefix: string): Map<string, string> => {
      const out = new Map<string, string>();
      for (const [v, key] of old) {
        const nv = valueMap.get(`${prefix}:${v}`);
        const nk = keyMap.get(key);
        if (nv && nk !== undefined && !out.has(nv)) out.set(nv, nk);
      }
      return out;
    };
    m.meetingEvents = meetingEvents;
    m.participants = new Map();
    m.byUserId = reindex(m.byUserId, 'u');
    m.byName = reindex(m.byName, 'n');
    for (const [key, list] of participants) {
      m.participants.set(key, list);
      for (const e of list) index(m, key, e);
    }
    m.unresolved = unresolved;
    m.folded = undefined;
    return changed.size;
  }

  /** A compacted meeting keeps only its folded state: each folded record changed counts as one. */
  function rewriteCompacted(m: MeetingEntry, rewrite: EventRewrite): number {
    const f = fold(m);
    const meeting = rewriteMeetingState(f.meeting, rewrite);
    const participants = f.participants.map((c) => rewriteConnectionState(m.uuid, c, rewrite));
    let n = isDeepStrictEqual(meeting, f.meeting) ? 0 : 1;
    participants.forEach((c, i) => (n += isDeepStrictEqual(c, f.participants[i]) ? 0 : 1));
    if (n > 0) m.folded = { meeting, participants };
    return n;
  }

  /** The meeting asked for by UUID, else the instance of that meeting number to show. */
  function instanceFor(meetingIdOrUuid: string): MeetingEntry | undefined {
    const direct = meetings.get(meetingIdOrUuid);
    if (direct) return direct;
    const candidates = [...meetings.values()].filter((m) => fold(m).meeting.meetingId === meetingIdOrUuid);
    return latestInstance(candidates, (m) => ({ ...fold(m).meeting, lastEventAt: m.lastEventAt }));
  }

  const state: LiveState = {
    async apply(events) {
      const fresh: StateEvent[] = [];
      for (const e of events) {
        const m = entryOf(e.meetingUuid);
        // Later than any Zoom retry: the warehouse keeps it, the frozen live state does not change.
        if (m.compacted || m.seen.has(e.eventId)) continue;
        m.seen.add(e.eventId);
        m.lastEventAt = Math.max(m.lastEventAt, e.at);
        m.folded = undefined;
        fresh.push(e);
      }
      if (fresh.length === 0) return;
      const routed = await routeEvents(fresh, {
        isSighted: (uuid) => entryOf(uuid).sighted === true,
        resolveKey: (e) => keyFor(entryOf(e.meetingUuid), e),
      });
      for (const [uuid, list] of routed.meetings) entryOf(uuid).meetingEvents.push(...list);
      for (const uuid of routed.sighted) entryOf(uuid).sighted = true;
      for (const b of routed.connections.values())
        for (const e of b.events) addToConnection(entryOf(b.meetingUuid), b.key, e);
      for (const e of routed.unresolved) entryOf(e.meetingUuid).unresolved.push(e);
      // Waiting events a participant seen in this batch now claims (one claim may enable the next).
      for (const uuid of new Set(fresh.map((e) => e.meetingUuid))) {
        const m = entryOf(uuid);
        let before = -1;
        while (m.unresolved.length > 0 && m.unresolved.length !== before) {
          before = m.unresolved.length;
          m.unresolved = m.unresolved.filter((u) => !placeWaiting(m, u));
        }
      }
      for (const l of listeners) l();
    },

    async meetingIdFor(uuid) {
      const m = meetings.get(uuid);
      if (!m) return undefined;
      if (m.folded) return m.folded.meeting.meetingId;
      for (const e of m.meetingEvents) if (e.meetingId !== undefined) return e.meetingId;
      for (const list of m.participants.values())
        for (const e of list) if (e.meetingId !== undefined) return e.meetingId;
      return undefined;
    },

    async listMeetings(listOpts) {
      const now = opts.now();
      sweep(now);
      const out: MeetingSummary[] = [];
      for (const m of meetings.values()) {
        const f = fold(m);
        if (!listOpts?.includeEnded && f.meeting.status === 'ended') continue;
        out.push(viewMeeting(f.meeting, f.participants, now, viewOptions).meeting);
      }
      return out.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    },

    async liveParticipants(meetingIdOrUuid): Promise<LiveParticipantsView | undefined> {
      sweep(opts.now());
      const m = instanceFor(meetingIdOrUuid);
      if (!m) return undefined;
      const f = fold(m);
      return viewMeeting(f.meeting, f.participants, opts.now(), viewOptions);
    },

    async rewrite(meetingUuids, rewrite) {
      sweep(opts.now());
      let changedMeetings = 0;
      let events = 0;
      for (const uuid of new Set(meetingUuids)) {
        const m = meetings.get(uuid);
        if (!m) continue;
        const n = m.compacted ? rewriteCompacted(m, rewrite) : rewriteEntry(m, rewrite);
        if (n > 0) changedMeetings++;
        events += n;
      }
      if (events > 0) for (const l of listeners) l();
      return { meetings: changedMeetings, events };
    },

    async countEvents(meetingUuids, matches: EventMatch) {
      sweep(opts.now());
      let n = 0;
      for (const uuid of new Set(meetingUuids)) {
        const m = meetings.get(uuid);
        if (!m) continue;
        if (m.compacted) {
          const f = fold(m);
          if (matches(identityEventOfMeeting(f.meeting))) n++;
          for (const c of f.participants) if (identityEventsOf(uuid, c).some(matches)) n++;
          continue;
        }
        const ids = new Set<string>();
        for (const list of [m.meetingEvents, ...m.participants.values(), m.unresolved])
          for (const e of list) if (matches(e)) ids.add(e.eventId);
        n += ids.size;
      }
      return n;
    },

    watch(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },

    async health(): Promise<HealthStatus> {
      return { ok: true, backend: 'memory', detail: `${meetings.size} meetings` };
    },

    async close() {
      listeners.clear();
    },
  };
  dumps.set(state, () =>
    JSON.stringify([...meetings.entries()], (_k, v: unknown) =>
      v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v,
    ),
  );
  return state;
}
