// How long each kind of data is kept: the defaults, the `N days | forever` setting both core/config.ts
// and the Terraform inputs parse, and which archive prefix and warehouse table each setting governs.
import { z } from 'zod';

/** Whole days, or null: kept forever. */
export type RetentionDays = number | null;

export interface RetentionSettings {
  /** raw/ (the archived webhook bodies, the source of replay) and qos/ (Dashboard QoS pages). */
  rawDays: RetentionDays;
  /** quarantine/: signed bodies that could not be parsed. */
  quarantineDays: RetentionDays;
  /** Daily partitions of raw_events, camera_minutes, daily_reports and attendance. */
  warehouseDays: RetentionDays;
  /** RTMS recordings (the media store) and their rows in the `recordings` table. */
  recordingsDays: RetentionDays;
  /** reports/: exported CSVs. */
  exportsDays: RetentionDays;
}

/**
 * About 13 months for what makes up the record (a whole school or financial year and a month to
 * close it), half a year for recordings (the largest and most sensitive files), 90 days for bodies
 * kept only to debug a parse failure.
 */
export const RETENTION_DEFAULTS: Readonly<RetentionSettings> = Object.freeze({
  rawDays: 400,
  quarantineDays: 90,
  warehouseDays: 400,
  recordingsDays: 180,
  exportsDays: 400,
});

/** The setting each environment variable sets (RETENTION_* in the config, ZT_RETENTION_* in Terraform). */
export const RETENTION_ENV = {
  RETENTION_RAW_DAYS: 'rawDays',
  RETENTION_QUARANTINE_DAYS: 'quarantineDays',
  RETENTION_WAREHOUSE_DAYS: 'warehouseDays',
  RETENTION_RECORDINGS_DAYS: 'recordingsDays',
  RETENTION_EXPORTS_DAYS: 'exportsDays',
} as const satisfies Record<string, keyof RetentionSettings>;
export type RetentionEnvName = keyof typeof RETENTION_ENV;

/** `N` (whole days, at least 1) or `forever`; unset gives `defaultDays`. */
export function retentionDays(defaultDays: RetentionDays) {
  return z
    .string()
    .trim()
    .transform((s, ctx): RetentionDays => {
      if (s.toLowerCase() === 'forever') return null;
      const n = Number(s);
      if (/^\d+$/.test(s) && n >= 1 && n <= 36_500) return n;
      ctx.addIssue({ code: 'custom', message: 'must be a whole number of days (1 to 36500) or "forever"' });
      return z.NEVER;
    })
    .default(defaultDays);
}

/** The settings out of a parsed object holding `prefix + RETENTION_*_DAYS`. */
export function retentionSettingsOf(
  parsed: Readonly<Record<string, unknown>>,
  prefix = '',
): RetentionSettings {
  const out = { ...RETENTION_DEFAULTS };
  for (const [env, setting] of Object.entries(RETENTION_ENV) as [
    RetentionEnvName,
    keyof RetentionSettings,
  ][]) {
    const v = parsed[`${prefix}${env}`];
    if (v === null || typeof v === 'number') out[setting] = v;
  }
  return Object.freeze(out);
}

/**
 * Archive prefixes and the setting that governs them. Every key under them carries its date
 * (`raw/YYYY-MM-DD/…`, `qos/YYYY-MM-DD/…`, `qos/budget/YYYY-MM-DD.json`, `quarantine/YYYY-MM-DD/…`,
 * `reports/DAILY_REPORT_YYYY-MM-DD_….csv`); other prefixes (rosters/) are never deleted.
 */
export const ARCHIVE_RETENTION: readonly { prefix: string; setting: keyof RetentionSettings }[] = [
  { prefix: 'raw/', setting: 'rawDays' },
  { prefix: 'qos/', setting: 'rawDays' },
  { prefix: 'quarantine/', setting: 'quarantineDays' },
  { prefix: 'reports/', setting: 'exportsDays' },
];

/** Days a warehouse table's daily partitions are kept: `recordings` follows the recordings. */
export function partitionRetention(table: string, settings: RetentionSettings): RetentionDays {
  return table === 'recordings' ? settings.recordingsDays : settings.warehouseDays;
}
