// BigQuery's refusal of DML over rows still in the streaming buffer: recognised, retried with an
// injected clock and sleep (no real waiting), given up past the deadline with an error naming the
// table and when the buffer should have flushed. The engine runs with the real client against
// test/servers/bigquery-jobs-server.ts, which refuses DML jobs the way BigQuery does (HTTP 400 on
// getQueryResults, the job DONE with the error).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startBigQueryJobsServer,
  streamingBufferMessage,
  type BigQueryJobsServer,
} from '../../../test/servers/bigquery-jobs-server.ts';
import { createLogger, silentLogger, type Logger } from '../../log.ts';
import type { Statement } from '../../warehouse/sql-engine.ts';
import { createFileArchive } from '../local/file-archive.ts';
import { createBigQueryEngine } from './bigquery-engine.ts';
import {
  isStreamingBufferError,
  retryWhileStreamingBuffer,
  streamingBufferTable,
  StreamingBufferTimeoutError,
} from './streaming-buffer.ts';

const MESSAGE =
  'UPDATE or DELETE statement over table demo.zt_prod.raw_events would affect rows in the streaming buffer, which is not supported';

function memoryLog(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return {
    log: createLogger({ level: 'info', format: 'json' }, dest),
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A clock that only moves when slept on. */
function fakeTime(start: number): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  slept: number[];
} {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('isStreamingBufferError', () => {
  it('recognises BigQuery’s message wherever the client puts it, and nothing else', () => {
    expect(streamingBufferMessage('demo.zt_prod.raw_events')).toBe(MESSAGE);
    expect(isStreamingBufferError(new Error(MESSAGE))).toBe(true);
    // An ApiError: the message, and the same in errors[].
    const api = Object.assign(new Error(MESSAGE), {
      code: 400,
      errors: [{ message: MESSAGE, reason: 'invalidQuery' }],
    });
    expect(isStreamingBufferError(api)).toBe(true);
    expect(isStreamingBufferError({ errors: [{ message: MESSAGE }] })).toBe(true);
    expect(isStreamingBufferError(new Error('job failed', { cause: new Error(MESSAGE) }))).toBe(true);
    expect(
      isStreamingBufferError(
        new Error(
          "UPDATE or DELETE statement over table 'table_name' would affect rows in the streaming buffer, which is not supported.",
        ),
      ),
    ).toBe(true);
    expect(
      isStreamingBufferError(
        new Error(
          'TRUNCATE DML statement over table p.d.t would affect rows in the streaming buffer, which is not supported',
        ),
      ),
    ).toBe(true);
    expect(streamingBufferTable(api)).toBe('demo.zt_prod.raw_events');
    expect(
      streamingBufferTable(
        new Error("UPDATE or DELETE statement over table 'x.y' would affect rows in the streaming buffer"),
      ),
    ).toBe('x.y');
    for (const other of [
      new Error('Syntax error: Unexpected ";" at [1:5]'),
      new Error('Exceeded rate limits: too many table update operations for this table'),
      'streaming buffer',
      undefined,
      null,
      42,
    ])
      expect(isStreamingBufferError(other)).toBe(false);
  });
});

describe('retryWhileStreamingBuffer', () => {
  it('throws any other error at once, without waiting', async () => {
    const time = fakeTime(0);
    let calls = 0;
    await expect(
      retryWhileStreamingBuffer(
        async () => {
          calls++;
          throw new Error('Access Denied: Table demo:zt_prod.raw_events');
        },
        { waitMs: 1000, deadlineMs: 10_000, log: silentLogger(), ...time },
      ),
    ).rejects.toThrow('Access Denied: Table demo:zt_prod.raw_events');
    expect(calls).toBe(1);
    expect(time.slept).toEqual([]);
  });

  it('returns what the work returns once it gets through', async () => {
    const time = fakeTime(0);
    let calls = 0;
    const result = await retryWhileStreamingBuffer(
      async () => {
        if (++calls < 3) throw new Error(MESSAGE);
        return 'done';
      },
      { waitMs: 60_000, deadlineMs: 600_000, log: silentLogger(), ...time },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(time.slept).toEqual([60_000, 60_000]);
  });
});

describe('replaceRows on raw_events through the BigQuery engine, while the streaming buffer is in the way', () => {
  let server: BigQueryJobsServer;
  let dir: string;
  beforeAll(async () => {
    server = await startBigQueryJobsServer();
    dir = await mkdtemp(join(tmpdir(), 'bq-buffer-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.jobs.length = 0;
    server.loads.length = 0;
    server.dropped.length = 0;
    server.refuseDmlOverStreamingBuffer('raw_events', 0);
  });

  const engine = () =>
    createBigQueryEngine({
      projectId: 'demo',
      dataset: 'zt_prod',
      bucket: 'bkt',
      location: 'EU',
      apiEndpoint: server.url,
      archive: createFileArchive(dir),
      log: silentLogger(),
    });
  const where: Statement = { sql: 'participant_email = @e', params: { e: 'zoe.muller@example.org' } };
  const T0 = Date.parse('2026-03-14T10:00:00.000Z');

  it('the refusal reaches the caller as BigQuery sends it: HTTP 400, the message, reason invalidQuery', async () => {
    server.refuseDmlOverStreamingBuffer('raw_events', 1);
    const err = await engine()
      .replaceRows('raw_events', where, [])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({
      code: 400,
      message: MESSAGE,
      errors: [{ message: MESSAGE, domain: 'global', reason: 'invalidQuery' }],
    });
    expect(isStreamingBufferError(err)).toBe(true);
    expect(server.jobs.map((j) => j.refused)).toEqual([MESSAGE]);
    // Only DML on that table is refused: the next job, and DML on other tables, go through.
    server.refuseDmlOverStreamingBuffer('raw_events', 1);
    await engine().replaceRows('roster', { sql: 'roster_id = @r', params: { r: 'R-1' } }, []);
    await engine().query('SELECT COUNT(*) AS n FROM zt_prod.raw_events', {});
    expect(server.jobs.slice(1).map((j) => j.refused)).toEqual([undefined, undefined]);
  });

  it('retries twice, waiting and logging each time, then succeeds with the same script', async () => {
    server.refuseDmlOverStreamingBuffer('raw_events', 2);
    const time = fakeTime(T0);
    const { log, lines } = memoryLog();
    const result = await retryWhileStreamingBuffer(() => engine().replaceRows('raw_events', where, []), {
      waitMs: 5 * 60_000,
      deadlineMs: 90 * 60_000,
      log,
      ...time,
    });
    expect(result).toEqual({ bytesProcessed: 0 });
    expect(time.slept).toEqual([300_000, 300_000]);
    expect(server.jobs.map((j) => j.refused)).toEqual([MESSAGE, MESSAGE, undefined]);
    // Each attempt: its own staging load, the same DELETE + INSERT (but the staging name), dropped after.
    expect(server.loads).toHaveLength(3);
    const scripts = server.jobs.map((j) => j.query.replace(/raw_events_staging_[0-9a-f]{8}/g, 'STAGING'));
    expect(new Set(scripts).size).toBe(1);
    expect(scripts[0]).toMatch(
      /^BEGIN TRANSACTION;\nDELETE FROM zt_prod\.raw_events WHERE participant_email = @e;\nINSERT INTO zt_prod\.raw_events \(event_id, [^)]+\)\nSELECT [^;]+ FROM zt_prod\.STAGING;\nCOMMIT TRANSACTION;$/,
    );
    expect(server.jobs.map((j) => j.params)).toEqual(
      Array(3).fill({ e: { type: 'STRING', value: 'zoe.muller@example.org' } }),
    );
    expect(server.dropped).toHaveLength(3);
    expect(
      lines().map(({ level, message, table, attempt, waitMs, elapsedMs, flushBy }) => ({
        level,
        message,
        table,
        attempt,
        waitMs,
        elapsedMs,
        flushBy,
      })),
    ).toEqual([
      {
        level: 'warn',
        message: 'rows still in the BigQuery streaming buffer: waiting before trying again',
        table: 'demo.zt_prod.raw_events',
        attempt: 1,
        waitMs: 300_000,
        elapsedMs: 0,
        flushBy: '2026-03-14T11:30:00.000Z',
      },
      {
        level: 'warn',
        message: 'rows still in the BigQuery streaming buffer: waiting before trying again',
        table: 'demo.zt_prod.raw_events',
        attempt: 2,
        waitMs: 300_000,
        elapsedMs: 300_000,
        flushBy: '2026-03-14T11:30:00.000Z',
      },
    ]);
  });

  it('gives up past the deadline with an error naming the table and when the buffer should have flushed', async () => {
    server.refuseDmlOverStreamingBuffer('raw_events', Infinity);
    const time = fakeTime(T0);
    const err = await retryWhileStreamingBuffer(() => engine().replaceRows('raw_events', where, []), {
      waitMs: 10 * 60_000,
      deadlineMs: 25 * 60_000,
      log: silentLogger(),
      ...time,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamingBufferTimeoutError);
    expect((err as Error).message).toBe(
      'BigQuery still refuses to change rows of demo.zt_prod.raw_events: they are in its streaming buffer ' +
        '(rows streamed by tabledata.insertAll) after 4 attempts over 1500 s. The buffer flushes within ' +
        "90 minutes of a row's insert: rows streamed before 2026-03-14T10:00:00.000Z should have flushed by " +
        '2026-03-14T11:30:00.000Z; run again after that.',
    );
    expect(err).toMatchObject({
      table: 'demo.zt_prod.raw_events',
      flushByMs: Date.parse('2026-03-14T11:30:00.000Z'),
    });
    expect(isStreamingBufferError((err as StreamingBufferTimeoutError).cause)).toBe(true);
    // Attempts at 0, 10, 20 and 25 minutes: the last wait is cut to the deadline.
    expect(time.slept).toEqual([600_000, 600_000, 300_000]);
    expect(server.jobs.map((j) => j.refused)).toEqual([MESSAGE, MESSAGE, MESSAGE, MESSAGE]);
  });
});
