// Which live-state document an event belongs to: the meeting's (meeting-level events, and once per
// meeting the UUID->ID sighting a participant event carries) or one connection's; events naming only
// a per-meeting id nobody has yet wait. One router for every LiveState adapter.
import type { StateEvent } from '../zoom/types.ts';

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
    ...(e.meetingType !== undefined && { meetingType: e.meetingType }),
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

/** One connection's events of a batch: they go to the document of (meeting UUID, participant key). */
export interface ConnectionBatch {
  meetingUuid: string;
  key: string;
  events: StateEvent[];
}

export interface RoutedEvents {
  /** Meeting-level events per meeting UUID, with the sighting of a meeting not yet sighted. */
  meetings: Map<string, StateEvent[]>;
  /** Participant events per connection (`<meeting uuid>\u0000<key>`). */
  connections: Map<string, ConnectionBatch>;
  /** Events whose participant is not known yet (the store keeps them and retries). */
  unresolved: StateEvent[];
  /** Meetings whose sighting this batch carries. */
  sighted: Set<string>;
}

export interface RoutePorts {
  /** Whether the meeting's document already holds its UUID->ID sighting. */
  isSighted(meetingUuid: string): boolean;
  /** The store's lookup of an event without a key: a known participant with its user id, or its name. */
  resolveKey(e: StateEvent): string | undefined | Promise<string | undefined>;
}

/**
 * Routes a batch: an event without a participant key takes the key of a participant in the same
 * batch that has its user id, else the store's answer; without either it is unresolved.
 */
export async function routeEvents(events: readonly StateEvent[], ports: RoutePorts): Promise<RoutedEvents> {
  const routed: RoutedEvents = {
    meetings: new Map(),
    connections: new Map(),
    unresolved: [],
    sighted: new Set(),
  };
  const meetingList = (uuid: string): StateEvent[] => {
    let list = routed.meetings.get(uuid);
    if (!list) routed.meetings.set(uuid, (list = []));
    return list;
  };
  for (const e of events) {
    if (isMeetingLevel(e)) {
      meetingList(e.meetingUuid).push(e);
      continue;
    }
    if (e.meetingId !== undefined && !routed.sighted.has(e.meetingUuid) && !ports.isSighted(e.meetingUuid)) {
      routed.sighted.add(e.meetingUuid);
      meetingList(e.meetingUuid).push(sightingOf(e));
    }
    const key = e.participantKey ?? keyInBatch(e, events) ?? (await ports.resolveKey(e));
    if (key === undefined) {
      routed.unresolved.push(e);
      continue;
    }
    const id = `${e.meetingUuid}\u0000${key}`;
    const batch = routed.connections.get(id) ?? { meetingUuid: e.meetingUuid, key, events: [] };
    routed.connections.set(id, batch);
    batch.events.push(e);
  }
  return routed;
}

/** The key of a keyed event of the batch, in the same meeting, that carries `e`'s user id. */
function keyInBatch(e: StateEvent, batch: readonly StateEvent[]): string | undefined {
  if (e.userId === undefined) return undefined;
  const match = batch.find(
    (x) =>
      x.participantKey !== undefined &&
      x.meetingUuid === e.meetingUuid &&
      (x.userId === e.userId || x.parentUserId === e.userId),
  );
  return match?.participantKey;
}
