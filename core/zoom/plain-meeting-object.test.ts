// The zod shortcut of the hot path: it returns an object only when meetingObjectSchema would return
// the same fields unchanged, and declines (so zod converts or refuses) everything else.
import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../demo/simulator/zoom-events.ts';
import { plainMeetingObject } from './plain-meeting-object.ts';
import { meetingObjectSchema } from './schemas.ts';

const objectOf = (body: Record<string, unknown>): unknown =>
  (body['payload'] as Record<string, unknown>)['object'];

describe('plainMeetingObject', () => {
  const [ana] = PEOPLE as [(typeof PEOPLE)[0]];
  const t = Date.parse(MEETING.startTime) + 60_000;
  const bodies = [
    ...sampleMeeting(),
    zoom.sharing(MEETING, ana, t, true),
    zoom.roleChanged(MEETING, ana, t, 'cohost'),
    zoom.qos(MEETING, ana, t, '900 kbps'),
    zoom.waitingRoom(MEETING, ana, t),
  ].filter((b) => !String(b['event']).startsWith('recording.') && objectOf(b) !== undefined);

  it('takes every well-typed fixture object, with exactly the fields zod returns', () => {
    for (const body of bodies) {
      const object = objectOf(body);
      const plain = plainMeetingObject(object);
      expect(plain, JSON.stringify(body)).toBeDefined();
      expect(plain).toEqual(meetingObjectSchema.parse(object));
    }
    expect(bodies.length).toBeGreaterThan(20);
  });

  it('leaves recording events (numeric id, blank end) to zod, which converts them', () => {
    const object = objectOf(zoom.recording(MEETING, 'started', t));
    expect(plainMeetingObject(object)).toBeUndefined();
    expect(meetingObjectSchema.parse(object).id).toBe(MEETING.id);
  });

  const base = objectOf(zoom.joined(MEETING, ana, t)) as Record<string, unknown>;
  const participant = base['participant'] as Record<string, unknown>;
  const declined: [string, unknown][] = [
    ['a numeric meeting id (zod makes it a string)', { ...base, id: 86431910364 }],
    ['a numeric user id', { ...base, participant: { ...participant, user_id: 16778240 } }],
    ['a blank start time (zod makes it undefined)', { ...base, start_time: ' ' }],
    ['a time that is not ISO 8601', { ...base, start_time: 'yesterday' }],
    ['an impossible date', { ...base, participant: { ...participant, join_time: '2026-13-45T99:00:00Z' } }],
    ['a null field', { ...base, host_id: null }],
    ['an empty uuid', { ...base, uuid: '' }],
    ['a participant that is an array', { ...base, participant: [] }],
    ['qos that is not an array', { ...base, participant: { ...participant, qos: {} } }],
    ['a numeric topic', { ...base, topic: 42 }],
    ['not an object', 'meeting'],
  ];
  it.each(declined)('declines %s', (_name, object) => {
    expect(plainMeetingObject(object)).toBeUndefined();
  });
});
