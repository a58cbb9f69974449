// The QoS camera backfill against a local server speaking Zoom's OAuth and Dashboard QoS endpoints
// (pagination, 429 + Retry-After, token replaced → 401 code 124, 5xx, no Dashboard, unknown
// meetings), writing camera_minutes in an in-memory DuckDB; plus the pure parsing and limiter.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { silentLogger } from '../../core/log.ts';
import type { Archive } from '../../core/ports.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import { DAY, MEETING, moves, row } from '../../test/jobs/event-rows.ts';
import { line } from '../../test/jobs/run-report.ts';
import {
  startZoomApiServer,
  type ZoomApiKnobs,
  type ZoomApiServer,
} from '../../test/servers/zoom-api-server.ts';
import { dayWindow, reportParams } from '../../core/warehouse/day-window.ts';
import { readSql } from '../../core/warehouse/sql-files.ts';
import { createQosClient, DashboardUnavailableError } from './qos-client.ts';
import { parseBitrateKbps, qosRows } from './qos-parse.ts';
import { BudgetExhaustedError, createRateLimiter, retryAfterMs } from './rate-limiter.ts';
import { markerKey, runBackfill } from './run-backfill.ts';
import { registerKey, registeredRedactor, writeRegisters } from '../../core/privacy/erasure-register.ts';
import { emptyTarget } from '../../core/privacy/erasure-target.ts';
import { createPseudonyms } from '../../core/privacy/pseudonym.ts';
import { createTokenSource } from './zoom-token.ts';

const SLASHED = '/ab//cd+ef==';
const GONE = 'gone-meeting==';
const creds = { accountId: 'acc-1', clientId: 'cid', clientSecret: 'secret' };

function qosParticipant(i: number): unknown {
  return {
    participant_uuid: `P-${String(i).padStart(2, '0')}`,
    user_id: String(1000 + i),
    user_name: `Person ${i}`,
    email: '',
    user_qos: [
      {
        date_time: `${DAY}T09:01:00Z`,
        video_input: {
          bitrate: i % 2 === 0 ? '812.5 kbps' : '0 kbps',
          resolution: '1280*720',
          frame_rate: '12 fps',
        },
      },
      { date_time: `${DAY}T09:02:00Z`, video_input: {} },
    ],
  };
}

const participants: Record<string, unknown[]> = {
  [MEETING]: Array.from({ length: 23 }, (_, i) => qosParticipant(i)),
  [SLASHED]: [
    {
      user_name: 'Guest',
      user_qos: [
        { date_time: `${DAY}T10:00:00Z`, video_input: { bitrate: '1.2 Mbps' } },
        { date_time: '', video_input: {} },
      ],
    },
    { user_qos: [] },
  ],
};

describe('backfill-camera against a local Zoom API', () => {
  let dir: string;
  let archive: Archive;
  let engine: SqlEngine;
  let zoom: ZoomApiServer;
  const log = silentLogger();

  async function start(knobs: ZoomApiKnobs = {}): Promise<void> {
    zoom = await startZoomApiServer({ ...creds, participants }, knobs);
  }

  function deps(opts: { budget?: number } = {}) {
    const tokens = createTokenSource({ tokenUrl: zoom.tokenUrl, ...creds });
    const limiter = createRateLimiter({ perSecond: 50, budget: opts.budget ?? 1000 });
    const client = createQosClient({
      baseUrl: zoom.baseUrl,
      tokens,
      limiter,
      sleep: () => Promise.resolve(),
    });
    return { engine, archive, client, limiter, log, timeZone: 'UTC', tokens };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backfill-'));
    archive = createFileArchive(join(dir, 'gcs'));
    engine = await createDuckDbEngine({ path: ':memory:', archive });
    await engine.replaceWebhookEvents(DAY, [
      ...moves('P-00', 'Person 0', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE'],
      ]),
      row({ at: '10:00', action: 'JOIN', name: 'Guest', meeting: SLASHED }),
      row({ at: '11:00', action: 'JOIN', name: 'Ghost', meeting: GONE }),
    ]);
  });
  afterEach(async () => {
    await zoom?.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every page (type=past, page_size 10, double-encoded UUIDs) through a 429 and a replaced token, with one token per run plus one refresh', async () => {
    await start({ rateLimitFirst: 1, invalidateTokenAfter: 2 });
    const d = deps();
    const summary = await runBackfill(d, { date: DAY });
    expect(summary).toMatchObject({
      meetings: 3,
      completed: 2,
      notAvailable: 1,
      failed: 0,
      minutes: 23 * 2 + 1,
    });
    expect(zoom.tokenRequests).toBe(2);
    expect(d.tokens.requests()).toBe(2);
    expect(zoom.qosCalls.every((c) => c.query['type'] === 'past' && c.query['page_size'] === '10')).toBe(
      true,
    );
    const tokensOfMeeting = zoom.qosCalls
      .filter((c) => c.meeting === encodeURIComponent(MEETING))
      .map((c) => c.query['next_page_token'] ?? '');
    expect([...new Set(tokensOfMeeting)]).toEqual(['', '10', '20']);
    expect(zoom.qosCalls.some((c) => c.meeting === encodeURIComponent(SLASHED))).toBe(true);

    const { rows } = await engine.query<{ n: number; on: number }>(
      'SELECT COUNT(*) AS n, SUM(CASE WHEN camera_on THEN 1 ELSE 0 END) AS on FROM zoom_tracker.camera_minutes',
      {},
    );
    expect(rows[0]).toEqual({ n: 47, on: 13 });
    const report = await engine.query(
      readSql('queries/daily_report.sql'),
      reportParams(dayWindow(DAY, 'UTC')),
    );
    // QoS minutes reach the person through the connection (participant_uuid P-00); the key is the name.
    expect(report.rows.filter((r) => r['participant_key'] === 'Person 0').map(line)).toEqual([
      'Person 0 no-room on=1 off=9 pct=10 next=- | 09:00:00-09:10:00 10 | qos',
    ]);
  });

  it('pseudonymises a person erased from the meeting before storing what Zoom sends again', async () => {
    await start();
    const pseudonyms = createPseudonyms('backfill-erasure-secret');
    const target = emptyTarget();
    target.meetings.set(MEETING, {
      connections: new Set(['P-03']),
      participantIds: new Set(['1003']),
      names: new Set(['Person 3']),
      comparableNames: new Set(['person 3']),
    });
    await writeRegisters(archive, target, pseudonyms);
    const register = await archive.get(registerKey(MEETING));
    expect(register?.toString()).not.toMatch(/Person 3|P-03|1003/);
    await runBackfill(
      { ...deps(), erasures: (m) => registeredRedactor(archive, m, pseudonyms) },
      { date: DAY },
    );
    const { rows } = await engine.query<Record<string, unknown>>(
      `SELECT participant_key, participant_uuid, participant_id, participant_name FROM zoom_tracker.camera_minutes
       WHERE meeting_uuid = @m AND participant_name IN ('Person 2', @pseudo_name) ORDER BY participant_name, interval_start`,
      { m: MEETING, pseudo_name: pseudonyms.of('name', 'Person 3') },
    );
    expect(rows.map((r) => Object.values(r))).toEqual([
      ['P-02', 'P-02', '1002', 'Person 2'],
      ['P-02', 'P-02', '1002', 'Person 2'],
      ...[1, 2].map(() => [
        pseudonyms.of('connection', 'P-03'),
        pseudonyms.of('connection', 'P-03'),
        pseudonyms.of('participant', '1003'),
        pseudonyms.of('name', 'Person 3'),
      ]),
    ]);
    const page = (await archive.get(markerKey(DAY, MEETING)))?.toString() ?? '';
    expect(page).toContain('Person 22');
    expect(page).not.toMatch(/Person 3\b|P-03|"1003"/);
  });

  it('is resumable: a rerun skips meetings already complete or not available', async () => {
    await start();
    await runBackfill(deps(), { date: DAY });
    const calls = zoom.qosCalls.length;
    const again = await runBackfill(deps(), { date: DAY });
    expect(again).toMatchObject({ alreadyComplete: 3, completed: 0, apiCalls: 0 });
    expect(zoom.qosCalls.length).toBe(calls);
    expect(JSON.parse((await archive.get(markerKey(DAY, GONE)))?.toString() ?? '{}')).toMatchObject({
      status: 'not_available',
    });
  });

  it('retries 5xx answers', async () => {
    await start({ serverErrorsFirst: 2 });
    expect(await runBackfill(deps(), { date: DAY })).toMatchObject({ completed: 2, failed: 0 });
  });

  it('a plan without the Dashboard stops the run with a clear message', async () => {
    await start({ dashboardDisabled: true });
    const err = await runBackfill(deps(), { date: DAY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DashboardUnavailableError);
    expect((err as Error).message).toMatch(
      /cannot use the Dashboard QoS API \(needs a Business plan or higher/,
    );
    expect(zoom.qosCalls).toHaveLength(1);
  });

  it('a missing scope (403) stops the run naming the scope', async () => {
    await start({ forbidden: true });
    await expect(runBackfill(deps(), { date: DAY })).rejects.toThrow(
      /dashboard:read:list_meeting_participants_qos:admin/,
    );
  });

  it('stops at the daily budget, and the next run resumes', async () => {
    await start();
    await expect(runBackfill(deps({ budget: 2 }), { date: DAY })).rejects.toBeInstanceOf(
      BudgetExhaustedError,
    );
    const resumed = await runBackfill(deps(), { date: DAY });
    expect(resumed.completed + resumed.notAvailable + resumed.alreadyComplete).toBe(3);
  });

  it('bad credentials give a clear reason', async () => {
    await start();
    const tokens = createTokenSource({ tokenUrl: zoom.tokenUrl, ...creds, clientSecret: 'wrong' });
    await expect(tokens.get()).rejects.toThrow(/refused the Server-to-Server credentials/);
  });
});

describe('QoS parsing', () => {
  it.each([
    ['27.15 kbps', 27.15],
    ['1.2 Mbps', 1200],
    ['0 kbps', 0],
    ['812', 812],
    ['', null],
    [undefined, null],
    ['fast', null],
    ['3,5 kbps', 3.5],
  ])('bitrate %j → %j', (input, expected) => {
    expect(parseBitrateKbps(input)).toBe(expected);
  });

  it('keys by uuid, else email, else name; skips keyless participants and undated samples; empty video is no camera', () => {
    const parsed = qosRows(
      [
        {
          email: 'a@x.org',
          user_qos: [
            { date_time: `${DAY}T09:00:00Z`, video_input: { bitrate: '100 kbps' } },
            { date_time: `${DAY}T09:00:00Z`, video_input: { bitrate: '' } },
          ],
        },
        { user_name: 'Phone', user_qos: [{ date_time: `${DAY}T09:01:00Z` }, { video_input: {} }] },
        { user_qos: [{ date_time: `${DAY}T09:00:00Z` }] },
        'garbage',
      ],
      { meetingUuid: MEETING, meetingId: null, insertedAt: '2026-02-04T00:00:00.000Z' },
    );
    expect(
      parsed.rows.map((r) => [r.participant_key, r.interval_start, r.camera_on, r.video_bitrate_kbps]),
    ).toEqual([
      ['a@x.org', '2026-02-03T09:00:00.000Z', true, 100],
      ['Phone', '2026-02-03T09:01:00.000Z', false, null],
    ]);
    expect(parsed).toMatchObject({ skippedParticipants: 2, skippedSamples: 1 });
  });
});

describe('rate limiter and tokens', () => {
  it('spaces Heavy calls to the configured rate and honours a pause', async () => {
    let t = 0;
    const waits: number[] = [];
    const limiter = createRateLimiter({
      perSecond: 2,
      budget: 10,
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    });
    await limiter.acquire();
    await limiter.acquire();
    limiter.pauseUntil(t + 5000);
    await limiter.acquire();
    expect(waits).toEqual([500, 5000]);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(retryAfterMs(null, 0)).toBe(1000);
  });

  it('renews the token a minute before it expires', async () => {
    let now = 0;
    let calls = 0;
    const fakeFetch = (async () =>
      new Response(JSON.stringify({ access_token: `t${++calls}`, expires_in: 120 }), {
        status: 200,
      })) as typeof fetch;
    const tokens = createTokenSource({
      tokenUrl: 'http://127.0.0.1:1/oauth/token',
      ...creds,
      fetch: fakeFetch,
      now: () => now,
    });
    expect(await tokens.get()).toBe('t1');
    now = 59_000;
    expect(await tokens.get()).toBe('t1');
    now = 61_000;
    expect(await tokens.get()).toBe('t2');
    expect(tokens.requests()).toBe(2);
  });

  it('fetches one token for concurrent callers (single flight) and caches it', async () => {
    let calls = 0;
    const fakeFetch = (async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return new Response(JSON.stringify({ access_token: `t${calls}`, expires_in: 3600 }), { status: 200 });
    }) as typeof fetch;
    const tokens = createTokenSource({
      tokenUrl: 'http://127.0.0.1:1/oauth/token',
      ...creds,
      fetch: fakeFetch,
    });
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(['t1', 't1', 't1']);
    expect(await tokens.get()).toBe('t1');
    expect(await Promise.all([tokens.refresh('t1'), tokens.refresh('t1')])).toEqual(['t2', 't2']);
    expect(calls).toBe(2);
  });
});
