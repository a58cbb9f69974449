// The BigQuery engine with the real @google-cloud/bigquery client against test/servers/
// bigquery-jobs-server.ts, a mock of the query-job REST API (BigQuery has no emulator). The SQL
// itself is validated by ZetaSQL in core/warehouse/bigquery-sql.test.ts; this checks what is sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { silentLogger } from '../../core/log.ts';
import { runExport, runReport } from '../../jobs/report.ts';
import { startBigQueryJobsServer, type BigQueryJobsServer } from '../servers/bigquery-jobs-server.ts';
import { createBigQueryEngine } from '../../core/adapters/gcp/bigquery-engine.ts';

describe('BigQuery engine (mock query-job API)', () => {
  let server: BigQueryJobsServer;
  let dir: string;
  beforeAll(async () => {
    server = await startBigQueryJobsServer();
    dir = await mkdtemp(join(tmpdir(), 'bq-engine-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  function engine() {
    return createBigQueryEngine({
      projectId: 'demo',
      dataset: 'zt_prod',
      bucket: 'bkt',
      location: 'EU',
      apiEndpoint: server.url,
      archive: createFileArchive(dir),
      log: silentLogger(),
    });
  }

  it('report: the reconciliation count, one transaction script (delete + insert) with typed named parameters, then a count; logs bytes', async () => {
    server.jobs.length = 0;
    server.answers.push(
      { rows: [] }, // the warehouse holds no webhook event of the dates read; the archive neither
      { rows: [], bytes: 1_234_567 },
      { rows: [{ row_count: '42' }], types: { row_count: 'INT64' } },
    );
    const now = Date.parse('2026-02-05T06:00:00Z');
    const summary = await runReport(
      {
        engine: engine(),
        archive: createFileArchive(dir),
        log: silentLogger(),
        timeZone: 'Europe/Berlin',
        dataset: 'zt_prod',
        now: () => now,
      },
      { date: '2026-02-03' },
    );
    expect(summary).toMatchObject({ rows: 42, bytesProcessed: 1_234_567 });
    const [reconcile, script, count] = server.jobs;
    expect(reconcile?.query).toMatch(/FROM zt_prod\.raw_events\n[\s\S]*GROUP BY event_date/);
    expect(reconcile?.params).toEqual({
      window_from: { type: 'STRING', value: '2026-02-01' },
      window_to: { type: 'STRING', value: '2026-02-04' },
    });
    expect(script?.query).toMatch(
      /^BEGIN TRANSACTION;\n-- Removes one day[\s\S]*DELETE FROM zt_prod\.daily_reports[\s\S]*INSERT INTO zt_prod\.daily_reports \(report_date, [\s\S]*FROM zt_prod\.raw_events_dedup[\s\S]*;\nCOMMIT TRANSACTION;$/,
    );
    expect(script?.query).not.toMatch(/zoom_tracker\./);
    expect(script?.useLegacySql).toBe(false);
    expect(script?.location).toBe('EU');
    expect(script?.params).toEqual({
      report_date: { type: 'STRING', value: '2026-02-03' },
      day_start_ms: { type: 'INT64', value: String(Date.parse('2026-02-02T23:00:00Z')) },
      day_end_ms: { type: 'INT64', value: String(Date.parse('2026-02-03T23:00:00Z')) },
      scan_from: { type: 'STRING', value: '2026-02-02' },
      scan_to: { type: 'STRING', value: '2026-02-03' },
      window_start_ms: { type: 'INT64', value: String(Date.parse('2026-02-01T23:00:00Z')) },
      window_end_ms: { type: 'INT64', value: String(Date.parse('2026-02-04T23:00:00Z')) },
      window_from: { type: 'STRING', value: '2026-02-01' },
      window_to: { type: 'STRING', value: '2026-02-04' },
      now_ms: { type: 'INT64', value: String(now) },
    });
    expect(count?.query).toMatch(/SELECT COUNT\(\*\) AS row_count FROM zt_prod\.daily_reports/);
  });

  it("export: EXPORT DATA to the day's single CSV shard in the bucket", async () => {
    server.jobs.length = 0;
    server.answers.push(
      { rows: [{ row_count: '3' }], types: { row_count: 'INT64' } },
      { rows: [], bytes: 999 },
    );
    const summary = await runExport(
      { engine: engine(), log: silentLogger(), timeZone: 'UTC', dataset: 'zt_prod' },
      { date: '2026-02-03' },
    );
    expect(summary).toMatchObject({
      rows: 3,
      key: 'reports/DAILY_REPORT_2026-02-03_000000000000.csv',
      bytesProcessed: 999,
    });
    expect(server.jobs[1]?.query).toMatch(
      /^EXPORT DATA OPTIONS \(uri = 'gs:\/\/bkt\/reports\/DAILY_REPORT_2026-02-03_\*\.csv', format = 'CSV', overwrite = true, header = true/,
    );
    expect(server.jobs[1]?.params).toEqual({ report_date: { type: 'STRING', value: '2026-02-03' } });
  });

  it('export: the object EXPORT DATA wrote is written again with a UTF-8 byte-order mark, once', async () => {
    const key = 'reports/DAILY_REPORT_2026-02-04_000000000000.csv';
    const archive = createFileArchive(dir);
    const exported = Buffer.from('report_date,participant_name\n2026-02-04,García\n', 'utf8');
    await archive.put(key, exported, 'text/csv'); // what EXPORT DATA leaves in the bucket
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), exported]);
    for (let run = 0; run < 2; run++) {
      server.answers.push(
        { rows: [{ row_count: '1' }], types: { row_count: 'INT64' } },
        { rows: [], bytes: 10 },
      );
      const summary = await runExport(
        { engine: engine(), log: silentLogger(), timeZone: 'UTC', dataset: 'zt_prod' },
        { date: '2026-02-04' },
      );
      expect(await archive.get(key)).toEqual(withBom);
      expect(summary.bytes).toBe(withBom.length);
    }
  });

  it('query returns plain rows', async () => {
    server.answers.push({
      rows: [{ meeting_uuid: 'm==', event_count: '7' }],
      types: { event_count: 'INT64' },
    });
    const { rows } = await engine().query('SELECT 1', {});
    expect(rows).toEqual([{ meeting_uuid: 'm==', event_count: 7 }]);
  });
});
