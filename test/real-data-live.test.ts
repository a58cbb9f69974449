// The live view on real Zoom webhooks: the capture named by ZOOM_REAL_WEBHOOKS (ndjson, one delivery
// a line: `received_at` and `raw`, the body Zoom sent) is posted signed, in received_at order, to the
// embedded service with its clock set to each receipt, and the view is read at moments chosen below.
// Every expected value is derived by hand from the events (derivation beside each check). The capture
// carries no license: it is read from its path, never copied into the repository.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveParticipantsView, PersonView } from '../core/state/views.ts';
import { startLocalWebhook, type LocalWebhook } from './helpers/local-webhook.ts';
import { readCapture } from './helpers/real-capture.ts';

const FILE = process.env['ZOOM_REAL_WEBHOOKS'];
if (!FILE) {
  console.error(
    'real-data-live: ZOOM_REAL_WEBHOOKS is not set; the live view on real Zoom webhooks is SKIPPED',
  );
}
const title = FILE
  ? 'live view on real Zoom webhooks (ZOOM_REAL_WEBHOOKS)'
  : 'SKIPPED (ZOOM_REAL_WEBHOOKS not set): live view on real Zoom webhooks';

/** The four meeting instances of the capture (their uuids as published). */
const APR3 = 'TESTUUID0001==';
const APR11_A = 'TESTUUID0002==';
const APR11_B = 'TESTUUID0003==';
const APR11_C = 'TESTUUID0004==';

/** Moments at which the view of one instance is read (after every delivery received by then). */
const MOMENTS: [string, string][] = [
  ['2026-04-03T17:33:09.900Z', APR3],
  ['2026-04-03T17:33:10.500Z', APR3],
  ['2026-04-03T18:44:00.000Z', APR3],
  ['2026-04-03T18:50:00.000Z', APR3],
  ['2026-04-03T19:47:58.500Z', APR3],
  ['2026-04-03T19:48:00.000Z', APR3],
  ['2026-04-03T19:49:00.000Z', APR3],
  ['2026-04-11T08:50:00.000Z', APR11_A],
  ['2026-04-11T09:52:00.000Z', APR11_A],
  ['2026-04-11T10:21:00.000Z', APR11_B],
  ['2026-04-11T15:00:00.000Z', APR11_C],
  ['2026-04-11T15:20:20.000Z', APR11_C],
  ['2026-04-11T15:30:00.000Z', APR11_C],
  ['2026-04-11T19:01:00.000Z', APR11_C],
];

const views = new Map<string, LiveParticipantsView>();
const viewAt = (at: string): LiveParticipantsView => {
  const v = views.get(at);
  if (!v) throw new Error(`no view read at ${at}`);
  return v;
};
const who = (at: string, name: string): PersonView => {
  const p = viewAt(at).participants.filter((x) => x.key === `n:${name}`);
  expect(p, `${name} at ${at}`).toHaveLength(1); // a person once, however many connections
  return p[0] as PersonView;
};
const iso = (s: string): string => new Date(s).toISOString();
const secs = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

describe.skipIf(!FILE)(title, () => {
  let hook: LocalWebhook;
  let clock = 0;

  beforeAll(async () => {
    const deliveries = await readCapture(FILE as string);
    expect(deliveries).toHaveLength(162);
    hook = await startLocalWebhook({ now: () => clock });
    const pending = [...MOMENTS];
    const readUpTo = async (until: string): Promise<void> => {
      while (pending[0] && pending[0][0] < until) {
        const [at, uuid] = pending.shift() as [string, string];
        clock = Date.parse(at);
        const view = await hook.service.backends.liveState.liveParticipants(uuid);
        if (view) views.set(at, view);
      }
    };
    for (const d of deliveries) {
      await readUpTo(d.received_at);
      clock = Date.parse(d.received_at);
      expect((await hook.post(d.raw)).status).toBe(200);
    }
    await readUpTo('9999');
  }, 120_000);
  afterAll(async () => {
    await hook?.close();
  });

  it('a move whose leave arrived first is "transit", counted in the meeting, never gone', () => {
    // 참가자02's first event (no join received) is the move at 17:33:07: the leave arrived at
    // 17:33:09.515, the join at 17:33:10.282. In between they are moving, present since the
    // meeting's start_time 10:56:58; 참가자01 too (first event: the move at 17:06:25).
    const between = '2026-04-03T17:33:09.900Z';
    expect(who(between, '참가자02')).toMatchObject({
      location: 'transit',
      joinedAt: iso('2026-04-03T10:56:58Z'),
      joinTime: 'meeting_start',
    });
    expect(viewAt(between).stats.inMeeting).toBe(2);
    expect(viewAt(between).refreshAt).toBe(iso('2026-04-03T17:33:22Z')); // 17:33:07 + 15 s
    const after = '2026-04-03T17:33:10.500Z';
    expect(who(after, '참가자02')).toMatchObject({ location: 'main', joinTime: 'meeting_start' });
    expect(who(after, '참가자02').sessions.map((s) => [s.room, s.joinedAt, s.leftAt])).toEqual([
      ['main', iso('2026-04-03T10:56:58Z'), undefined], // one stay: the move did not end it
    ]);
  });

  it('참가자03 (2026-04-03) reconnected: shown once; after the 18:44:16 move in a room until 19:47:57', () => {
    // Connection EE57CA2F: joined 17:45:15, moved 17:45:29 ("to join breakout room": a room Zoom
    // did not name), left 18:43:55 ("left the meeting"). At 18:44:00 that leave is 5 s old: it may
    // still be a move, so "transit", not gone.
    expect(who('2026-04-03T18:44:00.000Z', '참가자03').location).toBe('transit');
    // Connection 0EA4BD28: joined 18:44:05, moved 18:44:16 (its join stamped 0.26 s before its
    // leave, delivered 70 ms after it), left 19:47:57 (disconnected). Presence at 18:50:00:
    // 17:45:15→18:43:55 (3520 s) + 18:44:05→18:50:00 (355 s).
    const p = who('2026-04-03T18:50:00.000Z', '참가자03');
    expect(p).toMatchObject({
      location: 'breakout',
      roomName: 'Room-?',
      joinedAt: iso('2026-04-03T17:45:15Z'),
      joinTime: 'event',
      totalSeconds: 3520 + 355,
    });
    expect(p.connections.map((c) => [c.key.slice(0, 8), c.location])).toEqual([
      ['EE57CA2F', 'left'],
      ['0EA4BD28', 'breakout'],
    ]);
    expect(p.sessions.map((s) => [s.roomName ?? s.room, s.joinedAt, s.leftAt ?? null])).toEqual([
      ['main', iso('2026-04-03T17:45:15Z'), iso('2026-04-03T17:45:29Z')],
      ['Room-?', iso('2026-04-03T17:45:29Z'), iso('2026-04-03T18:43:55Z')],
      ['main', iso('2026-04-03T18:44:05Z'), iso('2026-04-03T18:44:16Z')],
      ['Room-?', iso('2026-04-03T18:44:16Z'), null],
    ]);
    // At 18:50: 참가자02 (main), 참가자03 (room), 참가자05 (moves at 18:48:31/47, plain: main);
    // 참가자01 left 17:51:20, 참가자04 left 18:04:18.
    expect(viewAt('2026-04-03T18:50:00.000Z').stats).toMatchObject({
      inMeeting: 3,
      main: 2,
      breakout: 1,
      byRoom: { 'Room-?': 1 },
    });
    // 참가자05's leave ("Host ended the meeting.") arrived at 19:47:58.250, 참가자03's at 19:47:59.649.
    expect(who('2026-04-03T19:47:58.500Z', '참가자03').location).toBe('breakout');
    expect(who('2026-04-03T19:47:58.500Z', '참가자05').location).toBe('left'); // an exit: gone at once
    // Disconnected at 19:47:57: gone at once, before meeting.ended (received 19:48:12) arrives.
    expect(who('2026-04-03T19:48:00.000Z', '참가자03')).toMatchObject({
      location: 'left',
      leftAt: iso('2026-04-03T19:47:57Z'),
      totalSeconds: 3520 + secs('2026-04-03T18:44:05Z', '2026-04-03T19:47:57Z'),
    });
  });

  it('a person with only a leave was present from the meeting start; join time unknown', () => {
    // 참가자15's only event: left at 14:59:06 in the instance that started at 11:56:09.
    expect(who('2026-04-11T15:00:00.000Z', '참가자15')).toMatchObject({
      location: 'left',
      joinedAt: iso('2026-04-11T11:56:09Z'),
      joinTime: 'meeting_start',
      leftAt: iso('2026-04-11T14:59:06Z'),
      totalSeconds: secs('2026-04-11T11:56:09Z', '2026-04-11T14:59:06Z'),
    });
  });

  it('a reconnect (참가자02, 2026-04-11): gone at the disconnect, then once and present', () => {
    // 530E2DEA: first event, disconnected at 15:20:13 (present since 11:56:09). 7677CEE9: joined
    // 15:20:30, moved to a room at 15:20:41.
    const gap = '2026-04-11T15:20:20.000Z';
    expect(who(gap, '참가자02').location).toBe('left');
    const at = '2026-04-11T15:30:00.000Z';
    const p = who(at, '참가자02');
    expect(p).toMatchObject({
      location: 'breakout',
      roomName: 'Room-?',
      joinedAt: iso('2026-04-11T11:56:09Z'),
      joinTime: 'meeting_start',
      totalSeconds: secs('2026-04-11T11:56:09Z', '2026-04-11T15:20:13Z') + secs('2026-04-11T15:20:30Z', at),
    });
    expect(p.connections.map((c) => [c.key.slice(0, 8), c.location])).toEqual([
      ['530E2DEA', 'left'],
      ['7677CEE9', 'breakout'],
    ]);
    const notices = viewAt(at).notices.filter((n) => n.key === 'n:참가자02');
    expect(notices.map((n) => [n.kind, n.at])).toEqual([
      ['joined', iso('2026-04-11T15:20:30Z')],
      ['left', iso('2026-04-11T15:20:13Z')],
    ]);
    // In the meeting at 15:30 (last event by then a join or a move): 참가자13, 23, 24, 04, 37, 38,
    // 39, 40 after plain moves (main), and 참가자21, 02, 03 after moves "to join breakout room".
    expect(viewAt(at).stats).toMatchObject({ inMeeting: 11, main: 8, breakout: 3, byRoom: { 'Room-?': 3 } });
  });

  it('a rename inside a connection keeps one person (참가자05 → 참가자07, 2026-04-11)', () => {
    // 2397B55B: joined 08:32:27 as 참가자05, room move 08:32:42, plain moves 08:45:15 and 08:45:45
    // (that join names it 참가자07), left 08:55:46. The person key is the first name; the name the latest.
    const p = who('2026-04-11T08:50:00.000Z', '참가자05');
    expect(p).toMatchObject({
      name: '참가자07',
      location: 'main',
      joinedAt: iso('2026-04-11T08:32:27Z'),
      totalSeconds: secs('2026-04-11T08:32:27Z', '2026-04-11T08:50:00Z'),
    });
    expect(viewAt('2026-04-11T08:50:00.000Z').participants.some((x) => x.key === 'n:참가자07')).toBe(false);
  });

  it('every instance, once ended: 57 persons on 63 connections, nobody left in the meeting', () => {
    // Distinct names per instance: 참가자01–06 (04-03); 05(→07), 06, 08, 09, 10, 11; 12; and 44 in
    // the long 04-11 instance. Connections (participant_uuids): 7, 6, 1 and 49.
    const ends: [string, number, number][] = [
      ['2026-04-03T19:49:00.000Z', 6, 7],
      ['2026-04-11T09:52:00.000Z', 6, 6],
      ['2026-04-11T10:21:00.000Z', 1, 1],
      ['2026-04-11T19:01:00.000Z', 44, 49],
    ];
    for (const [at, persons, connections] of ends) {
      const v = viewAt(at);
      expect([v.meeting.status, v.participants.length], at).toEqual(['ended', persons]);
      expect(
        v.participants.reduce((n, p) => n + p.connections.length, 0),
        at,
      ).toBe(connections);
      expect(v.stats.inMeeting, at).toBe(0);
    }
    // The short instance: meeting.started 10:20:19, 참가자12 joined 10:20:19 and left 10:20:27.
    expect(who('2026-04-11T10:21:00.000Z', '참가자12')).toMatchObject({ joinTime: 'event', totalSeconds: 8 });
  });
});
