import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';
import { RETENTION_DEFAULTS, partitionRetention, retentionSettingsOf } from './retention-settings.ts';

describe('retention settings', () => {
  it('default to 400 days for raw, warehouse and exports, 180 for recordings, 90 for quarantine', () => {
    const c = parseConfig({});
    expect(retentionSettingsOf(c)).toEqual({
      rawDays: 400,
      quarantineDays: 90,
      warehouseDays: 400,
      recordingsDays: 180,
      exportsDays: 400,
    });
    expect(RETENTION_DEFAULTS).toEqual(retentionSettingsOf(c));
  });

  it('take whole days or "forever" (kept forever: null)', () => {
    const c = parseConfig({
      RETENTION_RAW_DAYS: 'forever',
      RETENTION_QUARANTINE_DAYS: ' 7 ',
      RETENTION_WAREHOUSE_DAYS: 'FOREVER',
      RETENTION_RECORDINGS_DAYS: '30',
      RETENTION_EXPORTS_DAYS: '1',
    });
    expect(retentionSettingsOf(c)).toEqual({
      rawDays: null,
      quarantineDays: 7,
      warehouseDays: null,
      recordingsDays: 30,
      exportsDays: 1,
    });
  });

  it('refuse 0, fractions, negatives and words other than forever, all in one error', () => {
    let error: unknown;
    try {
      parseConfig({
        RETENTION_RAW_DAYS: '0',
        RETENTION_QUARANTINE_DAYS: '1.5',
        RETENTION_WAREHOUSE_DAYS: '-3',
        RETENTION_RECORDINGS_DAYS: 'never',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'RETENTION_RAW_DAYS must be a whole number of days (1 to 36500) or "forever" (got "0")',
      'RETENTION_QUARANTINE_DAYS must be a whole number of days (1 to 36500) or "forever" (got "1.5")',
      'RETENTION_WAREHOUSE_DAYS must be a whole number of days (1 to 36500) or "forever" (got "-3")',
      'RETENTION_RECORDINGS_DAYS must be a whole number of days (1 to 36500) or "forever" (got "never")',
    ]);
  });

  it('the recordings table follows the recordings; every other table the warehouse setting', () => {
    const s = { ...RETENTION_DEFAULTS, warehouseDays: 10, recordingsDays: 20 };
    expect(partitionRetention('recordings', s)).toBe(20);
    expect(partitionRetention('raw_events', s)).toBe(10);
    expect(partitionRetention('daily_reports', s)).toBe(10);
  });
});
