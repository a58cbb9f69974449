// Retention on the embedded default with an injected clock: the file archive, the local recordings
// store, the DuckDB warehouse and the in-process live state, each filled on both sides of its limit.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import { createMemoryLiveState } from '../../core/adapters/local/memory-live-state.ts';
import { silentLogger } from '../../core/log.ts';
import type { Archive, LiveState, MediaStore } from '../../core/ports.ts';
import type { RetentionSettings } from '../../core/retention-settings.ts';
import { eventIdOf } from '../../core/zoom/event-id.ts';
import { normalizeEvent } from '../../core/zoom/normalize.ts';
import { sampleMeeting, zoom, type MeetingRef } from '../../demo/simulator/zoom-events.ts';
import { createDuckDbEngine } from '../../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { enginePartitions } from './warehouse-partitions.ts';
import { insertFilledRow } from '../../test/jobs/fill-row.ts';
import { runRetention, type RetentionDeps } from './run-retention.ts';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
/** Small limits so the boundaries are easy to read: first days kept are in the comments. */
const SETTINGS: RetentionSettings = {
  rawDays: 30, // 2026-05-16
  quarantineDays: 7, // 2026-06-08
  warehouseDays: 60, // 2026-04-16
  recordingsDays: 10, // streams whose newest object is from 2026-06-05T12:00Z on
  exportsDays: 90, // 2026-03-17
};

const ARCHIVE_KEYS = {
  removed: [
    'qos/2026-05-15/mk1.json',
    'qos/budget/2026-05-15.json',
    'quarantine/2026-06-07/aa.bin',
    'raw/2025-01-01/e0.json',
    'raw/2026-05-15/e1.json',
    'raw/2026-05-15/e2.json',
    'reports/ATTENDANCE_2026-03-16.csv',
    'reports/DAILY_REPORT_2026-03-16_000000000000.csv',
  ],
  kept: [
    'qos/2026-05-16/mk1.json',
    'qos/budget/2026-06-14.json',
    'quarantine/2026-06-08/bb.bin',
    'raw/2026-05-16/e3.json',
    'raw/2026-06-15/e4.json',
    'raw/notes.txt', // no date: not ours to judge
    'reports/ATTENDANCE_2026-03-17.csv',
    'reports/DAILY_REPORT_2026-03-17_000000000000.csv',
    'rosters/2020-01-01/class.csv', // a prefix retention does not govern
  ],
};

/** key -> last-modified time. */
const MEDIA = {
  removed: {
    'mk-a/s1/manifest.json': NOW - 10 * DAY - 1000,
    'mk-a/s1/recording.mp4': NOW - 11 * DAY,
    'mk-a/s1/parts/seg-000001.bin': NOW - 11 * DAY,
  },
  kept: {
    // Exactly at the limit: not older than it.
    'mk-a/s2/manifest.json': NOW - 10 * DAY,
    // A stream still being parked: its newest part is what counts.
    'mk-b/s3/parts/seg-000001.bin': NOW - 40 * DAY,
    'mk-b/s3/parts/seg-000002.bin': NOW - 1 * DAY,
    // Not `<meeting>/<stream>/…`: no recording, left alone.
    'stray.bin': NOW - 400 * DAY,
  },
};

/** table -> [date, rows] */
const PARTITIONS: Record<string, [string, number][]> = {
  raw_events: [
    ['2026-04-14', 1],
    ['2026-04-15', 2],
    ['2026-04-16', 3],
  ],
  daily_reports: [
    ['2026-04-15', 2],
    ['2026-06-14', 1],
  ],
  camera_minutes: [
    ['2026-01-01', 4],
    ['2026-04-16', 1],
  ],
  attendance: [
    ['2026-04-15', 1],
    ['2026-04-16', 1],
  ],
  // Follows the recordings (10 days).
  recordings: [
    ['2026-06-04', 1],
    ['2026-06-05', 1],
  ],
};

let dir: string;
let archive: Archive;
let media: MediaStore;
let engine: SqlEngine & { connection: DuckDBConnection };
let liveState: LiveState;
let now: number;

const OLD_MEETING: MeetingRef = {
  id: '81111111111',
  uuid: 'old/meeting+uuid==',
  topic: 'Ended two days ago',
  hostId: 'h1',
  startTime: new Date(NOW - 2 * DAY).toISOString(),
};
const LIVE_MEETING: MeetingRef = {
  id: '82222222222',
  uuid: 'live/meeting+uuid==',
  topic: 'Running now',
  hostId: 'h2',
  startTime: new Date(NOW - 3_600_000).toISOString(),
};

beforeEach(async () => {
  now = NOW;
  dir = await mkdtemp(join(tmpdir(), 'zt-retention-'));
  archive = createFileArchive(join(dir, 'gcs'));
  for (const key of [...ARCHIVE_KEYS.removed, ...ARCHIVE_KEYS.kept])
    await archive.put(key, Buffer.from(key), 'application/octet-stream');
  media = createLocalMediaStore(join(dir, 's3'));
  for (const [key, at] of Object.entries({ ...MEDIA.removed, ...MEDIA.kept })) {
    await media.upload(key, Buffer.from(key), 'application/octet-stream');
    await utimes(join(dir, 's3', ...key.split('/')), new Date(at), new Date(at));
  }
  engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
  for (const [table, days] of Object.entries(PARTITIONS))
    for (const [date, rows] of days)
      for (let i = 0; i < rows; i++) await insertFilledRow(engine.connection, table, date, i);
  liveState = createMemoryLiveState({ now: () => now, ttlDays: 7 });
  const states = [...sampleMeeting(OLD_MEETING), zoom.meetingStarted(LIVE_MEETING, NOW - 3_600_000)].flatMap(
    (b) => normalizeEvent(b, { eventId: eventIdOf(b), gcsPath: '', insertedAt: '' }).state ?? [],
  );
  await liveState.apply(states);
});
afterEach(async () => {
  await engine.close();
  await liveState.close();
  await rm(dir, { recursive: true, force: true });
});

async function archiveKeys(): Promise<string[]> {
  const out: string[] = [];
  for (const prefix of ['qos/', 'quarantine/', 'raw/', 'reports/', 'rosters/'])
    for await (const k of archive.list(prefix)) out.push(k);
  return out;
}
async function mediaKeys(): Promise<string[]> {
  const out: string[] = [];
  for await (const k of media.list('')) out.push(k);
  return out;
}
async function partitionCounts(): Promise<string[]> {
  return (await enginePartitions(engine).list()).map((p) => `${p.table} ${p.date} ${p.rows}`);
}

function deps(): RetentionDeps {
  return {
    settings: SETTINGS,
    log: silentLogger(),
    now: () => now,
    archive,
    media,
    partitions: enginePartitions(engine),
    liveState,
  };
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const allPartitions = (): string[] =>
  Object.entries(PARTITIONS).flatMap(([t, days]) => days.map(([d, n]) => `${t} ${d} ${n}`));
const EXPIRED_PARTITIONS = [
  'raw_events 2026-04-14 1',
  'raw_events 2026-04-15 2',
  'daily_reports 2026-04-15 2',
  'camera_minutes 2026-01-01 4',
  'attendance 2026-04-15 1',
  'recordings 2026-06-04 1',
];

describe('retention on the embedded default', () => {
  it('removes exactly the archive keys older than their prefix allows and keeps the rest', async () => {
    expect(sorted(await archiveKeys())).toEqual(sorted([...ARCHIVE_KEYS.removed, ...ARCHIVE_KEYS.kept]));
    const result = await runRetention(deps());
    expect(sorted(await archiveKeys())).toEqual(sorted(ARCHIVE_KEYS.kept));
    expect(result.archive).toEqual([
      { prefix: 'raw/', date: '2025-01-01', keys: 1 },
      { prefix: 'raw/', date: '2026-05-15', keys: 2 },
      { prefix: 'qos/', date: '2026-05-15', keys: 1 },
      { prefix: 'quarantine/', date: '2026-06-07', keys: 1 },
      { prefix: 'reports/', date: '2026-03-16', keys: 2 },
      { prefix: 'qos/budget/', date: '2026-05-15', keys: 1 },
    ]);
  });

  it('deletes a recorded stream whole once its newest object is past the limit', async () => {
    const result = await runRetention(deps());
    expect(await mediaKeys()).toEqual(sorted(Object.keys(MEDIA.kept)));
    expect(result.recordings).toEqual([{ prefix: 'mk-a/s1/', objects: 3 }]);
  });

  it('deletes warehouse partitions past the limit (recordings rows by the recordings limit)', async () => {
    expect(await partitionCounts()).toEqual(sorted(allPartitions()));
    const result = await runRetention(deps());
    expect(sorted(result.partitions.map((p) => `${p.table} ${p.date} ${p.rows}`))).toEqual(
      sorted(EXPIRED_PARTITIONS),
    );
    expect(await partitionCounts()).toEqual(
      sorted(allPartitions().filter((p) => !EXPIRED_PARTITIONS.includes(p))),
    );
  });

  it('drops the live state of a meeting ended over a day ago and keeps a running one', async () => {
    expect(await liveState.meetingIdFor(OLD_MEETING.uuid)).toBe(OLD_MEETING.id);
    await runRetention(deps());
    expect(await liveState.meetingIdFor(OLD_MEETING.uuid)).toBeUndefined();
    expect(await liveState.meetingIdFor(LIVE_MEETING.uuid)).toBe(LIVE_MEETING.id);
  });

  it('a second run at the same time removes nothing more', async () => {
    await runRetention(deps());
    const after = {
      archive: await archiveKeys(),
      media: await mediaKeys(),
      partitions: await partitionCounts(),
    };
    const second = await runRetention(deps());
    expect(second).toEqual({ dryRun: false, archive: [], recordings: [], partitions: [] });
    expect({
      archive: await archiveKeys(),
      media: await mediaKeys(),
      partitions: await partitionCounts(),
    }).toEqual(after);
  });

  it('a dry run reports the same plan and deletes nothing', async () => {
    const dry = await runRetention(deps(), { dryRun: true });
    expect(await archiveKeys()).toHaveLength(ARCHIVE_KEYS.removed.length + ARCHIVE_KEYS.kept.length);
    expect(await mediaKeys()).toHaveLength(Object.keys({ ...MEDIA.removed, ...MEDIA.kept }).length);
    expect(await partitionCounts()).toEqual(sorted(allPartitions()));
    const real = await runRetention(deps());
    expect({ ...dry, dryRun: false }).toEqual(real);
  });

  it('a day later the next day goes, and "forever" keeps everything of its kind', async () => {
    await runRetention(deps());
    now = NOW + DAY;
    const result = await runRetention({
      ...deps(),
      settings: { ...SETTINGS, rawDays: null, warehouseDays: null },
    });
    expect(result.archive).toEqual([
      { prefix: 'quarantine/', date: '2026-06-08', keys: 1 },
      { prefix: 'reports/', date: '2026-03-17', keys: 2 },
    ]);
    expect(result.partitions).toEqual([{ table: 'recordings', date: '2026-06-05', rows: 1 }]);
    expect(result.recordings).toEqual([{ prefix: 'mk-a/s2/', objects: 1 }]);
    expect(await archiveKeys()).toContain('raw/2026-05-16/e3.json');
  });

  it('walks a large day-ordered prefix a page at a time and stops at the first page with a day kept', async () => {
    const day = (d: string, n: number): string[] =>
      Array.from({ length: n }, (_, i) => `raw/${d}/${String(i).padStart(32, '0')}.json`);
    const expired = [...day('2026-05-13', 1200), ...day('2026-05-14', 900)];
    const kept = day('2026-05-16', 1200);
    // Written as plain files (the archive's layout) to spare 3,300 synced writes.
    for (const k of [...expired, ...kept]) {
      await mkdir(join(dir, 'gcs', dirname(k)), { recursive: true });
      await writeFile(join(dir, 'gcs', k), '{}');
    }
    let listed = 0;
    const counting: Archive = {
      ...archive,
      async *list(prefix) {
        for await (const k of archive.list(prefix)) {
          if (prefix === 'raw/') listed++;
          yield k;
        }
      },
    };
    const result = await runRetention({ ...deps(), archive: counting });
    expect(result.archive.filter((a) => a.prefix === 'raw/')).toEqual([
      { prefix: 'raw/', date: '2025-01-01', keys: 1 },
      { prefix: 'raw/', date: '2026-05-13', keys: 1200 },
      { prefix: 'raw/', date: '2026-05-14', keys: 900 },
      { prefix: 'raw/', date: '2026-05-15', keys: 2 },
    ]);
    const left: string[] = [];
    for await (const k of archive.list('raw/')) left.push(k);
    expect(left).toEqual(
      sorted([...kept, 'raw/2026-05-16/e3.json', 'raw/2026-06-15/e4.json', 'raw/notes.txt']),
    );
    // Pages of 1,000: the third page (keys 2,001-3,000) holds the first day kept; nothing after it is read.
    expect(listed).toBe(3000);
  });

  it('a store that fails does not stop the others; the run fails and names it', async () => {
    const broken: Archive = {
      ...archive,
      delete: () => Promise.reject(new Error('disk is read-only')),
    };
    await expect(runRetention({ ...deps(), archive: broken })).rejects.toThrow(
      'retention incomplete: archive: disk is read-only',
    );
    expect(sorted(await archiveKeys())).toEqual(sorted([...ARCHIVE_KEYS.removed, ...ARCHIVE_KEYS.kept]));
    expect(await mediaKeys()).toEqual(sorted(Object.keys(MEDIA.kept)));
    expect(await partitionCounts()).toEqual(
      sorted(allPartitions().filter((p) => !EXPIRED_PARTITIONS.includes(p))),
    );
  });
});
