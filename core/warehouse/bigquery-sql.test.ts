// The BigQuery SQL of sql/, validated offline: raw_events DDL equals RAW_EVENT_COLUMNS, and every
// DDL, view, report, export, delete and load statement resolves in Google's ZetaSQL analyzer
// (local gRPC server from @fivetrandevelopers/zetasql) against the tables of sql/ddl.
// BigQuery itself has no emulator: nothing here talks to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_EVENT_COLUMNS } from './raw-events.ts';
import {
  deleteCameraMinutesSql,
  deleteWebhookEventsSql,
  exportDataSql,
  insertFromStagingSql,
} from '../adapters/gcp/bigquery-engine.ts';
import { REPORT_COLUMNS, exportKey } from './report-contract.ts';
import { startBigQueryValidator, type BigQueryValidator } from '../../test/helpers/zetasql.ts';
import { datasetSchema, parseCreateTable } from './bigquery-schema.ts';
import { readSql, tableDdls, viewDdls } from './sql-files.ts';

const REPORT_PARAMS = {
  report_date: 'STRING',
  day_start_ms: 'INT64',
  day_end_ms: 'INT64',
  scan_from: 'STRING',
  scan_to: 'STRING',
  window_start_ms: 'INT64',
  window_end_ms: 'INT64',
  window_from: 'STRING',
  window_to: 'STRING',
  now_ms: 'INT64',
};

describe('DDL', () => {
  it('raw_events has exactly the columns of RAW_EVENT_COLUMNS, in order, with types and modes', () => {
    const { columns } = parseCreateTable(tableDdls().get('raw_events') ?? '');
    expect(columns).toEqual(
      RAW_EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.type, required: c.mode === 'REQUIRED' })),
    );
  });

  it('daily_reports has the report columns in order (then join_time_source, meeting_topic)', () => {
    const { columns } = parseCreateTable(tableDdls().get('daily_reports') ?? '');
    expect(columns.map((c) => c.name)).toEqual([...REPORT_COLUMNS]);
  });

  it('every table is partitioned by a date and clustered by meeting (roster: by email)', () => {
    for (const [table, ddl] of tableDdls()) {
      if (table === 'roster') expect(ddl).toMatch(/CLUSTER BY email/);
      else {
        expect(ddl, table).toMatch(/PARTITION BY \w+_date\b/);
        expect(ddl, table).toMatch(/CLUSTER BY meeting_uuid/);
      }
    }
  });
});

describe('ZetaSQL analysis', () => {
  let v: BigQueryValidator;
  beforeAll(async () => {
    v = await startBigQueryValidator('zoom_tracker', datasetSchema());
  }, 60_000);
  afterAll(() => v?.close());

  it('rejects an unknown column (the analyzer is real)', async () => {
    await expect(v.analyze('SELECT no_such_column FROM zoom_tracker.raw_events')).rejects.toThrow(
      /Unrecognized name: no_such_column/,
    );
  });

  it('rejects a type mismatch in the report insert', async () => {
    await expect(
      v.analyze("INSERT INTO zoom_tracker.daily_reports (report_date) SELECT 'x'"),
    ).rejects.toThrow();
  });

  it.each([...tableDdls().keys()])('CREATE TABLE %s resolves', async (table) => {
    const ddl = tableDdls().get(table) ?? '';
    expect(await v.analyze(ddl.replace(/\bzoom_tracker\.(\w+)/, 'zoom_tracker.$1_new'))).toMatch(/Create/);
  });

  it.each(viewDdls().map((s, i) => [i, s]))('view %i resolves', async (_i, view) => {
    expect(await v.analyze(String(view))).toMatch(/Create/);
  });

  it('the daily report resolves as an INSERT into daily_reports (types match the table)', async () => {
    const sql = `INSERT INTO zoom_tracker.daily_reports (${REPORT_COLUMNS.join(', ')})\n${readSql('queries/daily_report.sql')}`;
    expect(await v.analyze(sql, REPORT_PARAMS)).toMatch(/Insert/);
  });

  it('the export query resolves, alone and inside EXPORT DATA', async () => {
    const select = readSql('queries/export_daily_report.sql');
    expect(await v.analyze(select, { report_date: 'STRING' })).toMatch(/Query/);
    expect(
      await v.analyze(exportDataSql(select, 'bucket', exportKey('2026-02-03')), { report_date: 'STRING' }),
    ).toMatch(/Export/);
  });

  it('delete, count and load statements resolve', async () => {
    expect(await v.analyze(readSql('queries/delete_daily_report.sql'), { report_date: 'STRING' })).toMatch(
      /Delete/,
    );
    expect(await v.analyze(readSql('queries/count_daily_report.sql'), { report_date: 'STRING' })).toMatch(
      /Query/,
    );
    expect(await v.analyze(readSql('queries/meetings_of_day.sql'), REPORT_PARAMS)).toMatch(/Query/);
    expect(
      await v.analyze(readSql('queries/count_webhook_events.sql'), {
        window_from: 'STRING',
        window_to: 'STRING',
      }),
    ).toMatch(/Query/);
    expect(await v.analyze(readSql('queries/webhook_event_ids.sql'), { event_date: 'STRING' })).toMatch(
      /Query/,
    );
    expect(await v.analyze(readSql('queries/meeting_bounds.sql'), REPORT_PARAMS)).toMatch(/Query/);
    expect(
      await v.analyze(deleteCameraMinutesSql('zoom_tracker'), { meeting_uuid: 'STRING', dates: 'STRING' }),
    ).toMatch(/Delete/);
    expect(await v.analyze(deleteWebhookEventsSql('zoom_tracker'), { event_date: 'STRING' })).toMatch(
      /Delete/,
    );
    const columns = datasetSchema().get('raw_events') ?? [];
    expect(
      await v.analyze(
        insertFromStagingSql('zoom_tracker', 'raw_events', 'raw_events_dedup', columns).replace(
          'PARSE_JSON(raw_payload)',
          'raw_payload',
        ),
      ),
    ).toMatch(/Insert/);
  });

  it('exportDataSql names the single shard the way the export is keyed', () => {
    expect(exportDataSql('SELECT 1', 'b', exportKey('2026-02-03'))).toContain(
      "uri = 'gs://b/reports/DAILY_REPORT_2026-02-03_*.csv'",
    );
  });
});
