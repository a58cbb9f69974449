// Retention the platform enforces: bucket lifecycle rules per archive prefix and BigQuery partition
// expiration per table, from the same settings (and defaults) as the embedded default's retention job.
import type { StorageBucketLifecycleRule } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import {
  ARCHIVE_RETENTION,
  partitionRetention,
  type RetentionDays,
  type RetentionSettings,
} from '../core/retention-settings.ts';

const DAY_MS = 86_400_000;

/**
 * Colder classes for what is kept long: each step only where the objects stay in it at least as long
 * as the class bills (Nearline 30 days, Coldline 90), else the early-deletion charge eats the saving.
 */
const COLDER: Partial<
  Record<keyof RetentionSettings, { age: number; storageClass: string; minimumDays: number; from: string }[]>
> = {
  rawDays: [
    { age: 30, storageClass: 'NEARLINE', minimumDays: 30, from: 'STANDARD' },
    { age: 365, storageClass: 'COLDLINE', minimumDays: 90, from: 'NEARLINE' },
  ],
  exportsDays: [{ age: 30, storageClass: 'NEARLINE', minimumDays: 30, from: 'STANDARD' }],
};

/** Per setting: its prefixes moved to colder classes while kept, then deleted at its age (none when forever). */
export function bucketLifecycleRules(retention: RetentionSettings): StorageBucketLifecycleRule[] {
  const rules: StorageBucketLifecycleRule[] = [];
  const settings = [...new Set(ARCHIVE_RETENTION.map((r) => r.setting))];
  for (const setting of settings) {
    const prefixes = ARCHIVE_RETENTION.filter((r) => r.setting === setting).map((r) => r.prefix);
    const days = retention[setting];
    for (const step of COLDER[setting] ?? []) {
      if (days !== null && days < step.age + step.minimumDays) continue;
      rules.push({
        condition: { age: step.age, matchesPrefix: prefixes, matchesStorageClass: [step.from] },
        action: { type: 'SetStorageClass', storageClass: step.storageClass },
      });
    }
    if (days !== null)
      rules.push({ condition: { age: days, matchesPrefix: prefixes }, action: { type: 'Delete' } });
  }
  return rules;
}

/** A table's `timePartitioning.expirationMs`, or nothing when its partitions are kept forever. */
export function partitionExpiration(table: string, retention: RetentionSettings): { expirationMs?: number } {
  const days: RetentionDays = partitionRetention(table, retention);
  return days === null ? {} : { expirationMs: days * DAY_MS };
}
