// Events that name only a user id (RTMS camera events) can arrive before the participant they belong
// to: they wait in `meetings/{meetingKey}/pending/{eventId}`, one small create-once document each (so
// nothing is hot), until the participant's document gains that user id or name and claims them.
import { Timestamp, type CollectionReference, type DocumentData } from '@google-cloud/firestore';
import type { StateEvent } from '../../zoom/types.ts';

const DAY = 86_400_000;
/** Firestore's limit on the values of an `in` filter. */
const IN_LIMIT = 30;

export interface PendingEvents {
  park(events: readonly StateEvent[]): Promise<void>;
  /** The waiting events of a meeting that carry one of `userIds`, or one of `names`. */
  claim(meetingUuid: string, userIds: readonly string[], names: readonly string[]): Promise<StateEvent[]>;
  /** Removes events once they are folded into a participant document. */
  remove(meetingUuid: string, eventIds: readonly string[]): Promise<void>;
}

/** `pending/{eventId}`: the waiting event and the fields it is claimed by. */
export function pendingDoc(e: StateEvent): DocumentData {
  return { event: e, userId: e.userId, name: e.name, expireAt: Timestamp.fromMillis(e.at + DAY) };
}

export function createPendingEvents(pendingOf: (meetingUuid: string) => CollectionReference): PendingEvents {
  async function where(
    meetingUuid: string,
    field: 'userId' | 'name',
    values: readonly string[],
  ): Promise<StateEvent[]> {
    const out: StateEvent[] = [];
    for (let i = 0; i < values.length; i += IN_LIMIT) {
      const snap = await pendingOf(meetingUuid)
        .where(field, 'in', values.slice(i, i + IN_LIMIT))
        .get();
      for (const d of snap.docs) out.push(d.get('event') as StateEvent);
    }
    return out;
  }

  return {
    async park(events) {
      await Promise.all(events.map((e) => pendingOf(e.meetingUuid).doc(e.eventId).set(pendingDoc(e))));
    },

    async claim(meetingUuid, userIds, names) {
      const found = [
        ...(await where(meetingUuid, 'userId', userIds)),
        ...(await where(meetingUuid, 'name', names)),
      ];
      return [...new Map(found.map((e) => [e.eventId, e])).values()];
    },

    async remove(meetingUuid, eventIds) {
      await Promise.all(eventIds.map((id) => pendingOf(meetingUuid).doc(id).delete()));
    },
  };
}
