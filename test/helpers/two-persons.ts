// The live-state erasure scenario both stores' tests share: Ana (host; reconnects with a new
// participant_uuid, visits a breakout room) and Ben, in three deliveries, and a pure pseudonymising
// map of Ana's values like the one the erasure passes to LiveState.rewrite.
import type { StateEvent } from '../../core/zoom/types.ts';
import { stateEvents } from './state-events.ts';

const ROOM = 'room-uuid-7';

/** Ana (host; reconnects with a new participant_uuid, visits a breakout room) and Ben, in three deliveries. */
export function twoPersons(): StateEvent[][] {
  const z = stateEvents();
  const ana1 = {
    uuid: 'ana-uuid-1',
    name: 'Ana Quintero',
    email: 'ana.quintero@example.com',
    accountUserId: 'acct-ana-77',
    userId: '16778240',
  };
  const ana2 = { ...ana1, uuid: 'ana-uuid-2', userId: '16780288' };
  const anaRoom = { ...ana2, userId: '33554432' };
  const ben = {
    uuid: 'ben-uuid-1',
    name: 'Ben Okafor',
    email: 'ben.okafor@example.com',
    accountUserId: 'acct-ben-12',
    userId: '16779264',
  };
  /** An RTMS event that names only a per-meeting id. */
  const bare = (e: StateEvent, userId: string): StateEvent => ({
    eventId: e.eventId,
    type: e.type,
    action: e.action,
    at: e.at,
    ts: e.ts,
    meetingUuid: e.meetingUuid,
    userId,
  });
  return [
    [
      { ...z.started(0), hostId: 'acct-ana-77', topic: 'Weekly sync' },
      z.joined(ana1, 60),
      z.joined(ben, 70),
      bare(z.camera(ben, 100, true), '16779264'),
      z.left(ana1, 300, 'Ana Quintero left the meeting. Reason : Client Close.'),
      z.joined(ana2, 330),
    ],
    [
      z.left(ana2, 600, 'left the meeting to join breakout room'),
      { ...z.joined(anaRoom, 600, { room: ROOM, tsMs: -200 }), parentUserId: '16780288' },
      bare(z.camera(anaRoom, 650, true), '33554432'),
      z.sharing(ben, 700, true),
    ],
    [
      z.left(anaRoom, 900, 'join main meeting', { room: ROOM }),
      z.joined({ ...ana2, userId: '16781312' }, 900),
      bare(z.camera(ana2, 950, false), '99887766'), // nobody known has this id: it waits
    ],
  ];
}

/** Ana's values and their pseudonyms (the erasure's function is a pure map like this one). */
export const PSEUDONYMS = new Map([
  ['Ana Quintero', 'Person 7f3a'],
  ['ana.quintero@example.com', 'p-7f3a@erased.invalid'],
  ['acct-ana-77', 'u-7f3a'],
  ['ana-uuid-1', 'pu-7f3a-1'],
  ['ana-uuid-2', 'pu-7f3a-2'],
  ['16778240', 'e-7f3a-1'],
  ['16780288', 'e-7f3a-2'],
  ['33554432', 'e-7f3a-3'],
  ['16781312', 'e-7f3a-4'],
  ['99887766', 'e-7f3a-5'],
]);
const FIELDS = [
  'name',
  'email',
  'accountUserId',
  'userId',
  'parentUserId',
  'participantUuid',
  'participantKey',
  'hostId',
] as const;
export function pseudonymise(e: StateEvent): StateEvent {
  const out: StateEvent = { ...e };
  for (const f of FIELDS) {
    const p = e[f] === undefined ? undefined : PSEUDONYMS.get(e[f]);
    if (p !== undefined) out[f] = p;
  }
  if (e.leaveReason !== undefined) out.leaveReason = e.leaveReason.replaceAll('Ana Quintero', 'Person 7f3a');
  return out;
}
export const touchesAna = (e: StateEvent): boolean =>
  FIELDS.some((f) => e[f] !== undefined && PSEUDONYMS.has(e[f])) || /Ana Quintero/.test(e.leaveReason ?? '');
