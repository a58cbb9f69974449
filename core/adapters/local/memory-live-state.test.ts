import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../../test/fixtures/zoom-events.ts';
import { eventIdOf } from '../../zoom/event-id.ts';
import { normalizeEvent } from '../../zoom/normalize.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { createMemoryLiveState } from './memory-live-state.ts';

const t0 = Date.parse(MEETING.startTime);
const end = t0 + 60 * 60_000;
const states = (bodies: Record<string, unknown>[]): StateEvent[] =>
  bodies.flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );

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
