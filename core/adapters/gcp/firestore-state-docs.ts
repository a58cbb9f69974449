// The Firestore live-state documents: what a meeting or participant document holds, built from its
// complete event list by the pure fold (so late and duplicate events give the same document).
import { createHash } from 'node:crypto';
import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import { foldConnection, orderConnectionEvents } from '../../state/connection.ts';
import { foldMeeting, orderEvents } from '../../state/fold.ts';
import { expiryOf, type StateTtl } from '../../state/retention.ts';
import { meetingKeyOf } from '../../zoom/identifiers.ts';
import type { StateEvent } from '../../zoom/types.ts';

const DAY = 86_400_000;

/** Participant document id: the participant key may hold any character, so it is hashed. */
export function participantDocId(participantKey: string): string {
  return createHash('sha256').update(participantKey).digest('hex').slice(0, 32);
}

/** `meetings/{meetingKey}`: the meeting-level events, their fold, and query fields. */
export function meetingDoc(uuid: string, events: readonly StateEvent[], ttl: StateTtl): DocumentData {
  const ordered = orderEvents(events);
  const state = foldMeeting(uuid, ordered);
  const lastEventAt = ordered.reduce((max, e) => Math.max(max, e.at), 0);
  return {
    meetingUuid: uuid,
    meetingKey: meetingKeyOf(uuid),
    meetingId: state.meetingId,
    status: state.status,
    startedAt: state.startedAt,
    lastEventAt,
    events: ordered,
    state,
    expireAt: Timestamp.fromMillis(expiryOf(state, lastEventAt, ttl)),
  };
}

/**
 * `meetings/{meetingKey}/participants/{id}`: one connection's events (one participant_uuid), their
 * fold, and lookup fields. Persons are grouped from these documents when the view is built.
 */
export function participantDoc(
  uuid: string,
  key: string,
  events: readonly StateEvent[],
  ttl: StateTtl,
): DocumentData {
  const ordered = orderConnectionEvents(events);
  const state = foldConnection(key, ordered);
  // Every per-meeting id the participant had (re-issued on breakout hops), for RTMS user-id lookups.
  const ids = new Set<string>();
  for (const e of ordered) for (const id of [e.userId, e.parentUserId]) if (id !== undefined) ids.add(id);
  return {
    meetingUuid: uuid,
    participantKey: key,
    name: state.name,
    email: state.email,
    userIds: [...ids],
    lastEventAt: state.lastEventAt,
    events: ordered,
    state,
    // A connection that left goes as an ended meeting does; one still present lives as long as a live meeting.
    expireAt: Timestamp.fromMillis(state.lastEventAt + (left(state) ? ttl.endedDays : ttl.days) * DAY),
  };
}

/** Gone, or leaving for good (a leave whose reason names no room move). */
function left(state: ReturnType<typeof foldConnection>): boolean {
  const kind = state.pending?.kind;
  return state.status === 'gone' || (state.status === 'leaving' && (kind === 'exit' || kind === 'plain'));
}

/** Whether a document's expireAt is still ahead (Firestore's TTL sweep may lag by a day). */
export function isLive(doc: { get(field: string): unknown }, now: number): boolean {
  const expireAt = doc.get('expireAt');
  return expireAt instanceof Timestamp && expireAt.toMillis() > now;
}
