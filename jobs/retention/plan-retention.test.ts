// The pure retention decisions: day boundaries, the date in each archive key layout, recordings by
// their newest object, partitions by table.
import { describe, expect, it } from 'vitest';
import { RETENTION_DEFAULTS } from '../../core/retention-settings.ts';
import {
  archiveKeyExpired,
  dateOfKey,
  firstDayKept,
  planRetention,
  recordingGroups,
} from './plan-retention.ts';

const DAY = 86_400_000;

describe('firstDayKept', () => {
  it('keeps a day until all of it is older than the limit (UTC)', () => {
    expect(firstDayKept(Date.parse('2026-06-15T12:00:00Z'), 1)).toBe('2026-06-14');
    expect(firstDayKept(Date.parse('2026-06-15T00:00:00Z'), 1)).toBe('2026-06-14');
    expect(firstDayKept(Date.parse('2026-06-14T23:59:59.999Z'), 1)).toBe('2026-06-13');
    expect(firstDayKept(Date.parse('2026-06-15T12:00:00Z'), 400)).toBe('2025-05-11');
    expect(firstDayKept(Date.parse('2026-06-15T12:00:00Z'), null)).toBeUndefined();
  });
});

describe('dateOfKey', () => {
  it('reads the date of every archive layout', () => {
    expect(dateOfKey('raw/2026-02-03/0123456789abcdef0123456789abcdef.json')).toBe('2026-02-03');
    expect(dateOfKey('quarantine/2026-02-03/ab.bin')).toBe('2026-02-03');
    expect(dateOfKey('qos/2026-02-03/hwkAADUySwyG3GyUkqc0vA==.json')).toBe('2026-02-03');
    expect(dateOfKey('qos/budget/2026-02-03.json')).toBe('2026-02-03');
    expect(dateOfKey('reports/DAILY_REPORT_2026-02-03_000000000000.csv')).toBe('2026-02-03');
    expect(dateOfKey('reports/ATTENDANCE_2026-02-03.csv')).toBe('2026-02-03');
    expect(dateOfKey('raw/notes.txt')).toBeUndefined();
    expect(dateOfKey('raw/x12026-02-03y/a.json')).toBeUndefined();
  });
});

describe('archiveKeyExpired', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  const s = { ...RETENTION_DEFAULTS, rawDays: 1, quarantineDays: 2, exportsDays: 3 };
  it('applies each prefix its own setting', () => {
    expect(archiveKeyExpired('raw/2026-06-13/a.json', now, s)).toBe(true);
    expect(archiveKeyExpired('raw/2026-06-14/a.json', now, s)).toBe(false);
    expect(archiveKeyExpired('qos/2026-06-13/m.json', now, s)).toBe(true);
    expect(archiveKeyExpired('qos/budget/2026-06-13.json', now, s)).toBe(true);
    expect(archiveKeyExpired('quarantine/2026-06-12/a.bin', now, s)).toBe(true);
    expect(archiveKeyExpired('quarantine/2026-06-13/a.bin', now, s)).toBe(false);
    expect(archiveKeyExpired('reports/ATTENDANCE_2026-06-11.csv', now, s)).toBe(true);
    expect(archiveKeyExpired('reports/ATTENDANCE_2026-06-12.csv', now, s)).toBe(false);
  });
  it('never deletes other prefixes, undated keys, or anything kept forever', () => {
    expect(archiveKeyExpired('rosters/2000-01-01/r.csv', now, s)).toBe(false);
    expect(archiveKeyExpired('raw/notes.txt', now, s)).toBe(false);
    expect(archiveKeyExpired('raw/2000-01-01/a.json', now, { ...s, rawDays: null })).toBe(false);
  });
});

describe('recordings', () => {
  it('groups objects by stream with the newest time, ignoring keys outside <meeting>/<stream>/', () => {
    expect(
      recordingGroups([
        { key: 'm/s/parts/seg-1.bin', modifiedAt: 5, bytes: 1 },
        { key: 'm/s/manifest.json', modifiedAt: 9, bytes: 1 },
        { key: 'm/t/manifest.json', modifiedAt: 7, bytes: 1 },
        { key: 'm/loose.bin', modifiedAt: 1, bytes: 1 },
        { key: 'top.bin', modifiedAt: 1, bytes: 1 },
      ]),
    ).toEqual([
      { prefix: 'm/s/', keys: ['m/s/parts/seg-1.bin', 'm/s/manifest.json'], newestAt: 9 },
      { prefix: 'm/t/', keys: ['m/t/manifest.json'], newestAt: 7 },
    ]);
  });

  it('a stream goes once its newest object is older than the limit, never when kept forever', () => {
    const now = 100 * DAY;
    const media = [
      { key: 'm/old/a', modifiedAt: now - 2 * DAY - 1, bytes: 1 },
      { key: 'm/edge/a', modifiedAt: now - 2 * DAY, bytes: 1 },
    ];
    const listing = { archiveKeys: [], media, partitions: [] };
    const s = { ...RETENTION_DEFAULTS, recordingsDays: 2 };
    expect(planRetention(now, listing, s).recordings.map((g) => g.prefix)).toEqual(['m/old/']);
    expect(planRetention(now, listing, { ...s, recordingsDays: null }).recordings).toEqual([]);
  });
});

describe('partitions', () => {
  it('the recordings table follows the recordings limit, the others the warehouse limit', () => {
    const now = Date.parse('2026-06-15T12:00:00Z');
    const partitions = [
      { table: 'raw_events', date: '2026-06-12', rows: 1 },
      { table: 'raw_events', date: '2026-06-13', rows: 1 },
      { table: 'recordings', date: '2026-06-12', rows: 1 },
      { table: 'recordings', date: '2026-06-13', rows: 1 },
    ];
    const s = { ...RETENTION_DEFAULTS, warehouseDays: 2, recordingsDays: 3 };
    expect(planRetention(now, { archiveKeys: [], media: [], partitions }, s).partitions).toEqual([
      { table: 'raw_events', date: '2026-06-12', rows: 1 },
    ]);
  });
});
