// Rewriting stored live-state events through a pure function (erasure replaces a person's names,
// e-mails and ids by pseudonyms): the checks every store applies, the key a connection has after
// the rewrite, and the rewrite of folded state whose events were already dropped (compaction).
import { personKeyOf, type PersonKey } from '../zoom/person-key.ts';
import type { StateEvent } from '../zoom/types.ts';
import type { ConnectionState } from './connection.ts';
import type { MeetingState } from './fold.ts';

export type EventRewrite = (e: StateEvent) => StateEvent;
export type EventMatch = (e: StateEvent) => boolean;

/** What a rewrite changed: meetings with at least one changed event, and the changed events. */
export interface RewriteCount {
  meetings: number;
  events: number;
}

/** The event without fields set to undefined (stores drop them: Firestore ignores undefined). */
export function withoutUndefined(e: StateEvent): StateEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
  return out as unknown as StateEvent;
}

/** Whether two events hold the same fields (a field set to undefined counts as absent). */
export function sameEvent(a: StateEvent, b: StateEvent): boolean {
  const x = withoutUndefined(a) as unknown as Record<string, unknown>;
  const y = withoutUndefined(b) as unknown as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => Object.is(x[k], y[k]));
}

/** rewrite(e) without undefined fields; refused when it changes the event's id or meeting. */
export function rewriteEvent(e: StateEvent, rewrite: EventRewrite): StateEvent {
  const r = rewrite(e);
  if (r.eventId !== e.eventId || r.meetingUuid !== e.meetingUuid)
    throw new Error(`a state-event rewrite must keep eventId and meetingUuid (event ${e.eventId})`);
  return withoutUndefined(r);
}

/** Rewrites a list in order; adds the id of every event that changed to `changed`. */
export function rewriteList(
  events: readonly StateEvent[],
  rewrite: EventRewrite,
  changed: Set<string>,
): StateEvent[] {
  return events.map((e) => {
    const r = rewriteEvent(e, rewrite);
    if (!sameEvent(e, r)) changed.add(e.eventId);
    return r;
  });
}

/**
 * The key of a connection after the rewrite: the rewritten participantKey of its own keyed events
 * (every connection has one: it is where its key came from), else the key as the function rewrites
 * an event that names only it.
 */
export function rewrittenKey(
  key: string,
  before: readonly StateEvent[],
  after: readonly StateEvent[],
  rewrite: EventRewrite,
  meetingUuid: string,
): string {
  for (let i = 0; i < before.length; i++) {
    const next = after[i]?.participantKey;
    if (before[i]?.participantKey === key && next !== undefined) return next;
  }
  const probe: StateEvent = {
    eventId: 'connection-key',
    type: 'connection.key',
    action: 'KEY',
    at: 0,
    ts: 0,
    meetingUuid,
    participantKey: key,
  };
  return rewriteEvent(probe, rewrite).participantKey ?? key;
}

/**
 * Events that stand for a folded connection whose events were dropped: one per per-meeting id it
 * had (at least one), each carrying everything else the state knows of who it is.
 */
export function identityEventsOf(meetingUuid: string, c: ConnectionState): StateEvent[] {
  const base = identityBase(meetingUuid, c);
  const ids = c.userIds.length > 0 ? c.userIds : [undefined];
  return ids.map((userId) => withoutUndefined({ ...base, userId }));
}

function identityBase(meetingUuid: string, c: ConnectionState): StateEvent {
  const person = c.person;
  return withoutUndefined({
    eventId: 'connection-state',
    type: 'connection.state',
    action: 'STATE',
    at: c.lastEventAt,
    ts: c.lastEventAt,
    meetingUuid,
    participantKey: c.key,
    participantUuid: c.participantUuid,
    name: c.name ?? (person?.match.startsWith('n:') ? person.value : undefined),
    email: c.email ?? (person?.match.startsWith('e:') ? person.value : undefined),
    accountUserId: person?.match.startsWith('u:') ? person.value : undefined,
    userId: c.userIds[0],
  });
}

/** The event that stands for a folded meeting (its host is the only person it names). */
export function identityEventOfMeeting(m: MeetingState): StateEvent {
  return withoutUndefined({
    eventId: 'meeting-state',
    type: 'meeting.state',
    action: 'STATE',
    at: m.startedAt ?? 0,
    ts: m.startedAt ?? 0,
    meetingUuid: m.meetingUuid,
    meetingId: m.meetingId,
    topic: m.topic,
    hostId: m.hostId,
    meetingType: m.type,
  });
}

/** A folded meeting with its host id (and topic, should the function change it) rewritten. */
export function rewriteMeetingState(m: MeetingState, rewrite: EventRewrite): MeetingState {
  const r = rewriteEvent(identityEventOfMeeting(m), rewrite);
  const out: MeetingState = { ...m };
  delete out.hostId;
  delete out.topic;
  return {
    ...out,
    ...(r.topic !== undefined && { topic: r.topic }),
    ...(r.hostId !== undefined && { hostId: r.hostId }),
  };
}

/**
 * A folded connection with everything that names its person rewritten as the function rewrites
 * events carrying those values: key, participant uuid, name, e-mail, per-meeting ids, person key.
 */
export function rewriteConnectionState(
  meetingUuid: string,
  c: ConnectionState,
  rewrite: EventRewrite,
): ConnectionState {
  const base = identityBase(meetingUuid, c);
  const r = rewriteEvent(base, rewrite);
  const userIds: string[] = [];
  for (const id of c.userIds) {
    const next = rewriteEvent({ ...base, userId: id }, rewrite).userId;
    if (next !== undefined && !userIds.includes(next)) userIds.push(next);
  }
  const out: ConnectionState = { ...c, key: r.participantKey ?? c.key, userIds };
  delete out.participantUuid;
  delete out.name;
  delete out.email;
  delete out.person;
  const person = c.person && rewritePersonKey(c.person, base, rewrite);
  return {
    ...out,
    ...(c.participantUuid !== undefined &&
      r.participantUuid !== undefined && { participantUuid: r.participantUuid }),
    ...(c.name !== undefined && r.name !== undefined && { name: r.name }),
    ...(c.email !== undefined && r.email !== undefined && { email: r.email }),
    ...(person && { person }),
  };
}

function rewritePersonKey(p: PersonKey, base: StateEvent, rewrite: EventRewrite): PersonKey | undefined {
  const kind = p.match.slice(0, 2);
  if (kind === 'u:')
    return personKeyOf({ userId: rewriteEvent({ ...base, accountUserId: p.value }, rewrite).accountUserId });
  if (kind === 'e:') return personKeyOf({ email: rewriteEvent({ ...base, email: p.value }, rewrite).email });
  return personKeyOf({ name: rewriteEvent({ ...base, name: p.value }, rewrite).name });
}
