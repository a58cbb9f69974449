import { describe, expect, it } from 'vitest';
import { NonRetriableError, RowsRejectedError, TransientUpstreamError } from '../errors.ts';
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

  it('writes the rest of a batch the warehouse refuses whole for one row, without retrying it', async () => {
    const stored: string[] = [];
    let calls = 0;
    const picky: Warehouse = {
      async insertEvents(rows) {
        calls++;
        if (rows.some((r) => r.event_id === 'bad')) throw new NonRetriableError('invalid row in request');
        stored.push(...rows.map((r) => r.event_id));
      },
      health: async () => ({ ok: true, backend: 'picky' }),
      close: async () => undefined,
    };
    const wh = createBatchedWarehouse(picky, silentLogger(), { maxRows: 8, maxDelayMs: 1, retries: 3 });
    const ids = ['a', 'b', 'c', 'bad', 'd', 'e', 'f', 'g'];
    await Promise.all(ids.map((id) => wh.insertEvents([row(id)])));
    await wh.flush();
    expect(stored.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(wh.stats()).toEqual({ queued: 0, written: 7, failed: 1 });
    // Halving 8 rows down to the bad one: 1 + 2 + 2 + 2 requests, no backoff retries.
    expect(calls).toBe(7);
  });

  it('counts rows the warehouse names as refused, and the rest as written', async () => {
    const named: Warehouse = {
      async insertEvents(rows) {
        const bad = rows.filter((r) => r.event_id.startsWith('x'));
        if (bad.length > 0)
          throw new RowsRejectedError(bad.map((r) => ({ eventId: r.event_id, reason: 'invalid' })));
      },
      health: async () => ({ ok: true, backend: 'named' }),
      close: async () => undefined,
    };
    const wh = createBatchedWarehouse(named, silentLogger(), { maxDelayMs: 1 });
    await wh.insertEvents([row('a'), row('x1'), row('b'), row('x2')]);
    await wh.flush();
    expect(wh.stats()).toEqual({ queued: 0, written: 2, failed: 2 });
  });

  it('retries an outage whole (no splitting) and counts the batch failed when it lasts', async () => {
    let calls = 0;
    const down: Warehouse = {
      async insertEvents() {
        calls++;
        throw new TransientUpstreamError('unavailable');
      },
      health: async () => ({ ok: false, backend: 'down' }),
      close: async () => undefined,
    };
    const wh = createBatchedWarehouse(down, silentLogger(), { maxDelayMs: 1, retries: 1 });
    await wh.insertEvents([row('a'), row('b'), row('c')]);
    await wh.flush();
    expect(calls).toBe(2);
    expect(wh.stats()).toEqual({ queued: 0, written: 0, failed: 3 });
  });
});
