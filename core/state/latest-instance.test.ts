// The one ranking of a meeting number's instances (memory and Firestore live state, the dashboard).
import { describe, expect, it } from 'vitest';
import { compareInstances, latestInstance, type InstanceFacts } from './latest-instance.ts';

describe('latestInstance', () => {
  const items: [string, InstanceFacts][] = [
    ['ended-late', { status: 'ended', startedAt: 5_000 }],
    ['started-early', { status: 'started', startedAt: 1_000 }],
    ['unknown-by-last-event', { status: 'unknown', lastEventAt: 2_000 }],
    ['ended-early', { status: 'ended', startedAt: 500 }],
  ];
  const pick = (list: [string, InstanceFacts][]) => latestInstance(list, ([, f]) => f)?.[0];

  it('prefers an instance not known to have ended, then the latest start (else last event)', () => {
    expect(pick(items)).toBe('unknown-by-last-event');
    expect(pick(items.filter(([n]) => n !== 'unknown-by-last-event'))).toBe('started-early');
    expect(pick(items.filter(([, f]) => f.status === 'ended'))).toBe('ended-late');
  });

  it('keeps the first of equals and answers undefined for none', () => {
    const same: [string, InstanceFacts][] = [
      ['a', { status: 'started', startedAt: 1 }],
      ['b', { status: 'started', startedAt: 1 }],
    ];
    expect(pick(same)).toBe('a');
    expect(pick([])).toBeUndefined();
    expect(compareInstances({ status: 'started' }, { status: 'ended', startedAt: 9 })).toBeLessThan(0);
  });
});
