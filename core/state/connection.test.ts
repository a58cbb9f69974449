// The connection fold, case by case, on events shaped like Zoom's real ones: sessions, moves paired by
// the second whatever their order, lost joins, and the person key a connection keeps.
import { describe, expect, it } from 'vitest';
import { seededShuffle } from '../../test/helpers/seeded-shuffle.ts';
import type { StateEvent } from '../zoom/types.ts';
import { foldConnection, leaveKindOf, type ConnectionState } from './connection.ts';
import { secs, stateEvents, type Conn } from '../../test/helpers/state-events.ts';

const ana: Conn = { uuid: 'AAAA0001-0000-0000-0000-000000000001', name: 'Ana García' };
const ROOM = 'ROOM-1==';
const ROOM2 = 'ROOM-2==';

function sessionsOf(c: ConnectionState): [string, number | undefined, number | undefined, string][] {
  return c.sessions.map((s) => [s.room, secs(s.joinedAt), secs(s.leftAt), s.source]);
}

describe('foldConnection', () => {
  const z = stateEvents();
  const cases: {
    name: string;
    events: StateEvent[];
    status: ConnectionState['status'];
    sessions: [string, number | undefined, number | undefined, string][];
    pending?: [number, string];
  }[] = [
    {
      name: 'joined: in the main room',
      events: [z.joined(ana, 60)],
      status: 'present',
      sessions: [['main', 60, undefined, 'event']],
    },
    {
      name: 'joined and left: the leave waits a moment for a move partner',
      events: [z.joined(ana, 60), z.left(ana, 300)],
      status: 'leaving',
      sessions: [['main', 60, 300, 'event']],
      pending: [300, 'plain'],
    },
    {
      name: 'a move to a breakout room is not a leave',
      events: [
        z.joined(ana, 60),
        z.left(ana, 600, 'left the meeting to join breakout room'),
        z.joined(ana, 600, { room: ROOM }),
      ],
      status: 'present',
      sessions: [
        ['main', 60, 600, 'event'],
        [ROOM, 600, undefined, 'event'],
      ],
    },
    {
      name: 'a move whose join is stamped (event_ts) before its leave is still a move',
      events: [
        z.joined(ana, 60),
        z.joined(ana, 600, { room: ROOM, tsMs: 900 }),
        z.left(ana, 600, 'left the meeting to join breakout room', { tsMs: 1100 }),
      ],
      status: 'present',
      sessions: [
        ['main', 60, 600, 'event'],
        [ROOM, 600, undefined, 'event'],
      ],
    },
    {
      name: 'without breakout-room events, a move whose reason names a breakout room enters an unnamed room',
      events: [
        z.joined(ana, 60),
        z.joined(ana, 600),
        z.left(ana, 600, 'left the meeting to join breakout room'),
      ],
      status: 'present',
      sessions: [
        ['main', 60, 600, 'event'],
        ['?', 600, undefined, 'event'],
      ],
    },
    {
      name: 'a plain "left the meeting" with a join of the same second is a move, not an exit',
      events: [z.joined(ana, 60), z.left(ana, 600), z.joined(ana, 600)],
      status: 'present',
      sessions: [['main', 60, undefined, 'event']],
    },
    {
      name: 'back from an unnamed room to the main room',
      events: [
        z.joined(ana, 60),
        z.left(ana, 600, 'left the meeting to join breakout room'),
        z.joined(ana, 600),
        z.left(ana, 900, 'left the meeting leave breakout room to join main meeting'),
        z.joined(ana, 900),
      ],
      status: 'present',
      sessions: [
        ['main', 60, 600, 'event'],
        ['?', 600, 900, 'event'],
        ['main', 900, undefined, 'event'],
      ],
    },
    {
      name: 'first event a leave: present from the meeting start, the join time estimated',
      events: [z.left(ana, 3600)],
      status: 'leaving',
      sessions: [['main', 0, 3600, 'meeting_start']],
      pending: [3600, 'plain'],
    },
    {
      name: 'first event a move: present from the meeting start, then where the move went',
      events: [z.joined(ana, 1800), z.left(ana, 1800)],
      status: 'present',
      sessions: [['main', 0, undefined, 'meeting_start']],
    },
    {
      name: 'a leave after a leave: the first was a move whose join was lost, present since then',
      events: [
        z.joined(ana, 60),
        z.left(ana, 600),
        z.left(ana, 1200, 'got disconnected from the meeting. Reason : Client Close.'),
      ],
      status: 'leaving',
      sessions: [
        ['main', 60, 600, 'event'],
        ['main', 600, 1200, 'previous_event'],
      ],
      pending: [1200, 'exit'],
    },
    {
      name: 'a leave of a room it is not in changes nothing',
      events: [z.joined(ana, 60), z.left(ana, 300, 'left the meeting', { room: ROOM })],
      status: 'present',
      sessions: [['main', 60, undefined, 'event']],
    },
    {
      name: 'room hop: the next join ends a visit without its leave',
      events: [z.joined(ana, 60, { room: ROOM }), z.joined(ana, 240, { room: ROOM2 })],
      status: 'present',
      sessions: [
        [ROOM, 60, 240, 'event'],
        [ROOM2, 240, undefined, 'event'],
      ],
    },
    {
      name: 'leaving the meeting from a room: the meeting leave of the same second gives the reason',
      events: [
        z.joined(ana, 60, { room: ROOM }),
        z.left(ana, 300, 'join main meeting', { room: ROOM }),
        z.left(ana, 300, 'got disconnected from the meeting. Reason : Network connection error.'),
      ],
      status: 'leaving',
      sessions: [[ROOM, 60, 300, 'event']],
      pending: [300, 'exit'],
    },
    {
      name: 'waiting room is not presence',
      events: [z.waiting(ana, 30), z.admitted(ana, 60)],
      status: 'admitted',
      sessions: [],
    },
    {
      name: 'admitted, join lost, then a leave: present from the admission',
      events: [z.waiting(ana, 30), z.admitted(ana, 60), z.left(ana, 300)],
      status: 'leaving',
      sessions: [['main', 60, 300, 'previous_event']],
      pending: [300, 'plain'],
    },
    {
      name: 'put back in the waiting room ends the main session',
      events: [z.joined(ana, 60), z.putInWaitingRoom(ana, 120)],
      status: 'waiting_room',
      sessions: [['main', 60, 120, 'event']],
    },
    {
      name: 'a second join where it already is changes nothing',
      events: [z.joined(ana, 60), z.joined(ana, 60), z.left(ana, 120)],
      status: 'leaving',
      sessions: [['main', 60, 120, 'event']],
      pending: [120, 'plain'],
    },
    {
      name: 'a late main leave paired with a move into a room does not end the room visit',
      events: [z.joined(ana, 60), z.joined(ana, 120, { room: ROOM }), z.left(ana, 120)],
      status: 'present',
      sessions: [
        ['main', 60, 120, 'event'],
        [ROOM, 120, undefined, 'event'],
      ],
    },
    {
      name: 'a leave "to join breakout room" whose join never came: in an unnamed room once later events show it',
      events: [
        z.joined(ana, 60),
        z.left(ana, 600, 'left the meeting to join breakout room'),
        z.camera(ana, 700, true),
      ],
      status: 'present',
      sessions: [
        ['main', 60, 600, 'event'],
        ['?', 600, undefined, 'event'],
      ],
    },
  ];
  it.each(cases)('$name', ({ events, status, sessions, pending }) => {
    const c = foldConnection(ana.uuid, events);
    expect(c.status).toBe(status);
    expect(sessionsOf(c)).toEqual(sessions);
    expect(c.pending && [secs(c.pending.at), c.pending.kind]).toEqual(pending);
  });

  it('is the same for any arrival order and any number of copies', () => {
    const events = cases.flatMap((c) => c.events);
    const once = foldConnection(ana.uuid, events);
    for (const seed of [1, 2, 3]) {
      expect(foldConnection(ana.uuid, seededShuffle([...events, ...events, ...events], seed))).toEqual(once);
    }
  });

  it('keeps the person key of its first event that carried one: a rename does not split a person', () => {
    const c = foldConnection(ana.uuid, [
      z.joined(ana, 60),
      z.left(ana, 300, 'left the meeting', { name: 'Ana (phone)' }),
      z.joined(ana, 300, { name: 'Ana (phone)' }),
    ]);
    expect(c.person).toEqual({ match: 'n:ana garcía', value: 'Ana García' });
    expect(c.name).toBe('Ana (phone)');
  });

  it.each([
    ['the account user id', { accountUserId: 'zoomUser1', email: 'A@x.org', name: 'Ana' }, 'u:zoomUser1'],
    ['the email, case-insensitive', { email: 'Ana@Example.com', name: 'Ana' }, 'e:ana@example.com'],
    ['the display name, NFKC and case-folded', { name: '  ＡＮＡ   García ' }, 'n:ana garcía'],
  ])('person key: %s', (_n, fields, match) => {
    expect(foldConnection('k', [z.joined({ uuid: 'k', ...fields }, 10)]).person?.match).toBe(match);
  });

  it('tracks sharing, role and camera', () => {
    const c = foldConnection(ana.uuid, [z.joined(ana, 1), z.sharing(ana, 2, true), z.camera(ana, 3, true)]);
    expect(c).toMatchObject({ sharing: true, camera: 'on' });
  });
});

describe('leaveKindOf', () => {
  const z = stateEvents();
  it.each([
    ['left the meeting', 'plain'],
    ['left the meeting to join breakout room', 'to_room'],
    ['left the meeting leave breakout room to join main meeting', 'to_main'],
    ['join main meeting', 'to_main'],
    ['got disconnected from the meeting. Reason : Client Close.', 'exit'],
    ['Host ended the meeting.', 'exit'],
    ['Removed by host.', 'exit'],
  ])('"%s" is %s', (reason, kind) => {
    expect(leaveKindOf(z.left(ana, 1, reason))).toBe(kind);
  });
});
