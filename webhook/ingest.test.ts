// fanOut, after the archive write: warehouse, live state and queue in parallel, each failure or
// timeout named and logged, never thrown, and the answer never waits past downstreamTimeoutMs.
import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/log.ts';
import { silentLogger } from '../core/log.ts';
import type { IngestDeps } from './ingest.ts';
import { fanOut } from './ingest.ts';
import { normalizeEvent } from '../core/zoom/normalize.ts';
import { MEETING, PEOPLE, zoom } from '../demo/simulator/zoom-events.ts';

const body = zoom.joined(MEETING, PEOPLE[0]!, Date.parse(MEETING.startTime) + 60_000);
const n = normalizeEvent(body, {
  eventId: 'e'.repeat(32),
  gcsPath: 'raw/x',
  insertedAt: '2026-02-03T09:00:00.000Z',
});

function deps(over: Partial<IngestDeps>, logged: unknown[]): IngestDeps {
  const log = { ...silentLogger(), error: (o: unknown) => logged.push(o) } as unknown as Logger;
  return {
    warehouse: { insertEvents: async () => undefined },
    liveState: { apply: async () => undefined },
    queue: { publish: async () => undefined },
    log,
    downstreamTimeoutMs: 150,
    ...over,
  } as unknown as IngestDeps;
}

describe('fanOut', () => {
  it('names nothing when every target succeeds', async () => {
    const logged: unknown[] = [];
    expect(await fanOut(deps({}, logged), n)).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('names a failing warehouse and a live state that never answers, within the timeout', async () => {
    const logged: { target: string; err: Error }[] = [];
    const started = performance.now();
    const failures = await fanOut(
      deps(
        {
          warehouse: { insertEvents: () => Promise.reject(new Error('disk full')) } as never,
          liveState: { apply: () => new Promise(() => undefined) } as never,
        },
        logged,
      ),
      n,
    );
    const took = performance.now() - started;
    expect(failures).toEqual(['warehouse', 'live-state']);
    expect(logged.map((l) => [l.target, l.err.message])).toEqual([
      ['warehouse', 'disk full'],
      ['live-state', 'live-state did not finish within 150 ms'],
    ]);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
  });
});
