// The demo's meeting, as Zoom really delivers it (pure): a timeline of webhook deliveries in meeting
// minutes (waiting room, breakout rooms opened, hopped and closed as same-second leave+join moves in
// either order, sharing, recording, a late joiner, a disconnect and rejoin on a new connection, a
// lost join, a duplicate), the RTMS stream's camera events, and a roster for the attendance report.
import { createHash } from 'node:crypto';
import {
  move,
  reconnected,
  zoom,
  type MeetingRef,
  type MoveOpts,
  type Person,
  type Place,
} from './simulator/zoom-events.ts';

export interface Step {
  /** Meeting minute at which these deliveries are sent. */
  at: number;
  say: string;
  deliveries: Record<string, unknown>[];
  /** Start the RTMS stream here (its rtms_started webhook is sent by the demo). */
  rtms?: true;
}

export interface DemoMeeting {
  meeting: MeetingRef;
  /** Every connection (a rejoin is a new one, with a new participant_uuid and user_id). */
  people: Person[];
  steps: Step[];
  /** Minutes the meeting lasts. */
  minutes: number;
  /** RTMS stream: how long it runs (meeting minutes) and its video on/off events (8 on, 9 off). */
  rtms: {
    streamId: string;
    fromMin: number;
    minutes: number;
    camera: { atMin: number; on: boolean; who: Person }[];
  };
  rosterCsv: string;
}

const person = (name: string, email: string, uuid: string, userId: string): Person => ({
  name,
  email,
  uuid,
  userId,
});

export const DEMO_PEOPLE: Person[] = [
  person('Ana García', 'ana@example.com', 'D444CD06-2ABB-2FCC-019B-39E41D8DADF7', '16778240'),
  person('Björn Ek', 'bjorn@example.com', 'A1B2C3D4-0000-1111-2222-333344445555', '16779264'),
  person('Chen Wei', 'chen@example.com', 'F0E1D2C3-9999-8888-7777-666655554444', '16780288'),
  person('Dara Okafor', 'dara@example.com', 'B7C8D9E0-1111-2222-3333-444455556666', '16781312'),
  person('Eli Cohen', 'eli@example.com', 'C1D2E3F4-5555-6666-7777-888899990000', '16782336'),
  person('Finn Late', 'finn@example.com', 'E9F8A7B6-aaaa-bbbb-cccc-ddddeeeeffff', '16783360'),
];

/** The meeting, starting at `startMs` (a real instant: the demo's clock runs compressed from it). */
export function demoMeeting(startMs: number): DemoMeeting {
  const m: MeetingRef = {
    id: '85012345678',
    // A new meeting instance per run (as Zoom does), so reruns in one DATA_DIR do not mix.
    uuid: createHash('sha256').update(`demo-${startMs}`).digest().subarray(0, 16).toString('base64'),
    topic: 'Demo: tutorial with breakout rooms',
    hostId: 'demo-host-0001',
    startTime: new Date(startMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const [ana, bjorn, chen, dara, eli, finn] = DEMO_PEOPLE as [Person, Person, Person, Person, Person, Person];
  const dara2 = reconnected(dara); // Dara after her disconnect: a new connection
  const t = (min: number): number => startMs + Math.round(min * 60_000);
  const roomA = 'DemoRoomA+aaaa==';
  const roomB = 'DemoRoomB+bbbb==';
  // Zoom issues a new user_id on every hop: hop n of a connection carries its base id + n.
  const id = (p: Person, hop: number): string => String(Number(p.userId) + hop);
  const hop = (p: Person, n: number, min: number, from: Place, to: Place, o: Partial<MoveOpts> = {}) =>
    move(m, p, t(min), { from, to, fromUserId: id(p, n - 1), toUserId: id(p, n), ...o });
  const A: Place = { room: roomA };
  const B: Place = { room: roomB };
  const steps: Step[] = [
    {
      at: 0,
      say: 'meeting starts; Ana (host) joins; RTMS stream starts',
      rtms: true,
      deliveries: [zoom.meetingStarted(m, t(0)), zoom.joined(m, ana, t(0))],
    },
    {
      at: 0.5,
      say: 'Björn and Chen wait in the waiting room',
      deliveries: [zoom.waitingRoom(m, bjorn, t(0.5)), zoom.waitingRoom(m, chen, t(0.5))],
    },
    {
      at: 1,
      say: 'Björn and Chen admitted; Dara joins; Eli is in too, but his join is lost on the way',
      deliveries: [
        zoom.admitted(m, bjorn, t(1)),
        zoom.joined(m, bjorn, t(1)),
        zoom.admitted(m, chen, t(1)),
        zoom.joined(m, chen, t(1)),
        zoom.joined(m, dara, t(1.2)),
        // Eli joined at 1.4, but Zoom's delivery never arrived: he shows from the meeting start.
      ],
    },
    {
      at: 1.5,
      say: "a duplicate delivery of Dara's join (Zoom retries)",
      deliveries: [zoom.joined(m, dara, t(1.2))],
    },
    {
      at: 2,
      say: 'cloud recording starts; Ana shares her screen',
      deliveries: [zoom.recording(m, 'started', t(2)), zoom.sharing(m, ana, t(2), true)],
    },
    {
      at: 4,
      say: 'Ana stops sharing; breakout rooms open: Björn+Chen in Room-1, Dara+Eli in Room-2',
      deliveries: [
        zoom.sharing(m, ana, t(4), false),
        // Moves as Zoom sends them: a leave and a join of the same second, in either order, the
        // leave reason often a plain "left the meeting", the join sometimes stamped first.
        ...hop(bjorn, 1, 4, 'main', A, { plainReason: true, joinFirst: true, joinStampedFirst: true }),
        ...hop(chen, 1, 4.05, 'main', A),
        ...hop(dara, 1, 4.1, 'main', B, { plainReason: true }),
        ...hop(eli, 1, 4.15, 'main', B, { joinFirst: true }),
      ],
    },
    { at: 6, say: 'Finn joins late', deliveries: [zoom.joined(m, finn, t(6))] },
    {
      at: 6.5,
      say: 'Finn goes to Room-1 (deliveries out of order)',
      deliveries: hop(finn, 1, 6.5, 'main', A, { joinFirst: true }),
    },
    {
      at: 8,
      say: 'Chen hops from Room-1 to Room-2',
      deliveries: hop(chen, 2, 8, A, B),
    },
    {
      at: 9,
      say: 'Dara disconnects',
      deliveries: [
        zoom.leftRoom(m, dara, roomB, t(9), id(dara, 1)),
        zoom.left(m, dara, t(9), 'got disconnected from the meeting.', { userId: id(dara, 1) }),
      ],
    },
    {
      at: 10,
      say: 'Dara rejoins (a new connection) and returns to Room-2',
      deliveries: [zoom.joined(m, dara2, t(10)), ...hop(dara2, 1, 10.3, 'main', B)],
    },
    { at: 11, say: 'recording paused', deliveries: [zoom.recording(m, 'paused', t(11))] },
    {
      at: 12,
      say: 'rooms close: everyone back in the main room',
      deliveries: [
        ...hop(bjorn, 2, 12, A, 'main', { joinFirst: true }),
        ...hop(chen, 3, 12, B, 'main'),
        ...hop(dara2, 2, 12, B, 'main', { joinFirst: true }),
        ...hop(eli, 2, 12, B, 'main'),
        ...hop(finn, 2, 12, A, 'main'),
      ],
    },
    {
      at: 12.5,
      say: 'recording resumes; Björn shares',
      deliveries: [zoom.recording(m, 'resumed', t(12.5)), zoom.sharing(m, bjorn, t(12.5), true)],
    },
    {
      at: 15,
      say: 'Björn stops sharing; Eli leaves early',
      deliveries: [
        zoom.sharing(m, bjorn, t(15), false),
        zoom.left(m, eli, t(15), 'left the meeting', { userId: id(eli, 2) }),
      ],
    },
    {
      at: 17,
      say: 'recording stops; people leave',
      deliveries: [
        zoom.recording(m, 'stopped', t(17)),
        zoom.left(m, chen, t(17), 'left the meeting', { userId: id(chen, 3) }),
        zoom.left(m, dara2, t(17.2), 'left the meeting', { userId: id(dara2, 2) }),
        zoom.left(m, finn, t(17.4), 'left the meeting', { userId: id(finn, 2) }),
        zoom.left(m, bjorn, t(17.6), 'left the meeting', { userId: id(bjorn, 2) }),
      ],
    },
    {
      at: 18,
      say: 'Ana leaves; the meeting ends',
      deliveries: [zoom.left(m, ana, t(18)), zoom.meetingEnded(m, t(18))],
    },
  ];
  return {
    meeting: m,
    people: [...DEMO_PEOPLE, dara2],
    steps,
    minutes: 18,
    rtms: {
      streamId: `demo-stream-${startMs}`,
      fromMin: 0,
      minutes: 17.8,
      camera: [
        { atMin: 0.2, on: true, who: ana },
        { atMin: 1.1, on: true, who: bjorn },
        { atMin: 1.1, on: true, who: chen },
        { atMin: 1.5, on: true, who: eli },
        { atMin: 5, on: false, who: chen },
        { atMin: 7, on: true, who: chen },
        { atMin: 9.5, on: false, who: bjorn },
        { atMin: 10.5, on: true, who: dara2 },
        { atMin: 13, on: true, who: bjorn },
      ],
    },
    rosterCsv:
      [
        'email,first name,last name,id,department',
        'ana@example.com,Ana,García,S-001,Tutors',
        'bjorn@example.com,Björn,Ek,S-002,Physics',
        'chen@example.com,Chen,Wei,S-003,Physics',
        'dara@example.com,Dara,Okafor,S-004,Chemistry',
        'eli@example.com,Eli,Cohen,S-005,Chemistry',
        'finn@example.com,Finn,Late,S-006,Biology',
        'gus@example.com,Gus,Absent,S-007,Biology',
      ].join('\n') + '\n',
  };
}
