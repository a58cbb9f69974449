// Erasure in the Firestore live state: every stored event of a meeting instance (meeting document,
// connection documents, pending events) rewritten through a pure function, and every derived field
// rebuilt from the rewritten events, in one transaction. A connection document whose key changed
// (its id is a hash of the old participant_uuid) is deleted and written under the new key.
import type {
  CollectionReference,
  DocumentData,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  QueryDocumentSnapshot,
  WriteBatch,
} from '@google-cloud/firestore';
import {
  rewriteEvent,
  rewriteList,
  rewrittenKey,
  sameEvent,
  type EventMatch,
  type EventRewrite,
} from '../../state/rewrite-events.ts';
import { meetingUuidProblem } from '../../zoom/identifiers.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { pendingDoc } from './firestore-pending.ts';
import type { StateTtl } from '../../state/retention.ts';
import { meetingDoc, participantDoc, participantDocId } from './firestore-state-docs.ts';

export interface MeetingRefs {
  meeting(uuid: string): DocumentReference;
  participants(uuid: string): CollectionReference;
  pending(uuid: string): CollectionReference;
}

/** The writes that replace a meeting's stored events by their rewrite. */
export interface RewritePlan {
  /** Distinct events the rewrite changed. */
  events: number;
  sets: { ref: DocumentReference; data: DocumentData }[];
  deletes: DocumentReference[];
  /** Whether a watched document (the meeting's or a connection's) is written. */
  watched: boolean;
}

export interface MeetingSnapshot {
  meeting: DocumentSnapshot;
  participants: readonly QueryDocumentSnapshot[];
  pending: readonly QueryDocumentSnapshot[];
}

export interface StateRewriter {
  rewrite(meetingUuid: string, rewrite: EventRewrite): Promise<RewritePlan>;
  count(meetingUuid: string, matches: EventMatch): Promise<number>;
}

/** Writes one transaction carries; a larger rewrite goes in batches (new documents before deletes). */
const TX_WRITES = 400;

const eventsOf = (d: DocumentSnapshot): StateEvent[] => (d.get('events') as StateEvent[] | undefined) ?? [];

/** Plans the rewrite of one meeting from its documents (pure: reads nothing, writes nothing). */
export function planRewrite(
  uuid: string,
  snap: MeetingSnapshot,
  refs: MeetingRefs,
  ttl: StateTtl,
  rewrite: EventRewrite,
): RewritePlan {
  const changed = new Set<string>();
  const plan: RewritePlan = { events: 0, sets: [], deletes: [], watched: false };
  if (snap.meeting.exists) {
    const before = changed.size;
    const events = rewriteList(eventsOf(snap.meeting), rewrite, changed);
    if (changed.size > before) plan.sets.push({ ref: snap.meeting.ref, data: meetingDoc(uuid, events, ttl) });
  }
  // Connections by their key after the rewrite (two documents may become one).
  const groups = new Map<string, { events: StateEvent[]; dirty: boolean }>();
  for (const d of snap.participants) {
    const key = d.get('participantKey') as string;
    const before = eventsOf(d);
    const count = changed.size;
    const after = rewriteList(before, rewrite, changed);
    const next = rewrittenKey(key, before, after, rewrite, uuid);
    const dirty = next !== key || changed.size > count;
    const group = groups.get(next) ?? { events: [], dirty: false };
    groups.set(next, group);
    group.events.push(...after);
    group.dirty ||= dirty;
    if (dirty && d.id !== participantDocId(next)) plan.deletes.push(d.ref);
  }
  for (const [key, group] of groups) {
    if (!group.dirty) continue;
    const ref = refs.participants(uuid).doc(participantDocId(key));
    plan.sets.push({ ref, data: participantDoc(uuid, key, group.events, ttl) });
  }
  for (const d of snap.pending) {
    const e = d.get('event') as StateEvent;
    const r = rewriteEvent(e, rewrite);
    if (sameEvent(e, r)) continue;
    changed.add(e.eventId);
    plan.sets.push({ ref: d.ref, data: pendingDoc(r) });
  }
  // A document written under a new key may be one whose old key moved elsewhere: it is kept.
  const written = new Set(plan.sets.map((s) => s.ref.path));
  plan.deletes = plan.deletes.filter((r) => !written.has(r.path));
  plan.events = changed.size;
  plan.watched = plan.deletes.length > 0 || plan.sets.some((s) => !s.ref.path.includes('/pending/'));
  return plan;
}

export function createStateRewriter(db: Firestore, refs: MeetingRefs, ttl: StateTtl): StateRewriter {
  async function commitInBatches(plan: RewritePlan): Promise<void> {
    const writes = [
      ...plan.sets.map((s) => (b: WriteBatch) => b.set(s.ref, s.data)),
      ...plan.deletes.map((r) => (b: WriteBatch) => b.delete(r)),
    ];
    for (let i = 0; i < writes.length; i += TX_WRITES) {
      const batch = db.batch();
      for (const w of writes.slice(i, i + TX_WRITES)) w(batch);
      await batch.commit();
    }
  }

  return {
    async rewrite(uuid, rewrite) {
      const none: RewritePlan = { events: 0, sets: [], deletes: [], watched: false };
      if (meetingUuidProblem(uuid)) return none; // never a key the state could hold
      const plan = await db.runTransaction(
        async (tx) => {
          const meeting = await tx.get(refs.meeting(uuid));
          const participants = await tx.get(refs.participants(uuid));
          const pending = await tx.get(refs.pending(uuid));
          const p = planRewrite(
            uuid,
            { meeting, participants: participants.docs, pending: pending.docs },
            refs,
            ttl,
            rewrite,
          );
          if (p.sets.length + p.deletes.length <= TX_WRITES) {
            for (const s of p.sets) tx.set(s.ref, s.data);
            for (const r of p.deletes) tx.delete(r);
          }
          return p;
        },
        { maxAttempts: 8 },
      );
      if (plan.sets.length + plan.deletes.length > TX_WRITES) await commitInBatches(plan);
      return plan;
    },

    async count(uuid, matches) {
      if (meetingUuidProblem(uuid)) return 0;
      const [meeting, participants, pending] = await Promise.all([
        refs.meeting(uuid).get(),
        refs.participants(uuid).get(),
        refs.pending(uuid).get(),
      ]);
      const ids = new Set<string>();
      const lists = [
        meeting.exists ? eventsOf(meeting) : [],
        ...participants.docs.map(eventsOf),
        pending.docs.map((d) => d.get('event') as StateEvent),
      ];
      for (const list of lists) for (const e of list) if (matches(e)) ids.add(e.eventId);
      return ids.size;
    },
  };
}
