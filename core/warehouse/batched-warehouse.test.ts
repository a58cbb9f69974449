import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import type { Warehouse } from '../ports.ts';
import { createBatchedWarehouse } from './batched-warehouse.ts';
import type { RawEventRow } from './raw-events.ts';

/** An in-memory Warehouse that records its batches (a fake of our own port, no external system). */
function recorder(failTimes = 0): Warehouse & { batches: string[][] } {
  let failures = failTimes;
  const batches: string[][] = [];
  return {
    batches,
    async insertEvents(rows) {
      await new Promise((r) => setTimeout(r, 5));
      if (failures-- > 0) throw new Error('down');
      batches.push(rows.map((r) => r.event_id));
    },
    health: async () => ({ ok: true, backend: 'recorder' }),
    close: async () => undefined,
  };
}

const row = (id: string) => ({ event_id: id }) as RawEventRow;

describe('createBatchedWarehouse', () => {
  it('collects concurrent rows into batches of at most maxRows', async () => {
    const inner = recorder();
    const wh = createBatchedWarehouse(inner, silentLogger(), { maxRows: 3, maxDelayMs: 10 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => wh.insertEvents([row(id)])));
    await wh.flush();
    expect(inner.batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(wh.stats()).toEqual({ queued: 0, written: 5, failed: 0 });
  });

  it('returns before the write by default, and waits for it with awaitWrite', async () => {
    const lazy = recorder();
    await createBatchedWarehouse(lazy, silentLogger(), { maxDelayMs: 50 }).insertEvents([row('x')]);
    expect(lazy.batches).toEqual([]);
    const eager = recorder();
    await createBatchedWarehouse(eager, silentLogger(), { maxDelayMs: 5, awaitWrite: true }).insertEvents([
      row('y'),
    ]);
    expect(eager.batches).toEqual([['y']]);
  });

  it('retries a failed batch, then gives up and counts it without throwing', async () => {
    const flaky = recorder(1);
    const wh = createBatchedWarehouse(flaky, silentLogger(), { maxDelayMs: 1, retries: 2 });
    await wh.insertEvents([row('r')]);
    await wh.flush();
    expect(flaky.batches).toEqual([['r']]);
    const dead = recorder(99);
    const wh2 = createBatchedWarehouse(dead, silentLogger(), { maxDelayMs: 1, retries: 0 });
    await wh2.insertEvents([row('z')]);
    await wh2.flush();
    expect(wh2.stats()).toMatchObject({ written: 0, failed: 1 });
  });

  it('applies back-pressure when too many rows wait', async () => {
    const inner = recorder();
    const wh = createBatchedWarehouse(inner, silentLogger(), {
      maxRows: 2,
      maxBuffered: 3,
      maxDelayMs: 1000,
    });
    await wh.insertEvents([row('1'), row('2')]);
    await wh.insertEvents([row('3'), row('4')]); // over maxBuffered: waits for the flush
    expect(inner.batches.flat()).toContain('3');
  });
});
