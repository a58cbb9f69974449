// The Firestore live state against the Google Cloud SDK's Firestore emulator (started with java):
// shuffled, triplicated, concurrent deliveries from two instances equal one ordered delivery; one
// document per connection and persons grouped on read; RTMS user-id resolution; TTL; no hot document.
import { randomUUID } from 'node:crypto';
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestoreLiveState } from '../../core/adapters/gcp/firestore-live-state.ts';
import { participantDocId } from '../../core/adapters/gcp/firestore-state-docs.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import { meetingKeyOf } from '../../core/zoom/identifiers.ts';
import type { StateEvent } from '../../core/zoom/types.ts';
import { seededShuffle as shuffle } from '../helpers/seeded-shuffle.ts';
import { startFirestoreEmulator, type Emulator } from '../emulators.ts';

let emulator: Emulator;
const opened: LiveState[] = [];
const T0 = Date.parse('2026-02-03T09:00:00Z');
const NOW = T0 + 2 * 3600_000;
const UUID = 'aBc/12+xyZ==';
const MEETING_ID = '81234567890';
const ROOM = 'room-uuid-1';

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
});
afterAll(async () => {
  await Promise.allSettled(opened.map((s) => s.close()));
  await emulator?.stop();
});

function open(project: string, now = NOW): LiveState {
  const config = parseConfig({ GCP_PROJECT_ID: project, FIRESTORE_EMULATOR_HOST: emulator.host });
  const state = createFirestoreLiveState(config, silentLogger(), { now: () => now, watchDebounceMs: 20 });
  opened.push(state);
  return state;
}

function admin(project: string): Firestore {
  return new Firestore({
    projectId: project,
    host: emulator.host,
    ssl: false,
    clientOptions: { universeDomain: 'googleapis.com' },
  });
}

let seq = 0;
function ev(action: string, atS: number, fields: Partial<StateEvent> = {}, uuid = UUID): StateEvent {
  return {
    eventId: `e${++seq}`,
    type: `t.${action}`,
    action,
    at: T0 + atS * 1000,
    ts: T0 + atS * 1000 + 7,
    meetingUuid: uuid,
    ...fields,
  };
}
const alice = {
  participantKey: 'pu-alice',
  participantUuid: 'pu-alice',
  name: 'Alice',
  email: 'alice@example.com',
  meetingId: MEETING_ID,
  userId: '16778240',
};
const alicePlusRoom = { ...alice, userId: '33554432', parentUserId: '16778240', roomUuid: ROOM };
const bob = {
  participantKey: 'bob@example.com',
  name: 'Bøb 🎉',
  email: 'bob@example.com',
  meetingId: MEETING_ID,
  userId: '16779264',
};
const carol = { participantKey: 'Carol', name: 'Carol', meetingId: MEETING_ID, userId: '16780288' };

/** One meeting's webhook events (participant and meeting level), in Zoom time order. */
function meetingEvents(): StateEvent[] {
  return [
    ev('MEETING_START', 0, {
      meetingId: MEETING_ID,
      topic: 'Weekly ✨ sync',
      hostId: 'host-1',
      startTime: T0,
    }),
    ev('WAITING_ROOM_JOIN', 30, bob),
    ev('JOIN', 60, alice),
    ev('ADMITTED', 90, bob),
    ev('JOIN', 95, bob),
    ev('JOIN', 120, carol),
    ev('ROLE_CHANGE', 200, { ...bob, role: 'co-host' }),
    // A move: the leave and the room join of the same second (Zoom stamps either first).
    ev('LEAVE_TO_BREAKOUT', 300, { ...alice, leaveReason: 'left the meeting to join a breakout room' }),
    { ...ev('JOIN', 300, alicePlusRoom), ts: T0 + 300_000 - 50 },
    ev('RECORDING_START', 400, { meetingId: MEETING_ID }),
    ev('LEAVE', 600, { ...carol, leaveReason: 'Carol left the meeting.' }),
    ev('LEAVE', 900, { ...alicePlusRoom, leaveReason: 'left the meeting. Reason : join main meeting' }),
    ev('JOIN', 900, alice),
    ev('SHARE_START', 1000, alice),
    ev('SHARE_END', 1100, alice),
    ev('QOS', 1200, { participantKey: 'pu-alice', participantUuid: 'pu-alice' }),
  ];
}

describe('firestore live state', () => {
  it('shuffled, triplicated, concurrent delivery from two instances equals one ordered delivery', async () => {
    // Including RTMS camera events that name only a user id (or a name): shuffled, some come first.
    const events = [
      ...meetingEvents(),
      ev('VIDEO_ON', 950, { userId: '33554432', meetingId: MEETING_ID }),
      ev('VIDEO_ON', 130, { userId: '999', name: 'Carol' }),
    ];
    const ordered = open(`ordered-${randomUUID()}`);
    for (const e of events) await ordered.apply([e]);
    const expected = await ordered.liveParticipants(MEETING_ID);

    const project = `shuffled-${randomUUID()}`;
    const [a, b] = [open(project), open(project)];
    const copies = shuffle([...events, ...events, ...events], 42);
    const chunks: StateEvent[][] = [];
    for (let i = 0; i < copies.length; i += 1 + (i % 4)) chunks.push(copies.slice(i, i + 1 + (i % 4)));
    await Promise.all(chunks.map((c, i) => (i % 2 ? a : b).apply(c)));
    expect(await a.liveParticipants(MEETING_ID)).toEqual(expected);
    expect(await b.liveParticipants(UUID)).toEqual(expected);

    // The ordered result itself is what the reference says.
    expect(expected?.meeting).toMatchObject({
      meetingId: MEETING_ID,
      topic: 'Weekly ✨ sync',
      status: 'started',
      recording: 'recording',
      meetingKey: meetingKeyOf(UUID),
    });
    // Persons, keyed by email, else normalised name; a person who left shows no camera.
    const byKey = Object.fromEntries((expected?.participants ?? []).map((p) => [p.key, p]));
    expect(byKey['e:alice@example.com']).toMatchObject({ location: 'main', sharing: false, camera: 'on' });
    expect(byKey['e:alice@example.com']?.sessions.map((s) => s.roomName ?? s.room)).toEqual([
      'main',
      'Room-1',
      'main',
    ]);
    expect(byKey['e:bob@example.com']).toMatchObject({ name: 'Bøb 🎉', location: 'main', role: 'co-host' });
    expect(byKey['n:carol']).toMatchObject({ location: 'left', totalSeconds: 480, camera: 'off' });
    expect(expected?.stats).toMatchObject({ inMeeting: 2, main: 2, breakout: 0 });

    // Each document stores its events once, however often they came.
    const db = admin(project);
    const doc = await db
      .doc(`meetings/${meetingKeyOf(UUID)}/participants/${participantDocId('pu-alice')}`)
      .get();
    const ids = (doc.get('events') as StateEvent[]).map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(events.filter((e) => e.participantKey === 'pu-alice').length + 1);
    expect(doc.get('userIds')).toEqual(expect.arrayContaining(['16778240', '33554432']));
    await db.terminate();
  });

  it('resolves RTMS camera events by user id, then by name; early ones wait for their participant', async () => {
    const project = `rtms-${randomUUID()}`;
    const state = open(project);
    const dave = { participantKey: 'dave', name: 'Dave', userId: '777', meetingId: MEETING_ID };
    // Dave's camera event comes before his join (a different instance handles it).
    await open(project).apply([ev('VIDEO_ON', 1301, { userId: '777' })]);
    await state.apply(meetingEvents());
    await state.apply([
      ev('VIDEO_ON', 950, { userId: '33554432', meetingId: MEETING_ID }), // Alice's breakout-room id
      ev('VIDEO_ON', 130, { userId: '999', name: 'Carol' }),
      ev('VIDEO_OFF', 140, { userId: '12345', name: 'Nobody' }),
    ]);
    await state.apply([ev('JOIN', 1300, dave)]);
    // A join and a camera event in one batch resolve against each other.
    await state.apply([
      ev('JOIN', 1310, { participantKey: 'erin', name: 'Erin', userId: '888', meetingId: MEETING_ID }),
      ev('VIDEO_ON', 1311, { userId: '888' }),
    ]);
    const view = await state.liveParticipants(UUID);
    const cam = Object.fromEntries((view?.participants ?? []).map((p) => [p.key, p.camera]));
    expect(cam).toEqual({
      'e:alice@example.com': 'on',
      'e:bob@example.com': 'unknown',
      'n:carol': 'off', // left at 600: no stale camera
      'n:dave': 'on',
      'n:erin': 'on',
    });
    const db = admin(project);
    expect((await db.collection(`meetings/${meetingKeyOf(UUID)}/participants`).get()).size).toBe(5);
    // Carol's camera event (named only by her name) is in her connection's document.
    const carolDoc = await db
      .doc(`meetings/${meetingKeyOf(UUID)}/participants/${participantDocId('Carol')}`)
      .get();
    expect((carolDoc.get('events') as StateEvent[]).map((e) => [e.action, e.at - T0])).toContainEqual([
      'VIDEO_ON',
      130_000,
    ]);
    // Only the event of nobody known is still waiting.
    const waiting = await db.collection(`meetings/${meetingKeyOf(UUID)}/pending`).get();
    expect(waiting.docs.map((d) => (d.get('event') as StateEvent).name)).toEqual(['Nobody']);
    await db.terminate();
  });

  it('one document per connection, one person per key: a reconnect once and present, a lost join estimated', async () => {
    const project = `persons-${randomUUID()}`;
    const [a, b] = [open(project), open(project)];
    const dee1 = {
      participantKey: 'pu-dee-1',
      participantUuid: 'pu-dee-1',
      name: 'Dee Ng',
      meetingId: MEETING_ID,
    };
    const dee2 = { ...dee1, participantKey: 'pu-dee-2', participantUuid: 'pu-dee-2', name: 'dee  ng' };
    const fay = { participantKey: 'pu-fay', participantUuid: 'pu-fay', name: 'Fay', meetingId: MEETING_ID };
    const start = { startTime: T0, meetingType: 2 };
    const events = [
      ev('JOIN', 100, { ...dee1, ...start, userId: '1' }),
      ev('LEAVE', 200, {
        ...dee1,
        ...start,
        userId: '2',
        leaveReason: 'got disconnected from the meeting. Reason : Client Close.',
      }),
      ev('JOIN', 230, { ...dee2, ...start, userId: '3' }),
      // A move without breakout-room events, its join stamped first: into a room Zoom does not name.
      { ...ev('JOIN', 400, { ...dee2, ...start, userId: '4' }), ts: T0 + 400_000 - 100 },
      ev('LEAVE_TO_BREAKOUT', 400, {
        ...dee2,
        ...start,
        userId: '3',
        leaveReason: 'left the meeting. Reason : left the meeting to join breakout room',
      }),
      // Fay's join was never received: only her leave.
      ev('LEAVE', 1000, {
        ...fay,
        ...start,
        userId: '9',
        leaveReason: 'left the meeting. Reason : left the meeting',
      }),
    ];
    // The join of the move arrives first, at another instance.
    await a.apply([events[3] as StateEvent]);
    await Promise.all([b.apply(events.slice(0, 3)), a.apply(events.slice(4))]);
    const view = await b.liveParticipants(MEETING_ID);
    expect(view?.participants.map((p) => p.key)).toEqual(['n:dee ng', 'n:fay']);
    expect(view?.participants[0]).toMatchObject({
      location: 'breakout',
      roomName: 'Room-?',
      joinedAt: new Date(T0 + 100_000).toISOString(),
      joinTime: 'event',
      totalSeconds: 100 + (NOW - T0) / 1000 - 230,
      connections: [
        { key: 'pu-dee-1', location: 'left' },
        { key: 'pu-dee-2', location: 'breakout' },
      ],
    });
    expect(view?.participants[1]).toMatchObject({
      location: 'left',
      joinedAt: new Date(T0).toISOString(),
      joinTime: 'meeting_start',
      totalSeconds: 1000,
    });
    expect(view?.stats).toMatchObject({ inMeeting: 1, breakout: 1, byRoom: { 'Room-?': 1 } });
    const db = admin(project);
    expect((await db.collection(`meetings/${meetingKeyOf(UUID)}/participants`).get()).size).toBe(3);
    await db.terminate();
  });

  it('writes expireAt for the TTL policy and hides ended meetings unless asked', async () => {
    const project = `ttl-${randomUUID()}`;
    const state = open(project);
    await state.apply(meetingEvents());
    const db = admin(project);
    const ref = db.doc(`meetings/${meetingKeyOf(UUID)}`);
    expect(((await ref.get()).get('expireAt') as Timestamp).toMillis()).toBe(T0 + 7 * 86_400_000);
    expect(await state.meetingIdFor(UUID)).toBe(MEETING_ID);
    expect((await state.listMeetings()).map((m) => m.meetingUuid)).toEqual([UUID]);

    await state.apply([ev('MEETING_END', 3600, { meetingId: MEETING_ID, endTime: T0 + 3600_000 })]);
    expect(((await ref.get()).get('expireAt') as Timestamp).toMillis()).toBe(T0 + 3600_000 + 86_400_000);
    expect(await state.listMeetings()).toEqual([]);
    expect((await state.listMeetings({ includeEnded: true }))[0]).toMatchObject({
      status: 'ended',
      counts: { inMeeting: 0 },
    });
    const p = await db.doc(`meetings/${meetingKeyOf(UUID)}/participants/${participantDocId('Carol')}`).get();
    expect(p.get('expireAt')).toBeInstanceOf(Timestamp);

    // Two days after the end the meeting has expired even before Firestore's TTL sweep deletes it.
    const later = open(project, T0 + 3 * 86_400_000);
    expect(await later.listMeetings({ includeEnded: true })).toEqual([]);
    expect(await later.liveParticipants(MEETING_ID)).toBeUndefined();
    await db.terminate();
  });

  it('a participant event never rewrites the meeting document', async () => {
    const project = `hot-${randomUUID()}`;
    const state = open(project);
    await state.apply(meetingEvents());
    const db = admin(project);
    const ref = db.doc(`meetings/${meetingKeyOf(UUID)}`);
    const before = (await ref.get()).updateTime?.toMillis();
    await state.apply([ev('SHARE_START', 1500, bob), ev('SHARE_END', 1600, bob), ev('QOS', 1700, alice)]);
    expect((await ref.get()).updateTime?.toMillis()).toBe(before);
    // A fresh instance (empty known-meeting set) re-checks the sighting once without changing the doc.
    await open(project).apply([ev('QOS', 1800, alice)]);
    expect((await ref.get()).updateTime?.toMillis()).toBe(before);
    await db.terminate();
  });

  it('finds the latest instance of a meeting number and tells watchers about changes', async () => {
    const state = open(`latest-${randomUUID()}`);
    const old = 'old-instance==';
    await state.apply([
      ev('MEETING_START', -3000, { meetingId: MEETING_ID, startTime: T0 - 3000_000 }, old),
      ev('MEETING_END', -2000, { meetingId: MEETING_ID, endTime: T0 - 2000_000 }, old),
      ...meetingEvents(),
    ]);
    expect((await state.liveParticipants(MEETING_ID))?.meeting.meetingUuid).toBe(UUID);
    expect((await state.liveParticipants(old))?.meeting.status).toBe('ended');

    let calls = 0;
    const changed = new Promise<void>((resolve) => {
      const stop = state.watch(() => {
        calls++;
        stop();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300)); // let the listeners attach
    await state.apply([
      ev('JOIN', 1400, { participantKey: 'erin', name: 'Erin', userId: '888', meetingId: MEETING_ID }),
    ]);
    await changed;
    expect(calls).toBe(1);
    expect(await state.health()).toMatchObject({ ok: true, backend: 'firestore' });
  });
});
