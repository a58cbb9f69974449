// The in-process live state: persons from connections through the store, its clock settling a
// pending move, and retention (late events within Zoom's retry window, freeze, expiry).
import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../../demo/simulator/zoom-events.ts';
import { eventIdOf } from '../../zoom/event-id.ts';
import { normalizeEvent } from '../../zoom/normalize.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { MOVE_GRACE_MS } from '../../state/settle.ts';
import { MEETING_ID, stateEvents, T0 } from '../../../test/helpers/state-events.ts';
import { createMemoryLiveState } from './memory-live-state.ts';

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
});
