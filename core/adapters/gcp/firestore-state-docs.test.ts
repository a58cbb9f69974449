// How long Firestore keeps live-state documents (the TTL policy deletes them after `expireAt`): an
// ended meeting and a person who left RETENTION_LIVE_STATE_DAYS after the end, a meeting without an
// end STATE_TTL_DAYS after it began.
import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../../demo/simulator/zoom-events.ts';
import { eventIdOf } from '../../zoom/event-id.ts';
import { normalizeEvent } from '../../zoom/normalize.ts';
import type { StateEvent } from '../../zoom/types.ts';
import { meetingDoc, participantDoc } from './firestore-state-docs.ts';

const DAY = 86_400_000;
const t0 = Date.parse(MEETING.startTime);
const end = t0 + 60 * 60_000;
const states = (bodies: Record<string, unknown>[]): StateEvent[] =>
  bodies.flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );
const expiry = (doc: Record<string, unknown>): number =>
  (doc['expireAt'] as { toMillis(): number }).toMillis();
const ttl = { days: 7, endedDays: 3 };

describe('live-state documents expire', () => {
  it('an ended meeting endedDays after its end, an open one days after its start', () => {
    const events = states(sampleMeeting());
    expect(expiry(meetingDoc(MEETING.uuid, events, ttl))).toBe(end + 3 * DAY);
    const open = events.filter((e) => e.type !== 'meeting.ended');
    expect(expiry(meetingDoc(MEETING.uuid, open, ttl))).toBe(t0 + 7 * DAY);
  });

  it('a person who left endedDays after their last event, one still present days after it', () => {
    const ana = PEOPLE[0] as (typeof PEOPLE)[0];
    const joined = states([zoom.joined(MEETING, ana, t0)]);
    const left = [...joined, ...states([zoom.left(MEETING, ana, t0 + 600_000, 'left the meeting')])];
    expect(expiry(participantDoc(MEETING.uuid, ana.uuid, left, ttl))).toBe(t0 + 600_000 + 3 * DAY);
    expect(expiry(participantDoc(MEETING.uuid, ana.uuid, joined, ttl))).toBe(t0 + 7 * DAY);
  });
});
