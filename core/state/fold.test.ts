import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../demo/simulator/zoom-events.ts';
import { eventIdOf } from '../zoom/event-id.ts';
import { normalizeEvent } from '../zoom/normalize.ts';
import type { StateEvent } from '../zoom/types.ts';
import { foldConnection } from './connection.ts';
import { foldMeeting } from './fold.ts';
import { isMeetingLevel, resolveParticipant } from './route-events.ts';
import { viewMeeting } from './live-view.ts';
import { markRoster } from './person-view.ts';

const t0 = Date.parse(MEETING.startTime);
const min = 60_000;
const [ana] = PEOPLE as [(typeof PEOPLE)[0]];

// The connection fold's cases are in connection.test.ts, the persons' view in live-view.test.ts.

function states(bodies: Record<string, unknown>[]): StateEvent[] {
  return bodies.flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );
}

describe('foldMeeting and views', () => {
  const events = states(sampleMeeting());
  const meetingEvents = events.filter(isMeetingLevel);

  it('folds status, ids, topic and recording', () => {
    const m = foldMeeting(MEETING.uuid, meetingEvents);
    expect(m).toMatchObject({
      meetingId: MEETING.id,
      topic: MEETING.topic,
      status: 'ended',
      recording: 'stopped',
      startedAt: t0,
      endedAt: t0 + 60 * min,
    });
  });

  it('recording follows event time, not arrival', () => {
    const rec = states([zoom.recording(MEETING, 'started', t0), zoom.recording(MEETING, 'paused', t0 + min)]);
    expect(foldMeeting(MEETING.uuid, [...rec].reverse()).recording).toBe('paused');
  });

  it('normalised webhooks to the view: rooms named by first appearance, persons counted by room', () => {
    const keys = [...new Set(events.flatMap((e) => (e.participantKey ? [e.participantKey] : [])))];
    const mid = events.filter((e) => e.at <= t0 + 26 * min);
    const connections = keys.map((k) =>
      foldConnection(
        k,
        mid.filter((e) => e.participantKey === k),
      ),
    );
    const view = viewMeeting(
      foldMeeting(MEETING.uuid, mid.filter(isMeetingLevel)),
      connections,
      t0 + 26 * min,
    );
    markRoster(view.participants, new Set(['e:ana@example.com']));
    // Ana and Björn in Room-2 (Björn's move: plain reason, join delivered and stamped first), Chen
    // in the main room, Dee too (her join never arrived: present since the meeting start).
    expect(view.stats).toMatchObject({
      inMeeting: 4,
      main: 2,
      breakout: 2,
      byRoom: { 'Room-2': 2 },
      waitingRoom: 0,
    });
    expect(view.participants.find((p) => p.name === 'Dee Okafor')).toMatchObject({
      location: 'main',
      joinedAt: MEETING.startTime.replace('Z', '.000Z'),
      joinTime: 'meeting_start',
    });
    expect(view.meeting.recording).toBe('recording');
    const anaView = view.participants.find((p) => p.name === ana.name);
    expect(anaView).toMatchObject({ location: 'breakout', roomName: 'Room-2', rosterMatch: true });
    expect(anaView?.sessions.map((s) => s.roomName ?? s.room)).toEqual(['main', 'Room-1', 'Room-2']);
  });
});

describe('resolveParticipant', () => {
  const known = [
    { key: 'uuid-a', userIds: ['100', '1009'], names: ['Ana'] },
    { key: 'uuid-b', userIds: ['200'], names: ['Bo'] },
  ];
  const base = {
    eventId: 'x',
    type: 'meeting.sharing_started',
    action: 'SHARE_START',
    at: 0,
    ts: 0,
    meetingUuid: 'u',
  };
  it.each([
    ['its own key', { participantKey: 'uuid-z' }, 'uuid-z'],
    ['a main-room user id', { userId: '200' }, 'uuid-b'],
    ['a breakout-room user id', { userId: '1009' }, 'uuid-a'],
    ['a parent user id', { userId: '555', parentUserId: '100' }, 'uuid-a'],
    ['a name when no id matches', { userId: '999', name: 'Bo' }, 'uuid-b'],
    ['nothing yet: pending', { userId: '999', name: 'Cy' }, undefined],
  ])('resolves by %s', (_name, extra, key) => {
    expect(resolveParticipant({ ...base, ...extra }, known)).toBe(key);
  });
});
