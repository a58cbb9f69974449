// The whole local pipeline on a fixture day (sql/fixtures/2026-02-03): archived webhook bodies are
// replayed into DuckDB, RTMS rows and QoS minutes added, the report and export run, and the CSV
// must equal the hand-written expected file byte for byte; rerunning everything changes nothing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { createDuckDbWarehouse } from '../core/adapters/local/duckdb-warehouse.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { exportKey } from '../core/warehouse/report-contract.ts';
import { runExport, runReport } from './report.ts';
import { runReplay } from './replay.ts';
import { sqlDir } from '../core/warehouse/sql-files.ts';
import { qosMinute } from '../test/jobs/run-report.ts';
import { fixtureRtmsRows } from '../test/jobs/fixture-rtms.ts';
import { archiveBodies, exportedCsv } from '../test/jobs/archive-bodies.ts';

const DATE = '2026-02-03';
const fixture = (name: string): string => join(sqlDir(), 'fixtures', DATE, name);
const log = silentLogger();

async function archiveWebhooks(archive: Archive): Promise<number> {
  const bodies = JSON.parse(await readFile(fixture('webhooks.json'), 'utf8')) as unknown[];
  const created = await archiveBodies(archive, bodies);
  await archive.putIfAbsent(
    `raw/${DATE}/ffffffffffffffffffffffffffffffff.json`,
    Buffer.from('{not json'),
    'application/json',
  );
  return created;
}

async function rtmsRows(): Promise<RawEventRow[]> {
  return fixtureRtmsRows(fixture('rtms.json'), 'hwkAADUySwyG3GyUkqc0vA==');
}

describe('fixture day 2026-02-03 on DuckDB', () => {
  let dir: string;
  let archive: Archive;
  let engine: SqlEngine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-fixture-'));
    archive = createFileArchive(join(dir, 'gcs'));
    const path = join(dir, 'warehouse.duckdb');
    const warehouse = await createDuckDbWarehouse(path, log);
    await warehouse.insertEvents(await rtmsRows());
    await warehouse.close();
    engine = await createDuckDbEngine({ path, archive });
    const qos = JSON.parse(await readFile(fixture('qos.json'), 'utf8')) as {
      participant_key: string;
      at: string;
      kbps: number | null;
    }[];
    await engine.replaceCameraMinutes(
      'hwkAADUySwyG3GyUkqc0vA==',
      [DATE],
      qos.map((q) => qosMinute(q.participant_key, q.at, q.kbps, 'hwkAADUySwyG3GyUkqc0vA==')),
    );
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('replay → report → export writes exactly the hand-written CSV', async () => {
    expect(await archiveWebhooks(archive)).toBe(26);
    const replay = await runReplay({ engine, archive, log }, { date: DATE });
    expect(replay).toMatchObject({ files: 27, rows: 26, skipped: 1 });
    const report = await runReport({ engine, archive, log, timeZone: 'UTC' }, { date: DATE });
    expect(report.rows).toBe(6);
    const exported = await runExport({ engine, log, timeZone: 'UTC' }, { date: DATE });
    const expected = await readFile(fixture(`DAILY_REPORT_${DATE}_000000000000.csv`), 'utf8');
    expect(await exportedCsv(archive, DATE)).toBe(expected);
    expect(exported.bytes).toBe(Buffer.byteLength(expected));
  });

  it('rerunning replay, report and export is idempotent', async () => {
    const before = (await archive.get(exportKey(DATE)))?.toString('utf8');
    expect(await runReplay({ engine, archive, log, batchRows: 4 }, { date: DATE })).toMatchObject({
      rows: 26,
      skipped: 1,
    });
    expect((await runReport({ engine, archive, log, timeZone: 'UTC' }, { date: DATE })).rows).toBe(6);
    await runExport({ engine, log, timeZone: 'UTC' }, { date: DATE });
    expect((await archive.get(exportKey(DATE)))?.toString('utf8')).toBe(before);
    const { rows } = await engine.query(
      'SELECT COUNT(*) AS n FROM zoom_tracker.raw_events WHERE source = @s',
      { s: 'rtms' },
    );
    expect(rows[0]?.['n']).toBe(3);
  });

  it('a replay that fails half way changes nothing (one transaction)', async () => {
    const count = async (): Promise<unknown> =>
      (await engine.query('SELECT COUNT(*) AS n FROM zoom_tracker.raw_events', {})).rows[0]?.['n'];
    const before = await count();
    let reads = 0;
    const failing: Archive = {
      ...archive,
      async get(key) {
        if (++reads > 20) throw new Error('archive unavailable');
        return archive.get(key);
      },
    };
    await expect(runReplay({ engine, archive: failing, log, batchRows: 4 }, { date: DATE })).rejects.toThrow(
      /archive unavailable/,
    );
    expect(await count()).toBe(before);
  });
});
