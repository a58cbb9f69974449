// The Firestore live-state documents: what a meeting or participant document holds, built from its
// complete event list by the pure fold (so late and duplicate events give the same document).
import { createHash } from 'node:crypto';
import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import { expiryOf, foldMeeting, foldParticipant, orderEvents } from '../../state/fold.ts';
import { meetingKeyOf } from '../../zoom/event-id.ts';
import type { StateEvent } from '../../zoom/types.ts';

const DAY = 86_400_000;

/** Participant document id: the participant key may hold any character, so it is hashed. */
export function participantDocId(participantKey: string): string {
  return createHash('sha256').update(participantKey).digest('hex').slice(0, 32);
}

/** `meetings/{meetingKey}`: the meeting-level events, their fold, and query fields. */
export function meetingDoc(uuid: string, events: readonly StateEvent[], ttlDays: number): DocumentData {
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
    expireAt: Timestamp.fromMillis(expiryOf(state, lastEventAt, ttlDays)),
  };
}

/** `meetings/{meetingKey}/participants/{id}`: one participant's events, their fold, and lookup fields. */
export function participantDoc(
  uuid: string,
  key: string,
  events: readonly StateEvent[],
  ttlDays: number,
): DocumentData {
  const ordered = orderEvents(events);
  const state = foldParticipant(key, ordered);
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
    // A participant who left can go a day later; one still present lives as long as a live meeting.
    expireAt: Timestamp.fromMillis(state.lastEventAt + (state.location === 'left' ? DAY : ttlDays * DAY)),
  };
}

/** Whether a document's expireAt is still ahead (Firestore's TTL sweep may lag by a day). */
export function isLive(doc: { get(field: string): unknown }, now: number): boolean {
  const expireAt = doc.get('expireAt');
  return expireAt instanceof Timestamp && expireAt.toMillis() > now;
}
