// Builds the fixture day (sql/fixtures/2026-02-03) in a DATA_DIR the way production would: the
// webhook bodies posted signed to the real service, RTMS rows and QoS minutes added, then the
// jobs' report and export run. The report view is then served from that warehouse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDuckDbWarehouse } from '../../core/adapters/local/duckdb-warehouse.ts';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { silentLogger } from '../../core/log.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import { runExport, runReport } from '../../jobs/report.ts';
import { sqlDir } from '../../core/warehouse/sql-files.ts';
import { qosMinute } from '../jobs/run-report.ts';
import { fixtureRtmsRows } from '../jobs/fixture-rtms.ts';
import { startLocalWebhook } from '../helpers/local-webhook.ts';

export const FIXTURE_DATE = '2026-02-03';
export const FIXTURE_MEETING = 'hwkAADUySwyG3GyUkqc0vA==';
export const fixturePath = (name: string): string => join(sqlDir(), 'fixtures', FIXTURE_DATE, name);

async function json<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(fixturePath(name), 'utf8')) as T;
}

/** Fills `dataDir` with the fixture day; returns how many webhook deliveries were accepted. */
export async function buildFixtureDay(dataDir: string): Promise<number> {
  const log = silentLogger();
  const clock = () => Date.parse(`${FIXTURE_DATE}T12:00:00Z`);
  const service = await startLocalWebhook({ dataDir, now: clock });
  let accepted = 0;
  try {
    for (const body of await json<unknown[]>('webhooks.json'))
      if ((await service.post(body)).status === 200) accepted++;
  } finally {
    await service.close({ keepData: true });
  }
  const path = join(dataDir, 'warehouse.duckdb');
  const warehouse = await createDuckDbWarehouse(path, log);
  await warehouse.insertEvents(await fixtureRtmsRows(fixturePath('rtms.json'), FIXTURE_MEETING));
  await warehouse.close();
  const archive = createFileArchive(join(dataDir, 'gcs'));
  const engine = await createDuckDbEngine({ path, archive });
  try {
    const qos = await json<{ participant_key: string; at: string; kbps: number | null }[]>('qos.json');
    await engine.replaceCameraMinutes(
      FIXTURE_MEETING,
      [FIXTURE_DATE],
      qos.map((q) => qosMinute(q.participant_key, q.at, q.kbps, FIXTURE_MEETING)),
    );
    await runReport({ engine, archive, log, timeZone: 'UTC' }, { date: FIXTURE_DATE });
    await runExport({ engine, log, timeZone: 'UTC' }, { date: FIXTURE_DATE });
  } finally {
    await engine.close();
  }
  return accepted;
}
