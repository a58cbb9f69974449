// The in-process live state: persons from connections through the store, its clock settling a
// pending move, retention (late events within Zoom's retry window, freeze, expiry), and erasure's
// rewrite of stored events (live and compacted meetings).
import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../../demo/simulator/zoom-events.ts';
import { eventIdOf } from '../../zoom/event-id.ts';
import { normalizeEvent } from '../../zoom/normalize.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { MOVE_GRACE_MS } from '../../state/settle.ts';
import { MEETING_ID, MEETING_UUID, stateEvents, T0 } from '../../../test/helpers/state-events.ts';
import { PSEUDONYMS, pseudonymise, touchesAna, twoPersons } from '../../../test/helpers/two-persons.ts';
import { createMemoryLiveState, dumpMemoryLiveState } from './memory-live-state.ts';

const t0 = Date.parse(MEETING.startTime);
const end = t0 + 60 * 60_000;
const states = (bodies: Record<string, unknown>[]): StateEvent[] =>
  bodies.flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );

describe('memory live state', () => {
  it('lists a reconnected person once and present; a lone leave settles by the clock, not by an event', async () => {
    let now = T0 + 700_000;
    const store = createMemoryLiveState({ now: () => now, ttlDays: 7, lateAfterMins: 5 });
    const z = stateEvents();
    const a1 = { uuid: 'A-1', name: 'Ana' };
    const a2 = { uuid: 'A-2', name: 'Ana' };
    await store.apply([
      z.started(0),
      z.joined(a1, 60),
      z.left(a1, 600, 'got disconnected from the meeting. Reason : Client Close.'),
    ]);
    await store.apply([z.joined(a2, 650)]);
    const view = await store.liveParticipants(MEETING_ID);
    expect(view?.participants.map((p) => [p.key, p.location, p.connections.length, p.late])).toEqual([
      ['n:ana', 'main', 2, false],
    ]);
    await store.apply([z.left(a2, 690)]);
    expect((await store.liveParticipants(MEETING_ID))?.participants[0]?.location).toBe('transit');
    now = T0 + 690_000 + MOVE_GRACE_MS;
    expect((await store.liveParticipants(MEETING_ID))?.participants[0]).toMatchObject({
      location: 'left',
      totalSeconds: 540 + 40,
    });
  });
});

describe('memory live state retention', () => {
  it("takes late events within Zoom's retry window after the end", async () => {
    let now = end + 30 * 60_000;
    const store = createMemoryLiveState({ now: () => now, ttlDays: 7 });
    const events = states(sampleMeeting());
    const late = events.filter((e) => e.action === 'JOIN' && e.participantKey === PEOPLE[2]?.uuid);
    await store.apply(events.filter((e) => !late.includes(e)));
    const before = await store.liveParticipants(MEETING.id);
    await store.apply(late);
    now += 1;
    const after = await store.liveParticipants(MEETING.id);
    expect(after?.participants).not.toEqual(before?.participants);
  });

  it('freezes an ended meeting after the retry window, keeps its view, and expires it after a day', async () => {
    let now = end + 3 * 3_600_000;
    const store = createMemoryLiveState({ now: () => now, ttlDays: 7 });
    await store.apply(states(sampleMeeting()));
    const frozen = await store.liveParticipants(MEETING.id);
    expect(frozen?.meeting.status).toBe('ended');
    await store.apply(states([zoom.joined(MEETING, PEOPLE[0] as (typeof PEOPLE)[0], t0 + 59 * 60_000)]));
    expect(await store.liveParticipants(MEETING.id)).toEqual(frozen);
    expect(await store.meetingIdFor(MEETING.uuid)).toBe(MEETING.id);
    now = end + 25 * 3_600_000;
    expect(await store.listMeetings({ includeEnded: true })).toEqual([]);
    expect(await store.liveParticipants(MEETING.id)).toBeUndefined();
  });

  it('keeps an ended meeting RETENTION_LIVE_STATE_DAYS after its end (endedDays), then drops it', async () => {
    let now = end + 3 * 3_600_000;
    const store = createMemoryLiveState({ now: () => now, ttlDays: 7, endedDays: 3 });
    await store.apply(states(sampleMeeting()));
    now = end + 3 * 86_400_000 - 1;
    expect((await store.listMeetings({ includeEnded: true })).map((m) => m.meetingUuid)).toEqual([
      MEETING.uuid,
    ]);
    now = end + 3 * 86_400_000 + 1;
    expect(await store.listMeetings({ includeEnded: true })).toEqual([]);
  });
});

const leftovers = (text: string): string[] => [...PSEUDONYMS.keys()].filter((old) => text.includes(old));

async function fed(batches: StateEvent[][], now: () => number) {
  const store = createMemoryLiveState({ now, ttlDays: 7, lateAfterMins: 5 });
  for (const b of batches) await store.apply(b);
  return store;
}

describe('memory live state rewrite', () => {
  it('rewrites one person everywhere: the view is a fresh fold of the rewritten events, no old value stays', async () => {
    const now = (): number => T0 + 1000_000;
    const batches = twoPersons();
    const store = await fed(batches, now);
    const before = await store.liveParticipants(MEETING_ID);
    // The scenario is what it says: Ana reconnected and visited the room, Ben is there throughout.
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
    let calls = 0;
    store.watch(() => calls++);

    expect(await store.countEvents([MEETING_UUID], touchesAna)).toBe(10);
    expect(await store.rewrite([MEETING_UUID, 'no-such-meeting=='], pseudonymise)).toEqual({
      meetings: 1,
      events: 10,
    });
    expect(calls).toBe(1);

    // (a) The view equals that of a fresh state fed the rewritten events.
    const fresh = await fed(
      batches.map((b) => b.map(pseudonymise)),
      now,
    );
    const after = await store.liveParticipants(MEETING_ID);
    expect(after).toEqual(await fresh.liveParticipants(MEETING_ID));
    expect(after?.participants.map((p) => [p.key, p.name, p.connections.map((c) => c.key)])).toEqual([
      ['u:acct-ben-12', 'Ben Okafor', ['ben-uuid-1']],
      ['u:u-7f3a', 'Person 7f3a', ['pu-7f3a-1', 'pu-7f3a-2']],
    ]);
    expect(after?.meeting.hostId).toBe('u-7f3a');
    // (b) Nothing of the old values anywhere in the store (events, indexes, waiting events).
    const dump = dumpMemoryLiveState(store) as string;
    expect(dump).toContain('pu-7f3a-2');
    expect(dump).toContain('e-7f3a-5'); // the waiting event was rewritten too
    expect(leftovers(dump)).toEqual([]);
    expect(leftovers(JSON.stringify(after))).toEqual([]);
    // (c) Ben is untouched (persons sort by name: he now comes first).
    expect(after?.participants[0]).toEqual(before?.participants[1]);
    expect(after?.stats).toEqual(before?.stats);
    // (d) A second rewrite changes nothing and tells nobody.
    expect(await store.rewrite([MEETING_UUID], pseudonymise)).toEqual({ meetings: 0, events: 0 });
    expect(await store.countEvents([MEETING_UUID], touchesAna)).toBe(0);
    expect(calls).toBe(1);
    // The lookup indexes follow the new ids: an RTMS event naming Ana's new room id finds her.
    const late = {
      ...(batches[1]?.[2] as StateEvent),
      eventId: 'late-cam',
      at: T0 + 960_000,
      action: 'VIDEO_OFF',
    };
    late.userId = 'e-7f3a-4';
    await store.apply([late]);
    await fresh.apply([late]);
    expect((await store.liveParticipants(MEETING_ID))?.participants[1]?.camera).toBe('off');
    expect(await store.liveParticipants(MEETING_ID)).toEqual(await fresh.liveParticipants(MEETING_ID));
    // Meetings not in the state are not created.
    expect((await store.listMeetings({ includeEnded: true })).map((m) => m.meetingUuid)).toEqual([
      MEETING_UUID,
    ]);
    expect(dump).not.toContain('no-such-meeting');
  });

  it('rewrites the folded state of a compacted meeting', async () => {
    const z = stateEvents();
    const batches = [...twoPersons(), [{ ...z.ended(1800), eventId: 'end' }]];
    const now = (): number => T0 + 1800_000 + 3 * 3_600_000;
    const store = await fed(batches, now);
    const before = await store.liveParticipants(MEETING_ID);
    expect(before?.meeting.status).toBe('ended');
    // Compacted: the events are gone, only the folded state is left (and it names Ana).
    expect(dumpMemoryLiveState(store)).toContain('"compacted":true');
    expect(dumpMemoryLiveState(store)).not.toContain('"eventId"');
    expect(leftovers(dumpMemoryLiveState(store) as string)).toEqual([
      'Ana Quintero',
      'ana.quintero@example.com',
      'acct-ana-77',
      'ana-uuid-1',
      'ana-uuid-2',
      '16778240',
      '16780288',
      '33554432',
      '16781312',
    ]);
    // One folded record each: the meeting (its host) and Ana's two connections.
    expect(await store.countEvents([MEETING_UUID], touchesAna)).toBe(3);
    expect(await store.rewrite([MEETING_UUID], pseudonymise)).toEqual({ meetings: 1, events: 3 });
    const after = await store.liveParticipants(MEETING_ID);
    const fresh = await fed(
      batches.map((b) => b.map(pseudonymise)),
      now,
    );
    expect(after).toEqual(await fresh.liveParticipants(MEETING_ID));
    expect(leftovers(dumpMemoryLiveState(store) as string)).toEqual([]);
    expect(after?.participants[0]).toEqual(before?.participants[1]);
    expect(after?.participants[1]?.key).toBe('u:u-7f3a');
    expect(await store.rewrite([MEETING_UUID], pseudonymise)).toEqual({ meetings: 0, events: 0 });
  });
});
