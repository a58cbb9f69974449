// selectRows/replaceRows of the BigQuery engine, with the real @google-cloud/bigquery client against
// test/servers/bigquery-jobs-server.ts (BigQuery has no emulator): the exact SELECT, the staging
// load (NDJSON, JSON columns as STRING), the DELETE + INSERT script and its parameters, and rows that
// come back from the API in the form replaceRows writes again unchanged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startBigQueryJobsServer,
  type BigQueryJobsServer,
} from '../../../test/servers/bigquery-jobs-server.ts';
import { startBigQueryValidator, type BigQueryValidator } from '../../../test/helpers/zetasql.ts';
import { silentLogger } from '../../log.ts';
import { datasetSchema } from '../../warehouse/bigquery-schema.ts';
import { WAREHOUSE_TABLES, type Statement, type WarehouseTable } from '../../warehouse/sql-engine.ts';
import { createFileArchive } from '../local/file-archive.ts';
import { createBigQueryEngine, deleteRowsSql, selectRowsSql } from './bigquery-engine.ts';

const RAW_EVENT_NAMES =
  'event_id, event_date, event_type, event_timestamp, event_ts, meeting_id, meeting_uuid, participant_id, participant_uuid, parent_participant_id, zoom_user_id, participant_name, participant_email, breakout_room_uuid, action, leave_reason, rtms_stream_id, raw_payload, gcs_path, source, inserted_at, meeting_start_time, meeting_topic, person_match';

/** The INSERT of a raw_events staging table: JSON parsed from its STRING column. */
function rawEventsInsert(staging: string): string {
  return `INSERT INTO zt_prod.raw_events (${RAW_EVENT_NAMES})\nSELECT ${RAW_EVENT_NAMES.replace('raw_payload', 'PARSE_JSON(raw_payload) AS raw_payload')} FROM zt_prod.${staging}`;
}

const PAYLOAD =
  '{"event":"meeting.participant_joined","event_ts":1773478812345,"payload":{"object":{"uuid":"a==","participant":{"user_name":"Zoë Müller"}}}}';

/** One raw_events row as the API sends it (every value a string; TIMESTAMP in int64 microseconds). */
const API_ROW: Record<string, string | null> = {
  event_id: 'ev-1',
  event_date: '2026-03-14',
  event_type: 'meeting.participant_joined',
  event_timestamp: '1773478812345000',
  event_ts: '1773478812345',
  meeting_id: '81234567890',
  meeting_uuid: 'a==',
  participant_id: '16778240',
  participant_uuid: 'pu-zoe',
  parent_participant_id: null,
  zoom_user_id: null,
  participant_name: 'Zoë Müller',
  participant_email: 'zoe.muller@example.org',
  breakout_room_uuid: null,
  action: 'JOIN',
  leave_reason: null,
  rtms_stream_id: null,
  raw_payload: PAYLOAD,
  gcs_path: 'gs://bkt/raw/2026-03-14/ev-1.json',
  source: 'webhook',
  inserted_at: '1773478813000123',
  meeting_start_time: '1773478800000000',
  meeting_topic: 'Stand-up',
  person_match: 'e:zoe.muller@example.org',
};
const API_TYPES = {
  event_date: 'DATE',
  event_timestamp: 'TIMESTAMP',
  event_ts: 'INTEGER',
  raw_payload: 'JSON',
  inserted_at: 'TIMESTAMP',
  meeting_start_time: 'TIMESTAMP',
};
/** The same row as selectRows gives it. */
const ROW = {
  ...API_ROW,
  event_timestamp: '2026-03-14T09:00:12.345Z',
  event_ts: 1773478812345,
  inserted_at: '2026-03-14T09:00:13.000123Z',
  meeting_start_time: '2026-03-14T09:00:00.000Z',
};

describe('BigQuery engine: selectRows / replaceRows (mock job API)', () => {
  let server: BigQueryJobsServer;
  let dir: string;
  beforeAll(async () => {
    server = await startBigQueryJobsServer();
    dir = await mkdtemp(join(tmpdir(), 'bq-rows-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.jobs.length = 0;
    server.loads.length = 0;
    server.dropped.length = 0;
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
  const where: Statement = { sql: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`, params: { m: 'a==\nb==' } };

  it('selectRows: every column named, the condition as given, typed parameters; values in the form replaceRows writes', async () => {
    server.answers.push({ rows: [API_ROW], types: API_TYPES });
    const rows = await engine().selectRows('raw_events', where);
    expect(rows).toEqual([ROW]);
    expect(server.jobs).toHaveLength(1);
    expect(server.jobs[0]?.query).toBe(
      `SELECT ${RAW_EVENT_NAMES} FROM zt_prod.raw_events WHERE meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
    );
    expect(server.jobs[0]?.params).toEqual({ m: { type: 'STRING', value: 'a==\nb==' } });
    expect(server.jobs[0]?.location).toBe('EU');
  });

  it('selectRows: FLOAT64, BOOL, DATE and NULL of another table, exactly', async () => {
    server.answers.push({
      rows: [
        {
          recording_date: '2026-03-14',
          meeting_uuid: 'a==',
          meeting_id: null,
          rtms_stream_id: 'st-1',
          started_at: '1773478801250000',
          ended_at: null,
          duration_secs: '3598.7490000000003',
          s3_prefix: 'recordings/2026-03-14/st-1/',
          manifest: '{"files":[{"bytes":1024,"name":"a.m4a"}],"status":"complete"}',
          inserted_at: '1773482405123000',
        },
      ],
      types: {
        recording_date: 'DATE',
        started_at: 'TIMESTAMP',
        ended_at: 'TIMESTAMP',
        duration_secs: 'FLOAT',
        manifest: 'JSON',
        inserted_at: 'TIMESTAMP',
      },
    });
    expect(
      await engine().selectRows('recordings', { sql: 'rtms_stream_id = @s', params: { s: 'st-1' } }),
    ).toEqual([
      {
        recording_date: '2026-03-14',
        meeting_uuid: 'a==',
        meeting_id: null,
        rtms_stream_id: 'st-1',
        started_at: '2026-03-14T09:00:01.250Z',
        ended_at: null,
        duration_secs: 3598.7490000000003,
        s3_prefix: 'recordings/2026-03-14/st-1/',
        manifest: '{"files":[{"bytes":1024,"name":"a.m4a"}],"status":"complete"}',
        inserted_at: '2026-03-14T10:00:05.123Z',
      },
    ]);
    expect(server.jobs[0]?.query).toBe(
      'SELECT recording_date, meeting_uuid, meeting_id, rtms_stream_id, started_at, ended_at, duration_secs, s3_prefix, manifest, inserted_at FROM zt_prod.recordings WHERE rtms_stream_id = @s',
    );
  });

  it('replaceRows: the rows loaded into a staging table, then DELETE ... WHERE <condition> and the insert from staging in one transaction', async () => {
    const changed = { ...ROW, participant_name: 'Person 9', participant_email: null };
    const result = await engine().replaceRows('raw_events', where, [ROW, changed]);
    expect(result).toEqual({ bytesProcessed: 0 });
    expect(server.loads).toHaveLength(1);
    const load = server.loads[0];
    const staging = /^demo\.zt_prod\.(raw_events_staging_[0-9a-f]{8})$/.exec(load?.table ?? '')?.[1];
    expect(staging).toBeDefined();
    expect(load?.data).toBe(`${JSON.stringify(ROW)}\n${JSON.stringify(changed)}\n`);
    expect(load?.load).toMatchObject({
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      writeDisposition: 'WRITE_TRUNCATE',
    });
    const fields = (load?.load['schema'] as { fields: { name: string; type: string; mode: string }[] })
      .fields;
    expect(fields.map((f) => f.name).join(', ')).toBe(RAW_EVENT_NAMES);
    expect(fields.find((f) => f.name === 'raw_payload')).toEqual({
      name: 'raw_payload',
      type: 'STRING',
      mode: 'REQUIRED',
    });
    expect(fields.find((f) => f.name === 'event_timestamp')).toEqual({
      name: 'event_timestamp',
      type: 'TIMESTAMP',
      mode: 'REQUIRED',
    });
    expect(server.jobs).toHaveLength(1);
    expect(server.jobs[0]?.query).toBe(
      [
        'BEGIN TRANSACTION',
        `DELETE FROM zt_prod.raw_events WHERE meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
        rawEventsInsert(staging as string),
        'COMMIT TRANSACTION;',
      ].join(';\n'),
    );
    expect(server.jobs[0]?.params).toEqual({ m: { type: 'STRING', value: 'a==\nb==' } });
    expect(server.jobs[0]?.useLegacySql).toBe(false);
    expect(server.dropped).toEqual([`demo.zt_prod.${staging}`]);
  });

  it('replaceRows with no rows: an empty load, the DELETE alone removes', async () => {
    await engine().replaceRows(
      'roster',
      { sql: 'LOWER(email) = @e', params: { e: 'zoe.muller@example.org' } },
      [],
    );
    expect(server.loads[0]?.data).toBe('');
    expect(server.jobs[0]?.query).toMatch(
      /^BEGIN TRANSACTION;\nDELETE FROM zt_prod\.roster WHERE LOWER\(email\) = @e;\nINSERT INTO zt_prod\.roster \(roster_id, email, first_name, last_name, department, loaded_at\)\nSELECT roster_id, email, first_name, last_name, department, loaded_at FROM zt_prod\.roster_staging_[0-9a-f]{8};\nCOMMIT TRANSACTION;$/,
    );
  });

  it('refuses what is not a warehouse table, a column of it, or one expression, before any job', async () => {
    await expect(engine().selectRows('raw_events_dedup' as WarehouseTable, where)).rejects.toThrow(
      'not a warehouse table: raw_events_dedup',
    );
    await expect(engine().replaceRows('raw_events', where, [{ ...ROW, nickname: 'x' }])).rejects.toThrow(
      'raw_events has no column nickname',
    );
    await expect(
      engine().replaceRows('raw_events', { sql: 'TRUE; DROP TABLE zt_prod.roster', params: {} }, []),
    ).rejects.toThrow('a row condition is one expression, without `;`');
    expect(server.jobs).toEqual([]);
  });
});

describe('selectRows / replaceRows SQL in ZetaSQL (the analyzer BigQuery uses)', () => {
  let v: BigQueryValidator;
  beforeAll(async () => {
    v = await startBigQueryValidator('zoom_tracker', datasetSchema());
  }, 60_000);
  afterAll(() => v?.close());

  const conditions: Record<WarehouseTable, string> = {
    raw_events: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n')) OR participant_email = @e`,
    camera_minutes: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n')) AND participant_email = @e`,
    daily_reports: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n')) AND participant_email = @e`,
    attendance: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n')) AND LOWER(email) = @e`,
    recordings: `meeting_uuid IN UNNEST(SPLIT(@m, '\\n'))`,
    roster: `LOWER(email) = @e`,
  };

  it.each(WAREHOUSE_TABLES)('%s: the SELECT and the DELETE resolve', async (table) => {
    const columns = datasetSchema().get(table) ?? [];
    const params = { m: 'STRING', e: 'STRING' };
    expect(await v.analyze(selectRowsSql('zoom_tracker', table, columns, conditions[table]), params)).toMatch(
      /Query/,
    );
    expect(await v.analyze(deleteRowsSql('zoom_tracker', table, conditions[table]), params)).toMatch(
      /Delete/,
    );
  });
});
