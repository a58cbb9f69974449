// Table tests of the stream manager's pure decisions: message plans, busy leases, back-pressure.
import { describe, expect, it } from 'vitest';
import type { RtmsQueueMessage } from '../core/zoom/types.ts';
import { judgeCapacity, planMessage, whenLeaseBusy, type Load } from './stream-plan.ts';

const msg = (kind: RtmsQueueMessage['kind'], extra: Partial<RtmsQueueMessage> = {}): RtmsQueueMessage => ({
  kind,
  eventId: 'e1',
  eventTs: 1_000_000,
  meetingUuid: 'm',
  rtmsStreamId: 's',
  serverUrls: 'wss://z/s',
  ...extra,
});
const here = { startEventId: 'e1' };

describe('planMessage', () => {
  it.each([
    ['started held here, same event (redelivery)', msg('started'), here, false, 'ignore'],
    ['started held here, new event (failover)', msg('started', { eventId: 'e2' }), here, false, 'failover'],
    ['started not held', msg('started'), undefined, false, 'claim'],
    ['started while stopping', msg('started'), undefined, true, 'defer'],
    ['started without urls', msg('started', { serverUrls: undefined }), undefined, false, 'ignore'],
    ['interrupted held here', msg('interrupted'), here, false, 'reconnect'],
    ['interrupted held here while stopping', msg('interrupted'), here, true, 'reconnect'],
    ['interrupted not held (takeover)', msg('interrupted'), undefined, false, 'claim'],
    [
      'interrupted not held, no urls',
      msg('interrupted', { serverUrls: undefined }),
      undefined,
      false,
      'ignore',
    ],
    ['stopped held here', msg('stopped', { stopReason: 6 }), here, false, 'stop'],
    ['stopped not held', msg('stopped', { stopReason: 6 }), undefined, false, 'finalize'],
    ['stopped while stopping', msg('stopped'), undefined, true, 'defer'],
  ] as const)('%s -> %s', (_name, m, h, stopping, want) => expect(planMessage(m, h, stopping).do).toBe(want));
});

describe('whenLeaseBusy', () => {
  it.each([
    ['started, fresh', msg('started'), 1_000_000 + 5_000, 'retry'],
    ['interrupted, fresh', msg('interrupted'), 1_000_000 + 119_000, 'retry'],
    ['started, old', msg('started'), 1_000_000 + 121_000, 'ack'],
    ['stopped', msg('stopped'), 1_000_000, 'ack'],
  ] as const)('%s -> %s', (_n, m, now, want) => expect(whenLeaseBusy(m, now)).toBe(want));
});

describe('judgeCapacity', () => {
  const ok: Load = {
    active: 10,
    maxStreams: 200,
    loopDelayMs: 20,
    diskBacklog: false,
    freeBytes: 10 * 1024 ** 3,
  };
  it.each([
    ['room', ok, true, ''],
    ['at max streams', { ...ok, active: 200 }, false, 'RTMS_MAX_STREAMS'],
    ['event loop saturated', { ...ok, loopDelayMs: 900 }, false, 'CPU'],
    ['disk backlog', { ...ok, diskBacklog: true }, false, 'disk saturated'],
    ['disk nearly full', { ...ok, freeBytes: 100 * 1024 ** 2 }, false, 'disk nearly full'],
    ['free space unknown', { ...ok, freeBytes: undefined }, true, ''],
  ] as const)('%s', (_n, load, want, why) => {
    const r = judgeCapacity(load);
    expect(r.ok).toBe(want);
    if (!r.ok) expect(r.why).toContain(why);
  });
});
