// Erasure's rewrite of the Firestore live state against the emulator (started with java): one
// person's stored events pseudonymised leave the view a fresh delivery of the rewritten events
// gives, no old value in any document or document id, the other person untouched, and a second
// rewrite changing nothing.
import { randomUUID } from 'node:crypto';
import { Firestore, type CollectionReference } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestoreLiveState } from '../../core/adapters/gcp/firestore-live-state.ts';
import { participantDocId } from '../../core/adapters/gcp/firestore-state-docs.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import { meetingKeyOf } from '../../core/zoom/identifiers.ts';
import type { StateEvent } from '../../core/zoom/types.ts';
import { startFirestoreEmulator, type Emulator } from '../emulators.ts';
import { MEETING_ID, MEETING_UUID, T0 } from '../helpers/state-events.ts';
import { PSEUDONYMS, pseudonymise, touchesAna, twoPersons } from '../helpers/two-persons.ts';

let emulator: Emulator;
const opened: LiveState[] = [];
const admins: Firestore[] = [];
const NOW = T0 + 1000_000;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
});
afterAll(async () => {
  await Promise.allSettled([...opened.map((s) => s.close()), ...admins.map((db) => db.terminate())]);
  await emulator?.stop();
});

function open(project: string, watchDebounceMs = 20): LiveState {
  const config = parseConfig({ GCP_PROJECT_ID: project, FIRESTORE_EMULATOR_HOST: emulator.host });
  const state = createFirestoreLiveState(config, silentLogger(), {
    now: () => NOW,
    lateAfterMins: 5,
    watchDebounceMs,
  });
  opened.push(state);
  return state;
}

function admin(project: string): Firestore {
  const db = new Firestore({
    projectId: project,
    host: emulator.host,
    ssl: false,
    clientOptions: { universeDomain: 'googleapis.com' },
  });
  admins.push(db);
  return db;
}

/** Every document of the project (ids, paths and data, subcollections included), as JSON. */
async function dumpProject(db: Firestore): Promise<string> {
  const out: [string, unknown][] = [];
  const walk = async (collections: CollectionReference[]): Promise<void> => {
    for (const c of collections) {
      for (const ref of await c.listDocuments()) {
        out.push([ref.path, (await ref.get()).data() ?? null]);
        await walk(await ref.listCollections());
      }
    }
  };
  await walk(await db.listCollections());
  return JSON.stringify(out);
}

/** The old values, and the ids of the documents keyed by Ana's old participant_uuids. */
const OLD = [...PSEUDONYMS.keys(), participantDocId('ana-uuid-1'), participantDocId('ana-uuid-2')];
const leftovers = (text: string): string[] => OLD.filter((old) => text.includes(old));

async function feed(state: LiveState, batches: StateEvent[][]): Promise<void> {
  for (const b of batches) await state.apply(b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('firestore live state rewrite', () => {
  it('rewrites one person in every document: a fresh fold of the rewritten events, no old value left', async () => {
    const project = `rewrite-${randomUUID()}`;
    const batches = twoPersons();
    const state = open(project);
    await feed(state, batches);
    const db = admin(project);
    const meetingPath = `meetings/${meetingKeyOf(MEETING_UUID)}`;
    const before = await state.liveParticipants(MEETING_ID);
    expect(before?.participants.map((p) => [p.key, p.location, p.connections.map((c) => c.key)])).toEqual([
      ['u:acct-ana-77', 'main', ['ana-uuid-1', 'ana-uuid-2']],
      ['u:acct-ben-12', 'main', ['ben-uuid-1']],
    ]);
    expect(before?.participants[0]?.sessions.map((s) => s.roomName ?? s.room)).toEqual([
      'main',
      'main',
      'Room-1',
      'main',
    ]);
    expect(before?.participants[0]?.camera).toBe('on');
    // Every old value is stored before the rewrite (in documents, document ids, the waiting event).
    expect(leftovers(await dumpProject(db))).toEqual(OLD);

    // A watcher on another instance (another process, in production) hears of the rewrite once.
    let calls = 0;
    open(project, 300).watch(() => calls++);
    await sleep(500); // let the listeners attach

    expect(await state.countEvents([MEETING_UUID], touchesAna)).toBe(10);
    expect(await state.rewrite([MEETING_UUID, 'no-such-meeting==', 'not a uuid!'], pseudonymise)).toEqual({
      meetings: 1,
      events: 10,
    });

    // (a) The view (read by a new instance, and by the one that rewrote) equals a fresh delivery's.
    const freshProject = `fresh-${randomUUID()}`;
    const fresh = open(freshProject);
    await feed(
      fresh,
      batches.map((b) => b.map(pseudonymise)),
    );
    const expected = await fresh.liveParticipants(MEETING_ID);
    const after = await open(project).liveParticipants(MEETING_ID);
    expect(after).toEqual(expected);
    expect(await state.liveParticipants(MEETING_UUID)).toEqual(expected);
    expect(after?.participants.map((p) => [p.key, p.name, p.connections.map((c) => c.key)])).toEqual([
      ['u:acct-ben-12', 'Ben Okafor', ['ben-uuid-1']],
      ['u:u-7f3a', 'Person 7f3a', ['pu-7f3a-1', 'pu-7f3a-2']],
    ]);
    expect(after?.meeting.hostId).toBe('u-7f3a');

    // (b) No old value in any document of the project, nor in any document id.
    const dump = await dumpProject(db);
    expect(leftovers(dump)).toEqual([]);
    expect(dump).toContain('e-7f3a-5'); // the waiting event, rewritten
    const participants = await db.collection(`${meetingPath}/participants`).get();
    expect(participants.docs.map((d) => d.id).sort()).toEqual(
      ['pu-7f3a-1', 'pu-7f3a-2', 'ben-uuid-1'].map(participantDocId).sort(),
    );
    const pending = await db.collection(`${meetingPath}/pending`).get();
    expect(pending.docs.map((d) => [d.get('userId'), (d.get('event') as StateEvent).userId])).toEqual([
      ['e-7f3a-5', 'e-7f3a-5'],
    ]);
    // Every document is the one a fresh delivery wrote, derived fields and expireAt included.
    const sorted = (json: string) =>
      (JSON.parse(json) as [string, unknown][]).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(sorted(dump)).toEqual(sorted(await dumpProject(admin(freshProject))));

    // (c) Ben is untouched (persons sort by name: he now comes first).
    expect(after?.participants[0]).toEqual(before?.participants[1]);
    expect(after?.stats).toEqual(before?.stats);

    // (d) A second rewrite changes nothing.
    expect(await state.rewrite([MEETING_UUID], pseudonymise)).toEqual({ meetings: 0, events: 0 });
    expect(await state.countEvents([MEETING_UUID], touchesAna)).toBe(0);
    await sleep(1000);
    expect(calls).toBe(1);

    // Meetings not in the state are not created.
    expect((await db.collection('meetings').listDocuments()).map((r) => r.id)).toEqual([
      meetingKeyOf(MEETING_UUID),
    ]);

    // Lookups follow the new ids: an RTMS event naming Ana's new main-room id finds her connection.
    const late: StateEvent = {
      eventId: 'late-cam',
      type: 'rtms.video',
      action: 'VIDEO_OFF',
      at: T0 + 960_000,
      ts: T0 + 961_500,
      meetingUuid: MEETING_UUID,
      userId: 'e-7f3a-4',
    };
    await state.apply([late]);
    await fresh.apply([late]);
    const resolved = await state.liveParticipants(MEETING_ID);
    expect(resolved?.participants[1]?.camera).toBe('off');
    expect(resolved).toEqual(await fresh.liveParticipants(MEETING_ID));
  });

  it('rewrites a meeting that holds only waiting events without creating its document', async () => {
    const project = `pending-${randomUUID()}`;
    const state = open(project, 300);
    const uuid = 'OnlyWaiting+1==';
    const stray: StateEvent = {
      eventId: 'stray-1',
      type: 'rtms.video',
      action: 'VIDEO_ON',
      at: T0 + 5_000,
      ts: T0 + 6_500,
      meetingUuid: uuid,
      userId: '99887766',
    };
    await state.apply([stray]);
    let calls = 0;
    state.watch(() => calls++);
    await sleep(500);
    expect(await state.countEvents([uuid], touchesAna)).toBe(1);
    expect(await state.rewrite([uuid], pseudonymise)).toEqual({ meetings: 1, events: 1 });
    await sleep(600);
    expect(calls).toBe(1);
    const db = admin(project);
    expect((await db.doc(`meetings/${meetingKeyOf(uuid)}`).get()).exists).toBe(false);
    const dump = await dumpProject(db);
    expect(leftovers(dump)).toEqual([]);
    expect(JSON.parse(dump)).toEqual([
      [`meetings/${meetingKeyOf(uuid)}`, null],
      [
        `meetings/${meetingKeyOf(uuid)}/pending/stray-1`,
        {
          event: { ...stray, userId: 'e-7f3a-5' },
          userId: 'e-7f3a-5',
          expireAt: { _seconds: (T0 + 5_000 + 86_400_000) / 1000, _nanoseconds: 0 },
        },
      ],
    ]);
    expect(await state.rewrite([uuid], pseudonymise)).toEqual({ meetings: 0, events: 0 });
    await sleep(400);
    expect(calls).toBe(1);
  });
});
