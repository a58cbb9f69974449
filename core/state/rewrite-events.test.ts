// The rewrite helpers shared by the live-state stores: what counts as a change, what a rewrite may
// not change, the key a connection gets, and the rewrite of folded state (compacted meetings).
import { describe, expect, it } from 'vitest';
import { MEETING_UUID, stateEvents, T0 } from '../../test/helpers/state-events.ts';
import type { StateEvent } from '../zoom/types.ts';
import { foldConnection } from './connection.ts';
import { foldMeeting } from './fold.ts';
import {
  rewriteConnectionState,
  rewriteEvent,
  rewriteList,
  rewriteMeetingState,
  rewrittenKey,
  sameEvent,
} from './rewrite-events.ts';

const MAP = new Map([
  ['Ana', 'P1'],
  ['ana@example.com', 'p1@erased.invalid'],
  ['acct-ana', 'u-p1'],
  ['ana-1', 'pu-p1'],
  ['101', 'e-1'],
  ['102', 'e-2'],
]);
const swap = (e: StateEvent): StateEvent => {
  const out: StateEvent = { ...e };
  for (const f of [
    'name',
    'email',
    'accountUserId',
    'userId',
    'participantUuid',
    'participantKey',
    'hostId',
  ] as const) {
    const v = e[f];
    if (v !== undefined && MAP.has(v)) out[f] = MAP.get(v);
  }
  return out;
};
const ana = {
  uuid: 'ana-1',
  name: 'Ana',
  email: 'ana@example.com',
  accountUserId: 'acct-ana',
  userId: '101',
};

describe('rewrite helpers', () => {
  it('counts a field set to undefined as absent, and any other difference as a change', () => {
    const e = stateEvents().joined(ana, 60);
    expect(sameEvent(e, { ...e, role: undefined })).toBe(true);
    expect(sameEvent(e, { ...e, name: 'Ana ' })).toBe(false);
    expect(sameEvent(e, { ...e, role: 'host' })).toBe(false);
    const changed = new Set<string>();
    const bo: StateEvent = {
      ...e,
      eventId: 'other',
      participantKey: 'bo-1',
      participantUuid: 'bo-1',
      name: 'Bo',
      userId: '7',
      accountUserId: undefined,
      email: undefined,
    };
    const out = rewriteList([e, bo], swap, changed);
    expect([...changed]).toEqual([e.eventId]);
    expect(out[1]).not.toHaveProperty('email');
  });

  it('refuses a rewrite that changes the event id or the meeting', () => {
    const e = stateEvents().joined(ana, 60);
    expect(() => rewriteEvent(e, (x) => ({ ...x, eventId: 'x' }))).toThrow(
      `a state-event rewrite must keep eventId and meetingUuid (event ${e.eventId})`,
    );
    expect(() => rewriteEvent(e, (x) => ({ ...x, meetingUuid: 'x' }))).toThrow(
      /keep eventId and meetingUuid/,
    );
  });

  it("takes a connection's new key from its own keyed events, else from the key alone", () => {
    const z = stateEvents();
    const keyed = z.joined(ana, 60);
    const bare: StateEvent = {
      eventId: 'b',
      type: 't',
      action: 'VIDEO_ON',
      at: T0,
      ts: T0,
      meetingUuid: MEETING_UUID,
      userId: '101',
    };
    expect(rewrittenKey('ana-1', [bare, keyed], [swap(bare), swap(keyed)], swap, MEETING_UUID)).toBe('pu-p1');
    expect(rewrittenKey('ana-1', [bare], [swap(bare)], swap, MEETING_UUID)).toBe('pu-p1');
    expect(rewrittenKey('someone', [bare], [swap(bare)], swap, MEETING_UUID)).toBe('someone');
  });

  it('rewrites folded state as folding the rewritten events would give', () => {
    const z = stateEvents();
    const events = [
      { ...z.started(0), hostId: 'acct-ana' },
      z.joined(ana, 60),
      z.camera({ ...ana, userId: '102' }, 90, true),
      z.left(ana, 300),
    ];
    const connection = events.slice(1);
    expect(rewriteConnectionState(MEETING_UUID, foldConnection('ana-1', connection), swap)).toEqual(
      foldConnection('pu-p1', connection.map(swap)),
    );
    expect(rewriteMeetingState(foldMeeting(MEETING_UUID, events), swap)).toEqual(
      foldMeeting(MEETING_UUID, events.map(swap)),
    );
    // A person known by name only keeps a name-based person key, rewritten.
    const guest = [z.joined({ uuid: 'g-1', name: 'Ana' }, 60)];
    expect(rewriteConnectionState(MEETING_UUID, foldConnection('g-1', guest), swap)).toEqual(
      foldConnection('g-1', guest.map(swap)),
    );
  });
});
