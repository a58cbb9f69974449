// The synthetic fixture (sql/fixtures/2026-03-14): webhook bodies shaped as real Zoom sends them, with
// our own names, ids and times: a new participant_uuid on rejoin, moves with plain leave reasons in
// either order (join stamped before the leave), missing joins, an unidentified room, a meeting across
// midnight, no camera data. Replay → report → export on DuckDB, byte for byte against the hand-written
// CSVs of both days. The derivation of each row is in sql/fixtures/2026-03-14/README.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { runReplay } from './replay.ts';
import { runExport, runReport } from './report.ts';
import { sqlDir } from '../core/warehouse/sql-files.ts';
import { archiveBodies, exportedCsv } from '../test/jobs/archive-bodies.ts';

const FIXTURE = join(sqlDir(), 'fixtures', '2026-03-14');
const DAYS = ['2026-03-14', '2026-03-15'];
const log = silentLogger();

describe('synthetic fixture 2026-03-14 (real Zoom behaviours) on DuckDB', () => {
  let dir: string;
  let archive: Archive;
  let engine: SqlEngine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-synthetic-'));
    archive = createFileArchive(join(dir, 'gcs'));
    engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
    const bodies = JSON.parse(await readFile(join(FIXTURE, 'webhooks.json'), 'utf8')) as unknown[];
    expect(await archiveBodies(archive, bodies)).toBe(23);
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(DAYS)('replay → report → export of %s writes exactly the hand-written CSV', async (date) => {
    for (const d of DAYS) await runReplay({ engine, archive, log }, { date: d });
    await runReport({ engine, archive, log, timeZone: 'UTC' }, { date });
    await runExport({ engine, log, timeZone: 'UTC' }, { date });
    const expected = await readFile(join(FIXTURE, `DAILY_REPORT_${date}_000000000000.csv`), 'utf8');
    expect(await exportedCsv(archive, date)).toBe(expected);
  });
});
