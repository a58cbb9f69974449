// `serve` on the embedded default enforces retention by itself: with an injected clock it crosses
// RETENTION_SCHEDULE (03:15 in REPORT_TIMEZONE) and deletes, through its own stores, the archive keys,
// recordings and warehouse partitions past their limits, keeping the fixture day it serves.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { createLocalMediaStore } from '../core/adapters/local/local-media-store.ts';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { startServe } from '../bin/serve.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import { createFakeClock } from './jobs/fake-clock.ts';
import { insertFilledRow } from './jobs/fill-row.ts';
import { seedFixtureArchive } from './helpers/seed-archive.ts';

const TZ = 'Europe/Berlin';
const berlin = (wall: string): number => Date.parse(`${wall}+01:00`);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Past their limits on 2026-02-04 with the defaults (400, 90 and 400 days). */
const OLD_KEYS = [
  'quarantine/2025-11-05/ab.bin',
  'raw/2024-12-01/0123456789abcdef0123456789abcdef.json',
  'reports/DAILY_REPORT_2024-12-01_000000000000.csv',
];

async function archiveKeys(dir: string): Promise<string[]> {
  const archive = createFileArchive(join(dir, 'gcs'));
  const out: string[] = [];
  for (const p of ['quarantine/', 'raw/', 'reports/']) for await (const k of archive.list(p)) out.push(k);
  return out;
}

async function mediaKeys(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of createLocalMediaStore(join(dir, 's3')).list('')) out.push(k);
  return out;
}

async function rawEventDates(dir: string): Promise<string[]> {
  const engine = await createDuckDbEngine({
    path: join(dir, 'warehouse.duckdb'),
    archive: createFileArchive(join(dir, 'gcs')),
  });
  try {
    const { rows } = await engine.query<{ d: string }>(
      'SELECT DISTINCT event_date AS d FROM zoom_tracker.raw_events ORDER BY d',
      {},
    );
    return rows.map((r) => r.d);
  } finally {
    await engine.close();
  }
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve runs retention on its schedule', () => {
  it('crosses 03:15 and deletes what is past its limit, keeping the day it serves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zt-scheduled-retention-'));
    dirs.push(dir);
    await seedFixtureArchive(dir);
    const seeded = await archiveKeys(dir);
    const archive = createFileArchive(join(dir, 'gcs'));
    for (const k of OLD_KEYS) await archive.put(k, Buffer.from('{}'), 'application/octet-stream');
    // A recording written 200 days before (limit 180) and one from the day before.
    for (const [key, at] of [
      ['mk-old/s1/manifest.json', berlin('2025-07-19T12:00:00')],
      ['mk-new/s2/manifest.json', berlin('2026-02-03T12:00:00')],
    ] as const) {
      const path = join(dir, 's3', ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, '{}');
      await utimes(path, new Date(at), new Date(at));
    }
    // A warehouse row of a day over 400 days ago (start-up recovery adds the fixture day's rows).
    const engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
    await insertFilledRow(engine.connection, 'raw_events', '2024-12-01', 1);
    await engine.close();

    const config = parseConfig({ DATA_DIR: dir, PORT: '0', REPORT_TIMEZONE: TZ, LOG_LEVEL: 'silent' });
    const clock = createFakeClock(berlin('2026-02-04T03:00:00'));
    const serve = await startServe(
      { config, log: silentLogger(), env: {} },
      { webhook: true, worker: false },
      { clock },
    );
    try {
      const job = () => serve.schedule()?.find((j) => j.command === 'retention');
      await until('the scheduler to start', () => job()?.doneUntil);
      expect(job()?.nextRun).toBe(new Date(berlin('2026-02-04T03:15:00')).toISOString());
      expect(await archiveKeys(dir)).toEqual([...OLD_KEYS, ...seeded].sort());

      clock.set(berlin('2026-02-04T03:15:30'));
      const run = await until('the retention run', () => job()?.lastRun);
      expect(run).toMatchObject({ days: ['2026-02-03', '2026-02-04'], outcome: 'ok' });
      expect(await archiveKeys(dir)).toEqual(seeded);
      expect(await mediaKeys(dir)).toEqual(['mk-new/s2/manifest.json']);
    } finally {
      await serve.stop();
    }
    expect(await rawEventDates(dir)).toEqual(['2026-02-03']);
  }, 90_000);
});
