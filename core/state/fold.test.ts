import { describe, expect, it } from 'vitest';
import { MEETING, PEOPLE, sampleMeeting, zoom } from '../../test/fixtures/zoom-events.ts';
import { eventIdOf } from '../zoom/event-id.ts';
import { normalizeEvent } from '../zoom/normalize.ts';
import type { StateEvent } from '../zoom/types.ts';
import {
  foldMeeting,
  foldParticipant,
  isMeetingLevel,
  nameRooms,
  resolveParticipant,
  viewMeeting,
} from './fold.ts';

const t0 = Date.parse(MEETING.startTime);
const min = 60_000;
const [ana] = PEOPLE as [(typeof PEOPLE)[0]];

function states(bodies: Record<string, unknown>[]): StateEvent[] {
  return bodies.flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );
}

function foldAna(bodies: Record<string, unknown>[]) {
  return foldParticipant(
    ana.uuid,
    states(bodies).filter((e) => e.participantKey === ana.uuid),
  );
}

describe('foldParticipant', () => {
  const cases: {
    name: string;
    events: Record<string, unknown>[];
    location: string;
    sessions: [string, number, number | undefined][];
  }[] = [
    {
      name: 'joined: in the main room',
      events: [zoom.joined(MEETING, ana, t0)],
      location: 'main',
      sessions: [['main', 0, undefined]],
    },
    {
      name: 'joined and left',
      events: [zoom.joined(MEETING, ana, t0), zoom.left(MEETING, ana, t0 + 5 * min)],
      location: 'left',
      sessions: [['main', 0, 5]],
    },
    {
      name: 'a move to a breakout room is not a leave',
      events: [
        zoom.joined(MEETING, ana, t0),
        zoom.leftToBreakout(MEETING, ana, t0 + 5 * min),
        zoom.joinedRoom(MEETING, ana, 'R1', t0 + 5 * min),
      ],
      location: 'breakout',
      sessions: [
        ['main', 0, 5],
        ['R1', 5, undefined],
      ],
    },
    {
      name: 'room hop: the next join ends a visit without its leave',
      events: [zoom.joinedRoom(MEETING, ana, 'R1', t0), zoom.joinedRoom(MEETING, ana, 'R2', t0 + 3 * min)],
      location: 'breakout',
      sessions: [
        ['R1', 0, 3],
        ['R2', 3, undefined],
      ],
    },
    {
      name: 'waiting room is not presence',
      events: [zoom.waitingRoom(MEETING, ana, t0), zoom.admitted(MEETING, ana, t0 + min)],
      location: 'transit',
      sessions: [],
    },
    {
      name: 'put back in the waiting room ends the main session',
      events: [zoom.joined(MEETING, ana, t0), zoom.putInWaitingRoom(MEETING, ana, t0 + 2 * min)],
      location: 'waiting_room',
      sessions: [['main', 0, 2]],
    },
    {
      name: 'a duplicate join changes nothing',
      events: [
        zoom.joined(MEETING, ana, t0),
        zoom.joined(MEETING, ana, t0),
        zoom.left(MEETING, ana, t0 + min),
      ],
      location: 'left',
      sessions: [['main', 0, 1]],
    },
    {
      name: 'a late main leave after a move into a room does not end the room visit',
      events: [
        zoom.joined(MEETING, ana, t0),
        zoom.joinedRoom(MEETING, ana, 'R1', t0 + min),
        zoom.left(MEETING, ana, t0 + min),
      ],
      location: 'breakout',
      sessions: [
        ['main', 0, 1],
        ['R1', 1, undefined],
      ],
    },
  ];
  it.each(cases)('$name', ({ events, location, sessions }) => {
    const p = foldAna(events);
    expect(p.location).toBe(location);
    expect(
      p.sessions.map((s) => [
        s.room,
        (s.joinedAt - t0) / min,
        s.leftAt === undefined ? undefined : (s.leftAt - t0) / min,
      ]),
    ).toEqual(sessions);
  });

  it('is the same for any arrival order and any number of copies', () => {
    const events = states(sampleMeeting());
    const once = foldParticipant(
      ana.uuid,
      events.filter((e) => e.participantKey === ana.uuid),
    );
    const shuffled = [...events, ...events, ...events].sort(() => Math.random() - 0.5);
    expect(
      foldParticipant(
        ana.uuid,
        shuffled.filter((e) => e.participantKey === ana.uuid),
      ),
    ).toEqual(once);
  });

  it('tracks sharing, role and RTMS camera events', () => {
    const p = foldParticipant('k', [
      { eventId: 'a', type: 't', action: 'SHARE_START', at: 1, ts: 1, meetingUuid: 'u', participantKey: 'k' },
      {
        eventId: 'b',
        type: 't',
        action: 'ROLE_CHANGE',
        at: 2,
        ts: 2,
        meetingUuid: 'u',
        participantKey: 'k',
        role: 'co-host',
      },
      {
        eventId: 'c',
        type: 't',
        action: 'VIDEO_ON',
        at: 3,
        ts: 3,
        meetingUuid: 'u',
        participantKey: 'k',
        userId: '7',
      },
    ]);
    expect(p).toMatchObject({ sharing: true, role: 'co-host', camera: 'on', userIds: ['7'] });
  });
});

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

  it('names rooms by first appearance and counts people by room', () => {
    const keys = [...new Set(events.flatMap((e) => (e.participantKey ? [e.participantKey] : [])))];
    const mid = events.filter((e) => e.at <= t0 + 26 * min);
    const participants = keys.map((k) =>
      foldParticipant(
        k,
        mid.filter((e) => e.participantKey === k),
      ),
    );
    const rooms = nameRooms(participants);
    expect([...rooms.entries()]).toEqual([
      ['ROOM-AAAA==', 'Room-1'],
      ['ROOM-BBBB==', 'Room-2'],
    ]);
    const view = viewMeeting(
      foldMeeting(MEETING.uuid, mid.filter(isMeetingLevel)),
      participants,
      t0 + 26 * min,
      new Set(['ana@example.com']),
    );
    expect(view.stats).toMatchObject({
      inMeeting: 3,
      main: 1,
      breakout: 2,
      byRoom: { 'Room-2': 2 },
      waitingRoom: 0,
    });
    expect(view.meeting.recording).toBe('recording');
    const anaView = view.participants.find((p) => p.key === ana.uuid);
    expect(anaView).toMatchObject({ location: 'breakout', roomName: 'Room-2', rosterMatch: true });
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
