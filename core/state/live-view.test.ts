// The live view built from folded connections: persons (a reconnect once and present), presence
// from the meeting start when the join is lost, moves never shown as gone, a disconnect gone at
// once, the late flag, notices, counts, and the same view for any delivery order.
import { describe, expect, it } from 'vitest';
import { seededShuffle } from '../../test/helpers/seeded-shuffle.ts';
import type { StateEvent } from '../zoom/types.ts';
import { foldConnection } from './connection.ts';
import { foldMeeting } from './fold.ts';
import { isMeetingLevel } from './route-events.ts';
import { viewMeeting, type ViewOptions } from './live-view.ts';
import { markRoster } from './person-view.ts';
import { MOVE_GRACE_MS } from './settle.ts';
import { MEETING_UUID, stateEvents, T0, type Conn } from '../../test/helpers/state-events.ts';

const s = (sec: number): number => T0 + sec * 1000;
const iso = (sec: number): string => new Date(s(sec)).toISOString();
const ana1: Conn = { uuid: 'A-1', name: 'Ana García' };
const ana2: Conn = { uuid: 'A-2', name: 'ana  garcía' }; // the same person, reconnected
const bo: Conn = { uuid: 'B-1', name: 'Bo' };
const cy: Conn = { uuid: 'C-1', name: 'Cy' };
const ROOM = 'ROOM-1==';

/** The view at `atSec` of the events that happened by then. */
function view(all: StateEvent[], atSec: number, opts: ViewOptions = {}) {
  const events = all.filter((e) => e.at <= s(atSec));
  const byKey = new Map<string, StateEvent[]>();
  for (const e of events) {
    if (isMeetingLevel(e)) continue;
    const key = e.participantKey as string;
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  const connections = [...byKey].map(([k, list]) => foldConnection(k, list));
  return viewMeeting(foldMeeting(MEETING_UUID, events.filter(isMeetingLevel)), connections, s(atSec), opts);
}
const person = (v: ReturnType<typeof view>, name: string) =>
  v.participants.find((p) => p.name?.toLowerCase().includes(name.toLowerCase()));

describe('persons in the live view', () => {
  const z = stateEvents();
  const reconnect = [
    z.started(0),
    z.joined(ana1, 60),
    z.left(ana1, 600, 'got disconnected from the meeting. Reason : Client Close.'),
    z.joined(ana2, 640),
    z.joined(bo, 120),
  ];

  it('a reconnect shows the person once and present, with both connections', () => {
    const v = view(reconnect, 900);
    expect(v.participants.map((p) => p.key)).toEqual(['n:ana garcía', 'n:bo']);
    const ana = person(v, 'ana');
    expect(ana).toMatchObject({
      location: 'main',
      joinedAt: iso(60),
      joinTime: 'event',
      totalSeconds: 540 + 260,
      connections: [
        { key: 'A-1', location: 'left', joinedAt: iso(60), leftAt: iso(600), totalSeconds: 540 },
        { key: 'A-2', location: 'main', joinedAt: iso(640), totalSeconds: 260 },
      ],
    });
    expect(ana?.sessions.map((x) => [x.connection, x.joinedAt, x.leftAt])).toEqual([
      ['A-1', iso(60), iso(600)],
      ['A-2', iso(640), undefined],
    ]);
    expect(v.stats).toMatchObject({ inMeeting: 2, main: 2 });
  });

  it('a disconnected person is gone at once and not counted in the meeting', () => {
    const v = view(reconnect, 601);
    expect(person(v, 'ana')).toMatchObject({ location: 'left', leftAt: iso(600) });
    expect(v.stats.inMeeting).toBe(1);
    expect(v.refreshAt).toBeUndefined();
  });

  it('join and leave notices, newest first; a reconnect is a leave and a join', () => {
    expect(view(reconnect, 900).notices).toEqual([
      { at: iso(640), kind: 'joined', key: 'n:ana garcía', name: 'ana  garcía' },
      { at: iso(600), kind: 'left', key: 'n:ana garcía', name: 'ana  garcía' },
      { at: iso(120), kind: 'joined', key: 'n:bo', name: 'Bo' },
      { at: iso(60), kind: 'joined', key: 'n:ana garcía', name: 'ana  garcía' },
    ]);
  });

  it('two connections of one person at once count once', () => {
    const v = view([z.started(0), z.joined(ana1, 60), z.joined(ana2, 120), z.left(ana2, 300)], 600);
    expect(person(v, 'ana')).toMatchObject({ location: 'main', totalSeconds: 540 });
  });

  it('a person with only a leave was present from the meeting start, join time unknown', () => {
    const v = view([z.joined(bo, 100), z.left(cy, 3000)], 3600);
    expect(person(v, 'Cy')).toMatchObject({
      location: 'left',
      joinedAt: iso(0),
      joinTime: 'meeting_start',
      leftAt: iso(3000),
      totalSeconds: 3000,
      sessions: [{ joinedAt: iso(0), joinTime: 'meeting_start', leftAt: iso(3000), durationSeconds: 3000 }],
    });
    expect(person(v, 'Cy')?.late).toBeUndefined(); // unknown, never "late"
    expect(v.notices).toEqual([
      { at: iso(3000), kind: 'left', key: 'n:cy', name: 'Cy' },
      { at: iso(100), kind: 'joined', key: 'n:bo', name: 'Bo' },
    ]);
  });
});

describe('moves in the live view', () => {
  const z = stateEvents();
  const before = [z.started(0), z.joined(ana1, 60)];
  const leave = z.left(ana1, 600, 'left the meeting to join breakout room');
  const join = z.joined(ana1, 600, { room: ROOM, tsMs: 900 });

  it('a move is never shown as gone, whichever half arrives first', () => {
    for (const halves of [[leave], [join], [leave, join], [join, leave]]) {
      const v = view([...before, ...halves], 602);
      expect(v.stats.inMeeting, halves.map((h) => h.action).join('+')).toBe(1);
      expect(person(v, 'Ana')?.location).not.toBe('left');
    }
    expect(person(view([...before, join, leave], 602), 'Ana')).toMatchObject({
      location: 'breakout',
      roomName: 'Room-1',
      totalSeconds: 542,
    });
  });

  it('a leave alone is "transit" only for the grace time, then its reason decides', () => {
    const pending = view([...before, leave], 602);
    expect(person(pending, 'Ana')?.location).toBe('transit');
    expect(pending.refreshAt).toBe(new Date(s(600) + MOVE_GRACE_MS).toISOString());
    const later = view([...before, leave], 600 + MOVE_GRACE_MS / 1000);
    expect(person(later, 'Ana')).toMatchObject({ location: 'breakout', roomName: 'Room-?' });
    expect(later.stats.byRoom).toEqual({ 'Room-?': 1 });

    const plain = [...before, z.left(ana1, 600)];
    expect(person(view(plain, 605), 'Ana')?.location).toBe('transit');
    expect(person(view(plain, 600 + MOVE_GRACE_MS / 1000), 'Ana')).toMatchObject({
      location: 'left',
      leftAt: iso(600),
      totalSeconds: 540,
    });
  });

  it('rooms are named by first appearance and counted per room', () => {
    const v = view(
      [
        ...before,
        z.joined(bo, 60),
        z.joined(cy, 60),
        z.left(bo, 300, 'left the meeting to join breakout room'),
        z.joined(bo, 300, { room: 'ROOM-B==' }),
        z.left(cy, 310, 'left the meeting to join breakout room'),
        z.joined(cy, 310, { room: 'ROOM-A==' }),
      ],
      900,
    );
    expect(v.stats).toMatchObject({
      inMeeting: 3,
      main: 1,
      breakout: 2,
      byRoom: { 'Room-1': 1, 'Room-2': 1 },
    });
    expect(person(v, 'Bo')).toMatchObject({ roomUuid: 'ROOM-B==', roomName: 'Room-1' });
    expect(person(v, 'Cy')).toMatchObject({ roomUuid: 'ROOM-A==', roomName: 'Room-2' });
  });
});

describe('late flag, camera and roster', () => {
  it.each([
    ['scheduled, joined 6 min after the start', 2, 360, true],
    ['scheduled, joined 4 min after the start', 8, 240, false],
    ['instant meeting: no schedule, no flag', 1, 360, undefined],
  ])('%s', (_n, type, joinSec, late) => {
    const z = stateEvents({ type });
    const v = view([z.started(0), z.joined(bo, joinSec)], 900, { lateAfterMins: 5 });
    expect(person(v, 'Bo')?.late).toBe(late);
    expect(v.meeting.scheduled).toBe(type !== 1);
  });

  it('no camera or sharing on a person who left; the meeting end closes everyone', () => {
    const z = stateEvents();
    const events = [z.started(0), z.joined(bo, 60), z.camera(bo, 70, true), z.sharing(bo, 80, true)];
    expect(view(events, 100).stats).toMatchObject({ cameraOn: 1, sharing: 1 });
    const gone = view([...events, z.left(bo, 200, 'Removed by host.')], 300);
    expect(person(gone, 'Bo')).toMatchObject({ location: 'left', camera: 'off', sharing: false });
    expect(gone.stats).toMatchObject({ cameraOn: 0, sharing: 0 });
    const ended = view([...events, z.ended(500)], 900);
    expect(person(ended, 'Bo')).toMatchObject({ location: 'left', camera: 'off', totalSeconds: 440 });
    expect(ended.notices.map((n) => n.kind)).toEqual(['joined']); // the end is not a leave notice
  });

  it('marks roster members by email, else by normalised name (markRoster, at the API edge)', () => {
    const z = stateEvents();
    const v = view(
      [z.joined(bo, 60), z.joined({ uuid: 'D-1', name: 'Dee', email: 'DEE@x.org' }, 60), z.joined(cy, 60)],
      100,
    );
    markRoster(v.participants, new Set(['n:bo', 'e:dee@x.org']));
    expect(v.participants.map((p) => [p.name, p.rosterMatch])).toEqual([
      ['Bo', true],
      ['Cy', false],
      ['Dee', true],
    ]);
  });
});

describe('order independence', () => {
  it('the same view for any arrival order and any number of copies', () => {
    const z = stateEvents();
    const events = [
      z.started(0),
      z.joined(ana1, 60),
      z.left(ana1, 300, 'left the meeting to join breakout room'),
      z.joined(ana1, 300, { room: ROOM, tsMs: 800 }),
      z.left(ana1, 500, 'got disconnected from the meeting. Reason : Client Close.', { room: ROOM }),
      z.joined(ana2, 520),
      z.left(bo, 400),
      z.joined(bo, 400),
      z.left(cy, 700),
    ];
    const once = view(events, 800);
    for (const seed of [3, 5, 8])
      expect(view(seededShuffle([...events, ...events], seed), 800)).toEqual(once);
  });
});
