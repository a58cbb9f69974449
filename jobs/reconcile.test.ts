// Complete before computed: `report` reconciles the warehouse with the archive for every date it reads.
// Rows lost after ingest (what a SIGKILL mid-batch leaves) are restored and the CSV equals the one of
// the full warehouse; rows from before the report's columns are rebuilt; a warehouse that stays short
// or an archive that cannot be listed stops the report with a clear error and leaves the day as it was.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { IncompleteWarehouseError } from './reconcile.ts';
import { runReplay } from './replay.ts';
import { runExport, runReport } from './report.ts';
import { sqlDir } from '../core/warehouse/sql-files.ts';
import { archiveBodies, exportedCsv } from '../test/jobs/archive-bodies.ts';

const DATE = '2026-03-14';
const FIXTURE = join(sqlDir(), 'fixtures', DATE);
const log = silentLogger();

describe('report reconciles the warehouse with the archive', () => {
  let dir: string;
  let archive: Archive;
  let engine: SqlEngine & { connection: { run(sql: string): Promise<unknown> } };
  let full: string | undefined;

  const count = async (): Promise<number> =>
    Number((await engine.query('SELECT COUNT(*) AS n FROM zoom_tracker.raw_events', {})).rows[0]?.['n']);
  const report = (e: SqlEngine = engine, a: Archive = archive) =>
    runReport({ engine: e, archive: a, log, timeZone: 'UTC' }, { date: DATE });
  const exportCsv = async (): Promise<string | undefined> => {
    await runExport({ engine, log, timeZone: 'UTC' }, { date: DATE });
    return exportedCsv(archive, DATE);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reconcile-'));
    archive = createFileArchive(join(dir, 'gcs'));
    engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
    const bodies = JSON.parse(await readFile(join(FIXTURE, 'webhooks.json'), 'utf8')) as unknown[];
    await archiveBodies(archive, bodies);
    for (const d of ['2026-03-14', '2026-03-15']) await runReplay({ engine, archive, log }, { date: d });
    expect(await count()).toBe(23);
    expect(await report()).not.toHaveProperty('restored');
    full = await exportCsv();
    expect(full).toBe(await readFile(join(FIXTURE, `DAILY_REPORT_${DATE}_000000000000.csv`), 'utf8'));
  });
  afterEach(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores rows lost after ingest (both dates read) and writes the full-warehouse CSV; a rerun restores nothing', async () => {
    await engine.connection.run(
      `DELETE FROM raw_events WHERE event_id IN (SELECT event_id FROM raw_events ORDER BY event_id LIMIT 9)`,
    );
    await engine.connection.run(`DELETE FROM raw_events WHERE event_date = DATE '2026-03-15'`);
    const left = await count();
    expect(left).toBeLessThanOrEqual(23 - 9);
    await engine.connection.run('DELETE FROM daily_reports');

    const summary = await report();
    expect(summary.restored).toBe(23 - left);
    expect(await count()).toBe(23);
    expect(await exportCsv()).toBe(full);

    expect(await report()).not.toHaveProperty('restored');
    expect(await count()).toBe(23);
  });

  it('rebuilds rows written before the report columns existed (no person_match)', async () => {
    await engine.connection.run(
      `UPDATE raw_events SET person_match = NULL, meeting_start_time = NULL, meeting_topic = NULL`,
    );
    await report();
    const { rows } = await engine.query(
      'SELECT COUNT(*) AS n FROM zoom_tracker.raw_events WHERE person_match IS NULL AND participant_name IS NOT NULL',
      {},
    );
    expect(rows[0]?.['n']).toBe(0);
    expect(await exportCsv()).toBe(full);
  });

  it('fails with a clear message, and keeps the day, when the restored rows do not reach the warehouse', async () => {
    await engine.connection.run(
      `DELETE FROM raw_events WHERE event_date = DATE '${DATE}' AND action = 'JOIN'`,
    );
    const deaf: SqlEngine = { ...engine, insertWebhookEvents: async () => ({}) };
    await expect(report(deaf)).rejects.toThrow(IncompleteWarehouseError);
    await expect(report(deaf)).rejects.toThrow(
      /the warehouse still misses \d+ archived events of 2026-03-14 after restoring them; no report was computed/,
    );
    expect(await exportCsv()).toBe(full);
  });

  it('fails with a clear message when the archive cannot be listed', async () => {
    const broken: Archive = {
      ...archive,
      // eslint-disable-next-line require-yield -- a listing that fails before its first key
      async *list() {
        throw new Error('permission denied');
      },
    };
    await expect(report(engine, broken)).rejects.toThrow(
      /cannot check the warehouse against the archive for 2026-03-13: listing raw\/2026-03-13\/ failed \(permission denied\); no report was computed/,
    );
  });
});
