// Which instance a meeting number means: Zoom reuses a meeting id for every occurrence of a
// recurring meeting, each with its own UUID. One ranking for the adapters and the dashboard.

export interface InstanceFacts {
  status: 'started' | 'ended' | 'unknown';
  /** Epoch ms of the start, if known. */
  startedAt?: number;
  /** Epoch ms of the latest event, used when the start is not known. */
  lastEventAt?: number;
}

/** Not ended before ended (a meeting whose end was not seen may still run), then the latest start. */
export function compareInstances(a: InstanceFacts, b: InstanceFacts): number {
  const liveA = a.status !== 'ended';
  const liveB = b.status !== 'ended';
  if (liveA !== liveB) return liveA ? -1 : 1;
  return timeOf(b) - timeOf(a);
}

function timeOf(m: InstanceFacts): number {
  return m.startedAt ?? m.lastEventAt ?? 0;
}

/** The instance to show among several of one meeting number (the first of equals), or undefined. */
export function latestInstance<T>(items: Iterable<T>, factsOf: (item: T) => InstanceFacts): T | undefined {
  let best: T | undefined;
  let bestFacts: InstanceFacts | undefined;
  for (const item of items) {
    const facts = factsOf(item);
    if (bestFacts === undefined || compareInstances(facts, bestFacts) < 0) {
      best = item;
      bestFacts = facts;
    }
  }
  return best;
}
