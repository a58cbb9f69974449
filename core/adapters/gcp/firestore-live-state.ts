// Live state in Firestore: `meetings/{meetingKey}` per meeting instance and `.../participants/{id}` per
// connection (participant_uuid), each holding its deduplicated events and their pure fold. A participant
// event writes only its connection's document, so no document is hot; `expireAt` drives the TTL policy.
// Erasure rewrites a meeting's stored events in one transaction (firestore-rewrite).
import { Timestamp, type DocumentSnapshot } from '@google-cloud/firestore';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { HealthStatus, LiveState } from '../../ports.ts';
import { TransientUpstreamError, errorMessage } from '../../errors.ts';
import { foldConnection, type ConnectionState } from '../../state/connection.ts';
import { foldMeeting } from '../../state/fold.ts';
import { latestInstance } from '../../state/latest-instance.ts';
import { viewMeeting } from '../../state/live-view.ts';
import { routeEvents, type ConnectionBatch } from '../../state/route-events.ts';
import type { LiveParticipantsView, MeetingSummary } from '../../state/views.ts';
import { meetingKeyOf, meetingUuidProblem } from '../../zoom/identifiers.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { createFirestore, type FirestoreConfig } from './firestore-client.ts';
import { createDocWriter, type DocBuilder } from './firestore-doc-writer.ts';
import { createPendingEvents } from './firestore-pending.ts';
import { createStateRewriter } from './firestore-rewrite.ts';
import { stateTtlOf } from '../../state/retention.ts';
import { isLive, meetingDoc, participantDoc, participantDocId } from './firestore-state-docs.ts';
import { isTransient } from './upstream-errors.ts';

type LiveStateConfig = FirestoreConfig & Pick<Config, 'STATE_TTL_DAYS' | 'RETENTION_LIVE_STATE_DAYS'>;

export interface FirestoreLiveStateOptions {
  now?: () => number;
  /** ATTENDANCE_LATE_AFTER_MINS, for the late flag of scheduled meetings. */
  lateAfterMins?: number;
  watchDebounceMs?: number;
}

const CACHE_LIMIT = 10_000;

export function createFirestoreLiveState(
  config: LiveStateConfig,
  log: Logger,
  opts: FirestoreLiveStateOptions = {},
): LiveState {
  const db = createFirestore(config);
  const now = opts.now ?? Date.now;
  const meetings = db.collection('meetings');
  const writer = createDocWriter(db);
  /** Meeting UUIDs whose document already holds the UUID->ID sighting: repeat creates are skipped. */
  const sighted = new Set<string>();
  const idByUuid = new Map<string, string>();
  const keyByUserId = new Map<string, string>();
  /** Meeting+user ids whose waiting events this instance has already claimed. */
  const claimed = new Map<string, true>();
  const listeners = new Set<() => void>();
  let stopWatching: (() => void) | undefined;

  const meetingRef = (uuid: string) => meetings.doc(meetingKeyOf(uuid));
  const participantsOf = (uuid: string) => meetingRef(uuid).collection('participants');
  const pendingOf = (uuid: string) => meetingRef(uuid).collection('pending');
  const pending = createPendingEvents(pendingOf);
  const ttl = stateTtlOf(config);
  const rewriter = createStateRewriter(
    db,
    { meeting: meetingRef, participants: participantsOf, pending: pendingOf },
    ttl,
  );
  /** Asks the watch listeners' debounced notification directly (set while watching). */
  let poke: (() => void) | undefined;
  const remember = <V>(map: Map<string, V>, k: string, v: V): void => {
    if (map.size >= CACHE_LIMIT) map.clear();
    map.set(k, v);
  };

  const buildMeeting =
    (uuid: string): DocBuilder =>
    (events) => {
      const doc = meetingDoc(uuid, events, ttl);
      if (typeof doc['meetingId'] === 'string') remember(idByUuid, uuid, doc['meetingId']);
      return doc;
    };
  const buildParticipant =
    (uuid: string, key: string): DocBuilder =>
    (events) =>
      participantDoc(uuid, key, events, ttl);

  /** An event names only a user id (the batch had no keyed event with it): a cached key, else a query by userIds, then by name. */
  async function resolveKey(e: StateEvent): Promise<string | undefined> {
    const userId = e.userId as string;
    const cacheKey = `${e.meetingUuid}\u0000${userId}`;
    const cached = keyByUserId.get(cacheKey);
    if (cached !== undefined) return cached;
    const coll = participantsOf(e.meetingUuid);
    let found = await coll.where('userIds', 'array-contains', userId).limit(1).get();
    if (found.empty && e.name !== undefined) found = await coll.where('name', '==', e.name).limit(1).get();
    const key = found.docs[0]?.get('participantKey') as string | undefined;
    if (key !== undefined) remember(keyByUserId, cacheKey, key);
    return key;
  }

  const writeMeeting = (uuid: string, list: readonly StateEvent[]) =>
    writer.merge(meetingRef(uuid), list, buildMeeting(uuid));
  const writeParticipant = (uuid: string, key: string, list: readonly StateEvent[]) =>
    writer.merge(participantsOf(uuid).doc(participantDocId(key)), list, buildParticipant(uuid, key));

  /** Parked events whose participant has appeared since, and waiting events a newly seen user id claims. */
  function reconcile(parked: readonly StateEvent[], written: readonly ConnectionBatch[]): Promise<void>[] {
    const jobs = parked.map(async (e) => {
      const key = await resolveKey(e);
      if (key === undefined) return;
      await writeParticipant(e.meetingUuid, key, [e]);
      await pending.remove(e.meetingUuid, [e.eventId]);
    });
    for (const b of written) {
      const ids = new Set<string>();
      const names = new Set<string>();
      for (const e of b.events) {
        for (const id of [e.userId, e.parentUserId])
          if (id !== undefined && !claimed.has(`${b.meetingUuid}\u0000${id}`)) ids.add(id);
        if (e.name !== undefined) names.add(e.name);
      }
      if (ids.size === 0) continue; // nothing new learned about who this participant is
      jobs.push(
        (async () => {
          const waiting = await pending.claim(b.meetingUuid, [...ids], [...names]);
          if (waiting.length > 0) {
            await writeParticipant(b.meetingUuid, b.key, waiting);
            await pending.remove(
              b.meetingUuid,
              waiting.map((e) => e.eventId),
            );
          }
          for (const id of ids) remember(claimed, `${b.meetingUuid}\u0000${id}`, true);
        })(),
      );
    }
    return jobs;
  }

  /** Drops what this instance cached about a meeting's participants (their ids and keys). */
  function forget(uuid: string): void {
    const prefix = `${uuid}\u0000`;
    for (const map of [keyByUserId, claimed] as Map<string, unknown>[])
      for (const k of [...map.keys()]) if (k.startsWith(prefix)) map.delete(k);
  }

  /** Waits for every write; the first failure is rethrown, an outage as TransientUpstreamError. */
  async function settle(jobs: readonly Promise<unknown>[], count: number): Promise<void> {
    const failed = (await Promise.allSettled(jobs)).find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (!failed) return;
    const err: unknown = failed.reason;
    log.warn({ err: errorMessage(err), events: count }, 'firestore live-state write failed');
    throw isTransient(err)
      ? new TransientUpstreamError(`firestore write failed: ${errorMessage(err)}`, { cause: err })
      : err;
  }

  /** The meeting's connections (one document each), folded from their stored events. */
  async function connectionsOf(uuid: string): Promise<ConnectionState[]> {
    const snap = await participantsOf(uuid).get();
    return snap.docs.map((d) =>
      foldConnection(d.get('participantKey') as string, (d.get('events') as StateEvent[] | undefined) ?? []),
    );
  }

  async function viewOf(doc: DocumentSnapshot): Promise<LiveParticipantsView> {
    const uuid = doc.get('meetingUuid') as string;
    const meeting = foldMeeting(uuid, (doc.get('events') as StateEvent[] | undefined) ?? []);
    return viewMeeting(meeting, await connectionsOf(uuid), now(), {
      ...(opts.lateAfterMins !== undefined && { lateAfterMins: opts.lateAfterMins }),
    });
  }

  const live = (d: DocumentSnapshot): boolean => isLive(d, now());

  function notify(): void {
    for (const l of [...listeners]) l();
  }

  function startWatching(): () => void {
    const since = Timestamp.fromMillis(now());
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        notify();
      }, opts.watchDebounceMs ?? 200);
    };
    const onError = (err: Error): void =>
      log.warn({ err: err.message }, 'firestore live-state listener failed');
    poke = fire;
    const skipFirst = (): (() => void) => {
      let first = true;
      return () => (first ? (first = false) : fire());
    };
    const unsubs = [
      meetings.where('expireAt', '>', since).onSnapshot(skipFirst(), onError),
      db.collectionGroup('participants').where('expireAt', '>', since).onSnapshot(skipFirst(), onError),
    ];
    return () => {
      for (const u of unsubs) u();
      if (timer) clearTimeout(timer);
      poke = undefined;
    };
  }

  return {
    async apply(events) {
      const routed = await routeEvents(events, {
        isSighted: (uuid) => sighted.has(uuid),
        resolveKey,
      });
      const connections = [...routed.connections.values()];
      await settle(
        [
          ...[...routed.meetings].map(async ([uuid, list]) => {
            await writeMeeting(uuid, list);
            if (routed.sighted.has(uuid)) sighted.add(uuid); // its doc holds the UUID->ID map now
          }),
          ...connections.map((b) => writeParticipant(b.meetingUuid, b.key, b.events)),
          pending.park(routed.unresolved),
        ],
        events.length,
      );
      if (routed.unresolved.length > 0)
        log.debug({ events: routed.unresolved.length }, 'state events wait for their participant');
      await settle(reconcile(routed.unresolved, connections), events.length);
    },

    async meetingIdFor(uuid) {
      const cached = idByUuid.get(uuid);
      if (cached !== undefined) return cached;
      const id = (await meetingRef(uuid).get()).get('meetingId') as string | undefined;
      if (id !== undefined) remember(idByUuid, uuid, id);
      return id;
    },

    async listMeetings(listOpts) {
      const snap = await meetings.where('expireAt', '>', Timestamp.fromMillis(now())).get();
      const docs = snap.docs.filter((d) => listOpts?.includeEnded || d.get('status') !== 'ended');
      const out: MeetingSummary[] = await Promise.all(docs.map(async (d) => (await viewOf(d)).meeting));
      return out.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    },

    async liveParticipants(meetingIdOrUuid) {
      // Asked for by the dashboard: a string that cannot be a meeting key is simply not a UUID here.
      const key = meetingUuidProblem(meetingIdOrUuid) ? undefined : meetingKeyOf(meetingIdOrUuid);
      const direct = key ? await meetings.doc(key).get() : undefined;
      if (direct?.exists && live(direct)) return viewOf(direct);
      const instances = await meetings.where('meetingId', '==', meetingIdOrUuid).get();
      const best = latestInstance(instances.docs.filter(live), (d) => ({
        status: d.get('status') as 'started' | 'ended' | 'unknown',
        startedAt: d.get('startedAt') as number | undefined,
        lastEventAt: d.get('lastEventAt') as number,
      }));
      return best ? viewOf(best) : undefined;
    },

    async rewrite(meetingUuids, rewrite) {
      let changedMeetings = 0;
      let events = 0;
      let watched = false;
      for (const uuid of new Set(meetingUuids)) {
        const plan = await rewriter.rewrite(uuid, rewrite);
        forget(uuid);
        if (plan.events === 0) continue;
        changedMeetings++;
        events += plan.events;
        watched ||= plan.watched;
      }
      // Only pending events changed: no listener sees that, so watchers are told here (once).
      if (events > 0 && !watched) poke?.();
      return { meetings: changedMeetings, events };
    },

    async countEvents(meetingUuids, matches) {
      let n = 0;
      for (const uuid of new Set(meetingUuids)) n += await rewriter.count(uuid, matches);
      return n;
    },

    watch(onChange) {
      listeners.add(onChange);
      stopWatching ??= startWatching();
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && stopWatching) {
          stopWatching();
          stopWatching = undefined;
        }
      };
    },

    async health(): Promise<HealthStatus> {
      try {
        await meetings.limit(1).get();
        return { ok: true, backend: 'firestore', detail: config.FIRESTORE_DATABASE };
      } catch (err) {
        return { ok: false, backend: 'firestore', detail: errorMessage(err) };
      }
    },

    async close() {
      listeners.clear();
      stopWatching?.();
      stopWatching = undefined;
      await db.terminate();
    },
  };
}
