// The one router of the live-state adapters: which document each event of a batch goes to, the
// meeting's sighting once, batch-local user-id resolution before the store's lookup, waiting events.
import { describe, expect, it } from 'vitest';
import type { StateEvent } from '../zoom/types.ts';
import { routeEvents } from './route-events.ts';

const at = Date.parse('2026-02-03T09:00:00Z');
const ev = (eventId: string, fields: Partial<StateEvent>): StateEvent => ({
  eventId,
  type: 'meeting.participant_joined',
  action: 'JOIN',
  at,
  ts: at,
  meetingUuid: 'M1==',
  ...fields,
});

describe('routeEvents', () => {
  const start = ev('start', { type: 'meeting.started', action: 'MEETING_START', meetingId: '811' });
  const join = ev('join', { participantKey: 'pu-ana', userId: '16', meetingId: '811', name: 'Ana' });
  const camera = ev('cam', { type: 'meeting.rtms_video', action: 'CAMERA_ON', userId: '16' });
  const share = ev('share', { type: 'meeting.sharing_started', action: 'SHARE_START', userId: '99' });
  const stranger = ev('x', { type: 'meeting.sharing_started', action: 'SHARE_START', userId: '42' });

  it('files meeting events, one sighting per unsighted meeting, and connections by key', async () => {
    const asked: string[] = [];
    const routed = await routeEvents([start, join, camera, share, stranger], {
      isSighted: () => false,
      resolveKey: (e) => {
        asked.push(e.eventId);
        return e.userId === '99' ? 'pu-bo' : undefined;
      },
    });
    expect([...routed.meetings.keys()]).toEqual(['M1==']);
    expect(routed.meetings.get('M1==')?.map((e) => [e.eventId, e.type])).toEqual([
      ['start', 'meeting.started'],
      ['seen:M1==', 'meeting.sighted'],
    ]);
    expect([...routed.sighted]).toEqual(['M1==']);
    expect(
      [...routed.connections.entries()].map(([id, b]) => [id, b.key, b.events.map((e) => e.eventId)]),
    ).toEqual([
      ['M1==\u0000pu-ana', 'pu-ana', ['join', 'cam']],
      ['M1==\u0000pu-bo', 'pu-bo', ['share']],
    ]);
    // The camera event took Ana's key from the batch: the store was asked only about the others.
    expect(asked).toEqual(['share', 'x']);
    expect(routed.unresolved.map((e) => e.eventId)).toEqual(['x']);
  });

  it('adds no sighting for a meeting the store has sighted', async () => {
    const routed = await routeEvents([join], { isSighted: () => true, resolveKey: () => undefined });
    expect(routed.meetings.size).toBe(0);
    expect(routed.sighted.size).toBe(0);
  });

  it('awaits an asynchronous store lookup', async () => {
    const routed = await routeEvents([share], {
      isSighted: () => true,
      resolveKey: async () => Promise.resolve('pu-bo'),
    });
    expect([...routed.connections.values()].map((b) => b.key)).toEqual(['pu-bo']);
  });
});
