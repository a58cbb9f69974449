// What retention deletes, decided from a listing and a clock alone: archive keys by the date in their
// name, recordings (all objects of one stream) by their newest object, warehouse partitions by date.
import type { StoredObjectInfo } from '../../core/ports.ts';
import {
  ARCHIVE_RETENTION,
  partitionRetention,
  type RetentionDays,
  type RetentionSettings,
} from '../../core/retention-settings.ts';

const DAY_MS = 86_400_000;

export interface PartitionInfo {
  table: string;
  /** YYYY-MM-DD */
  date: string;
  rows: number;
}

export interface RetentionListing {
  archiveKeys: readonly string[];
  media: readonly StoredObjectInfo[];
  partitions: readonly PartitionInfo[];
}

export interface RecordingGroup {
  /** `<meeting-key>/<stream-id>/`: everything of one recorded stream, deleted together. */
  prefix: string;
  keys: string[];
  newestAt: number;
}

export interface RetentionPlan {
  archive: string[];
  recordings: RecordingGroup[];
  partitions: PartitionInfo[];
}

/**
 * The first day kept: a day goes once all of it is older than `days` days (UTC), so data is deleted
 * between `days` and `days + 1` days after it was written; undefined when kept forever.
 */
export function firstDayKept(now: number, days: RetentionDays): string | undefined {
  return days === null ? undefined : new Date(now - days * DAY_MS).toISOString().slice(0, 10);
}

/** The date an archive key carries (the first YYYY-MM-DD in it), if any. */
export function dateOfKey(key: string): string | undefined {
  return /(?:^|[/_])(\d{4}-\d{2}-\d{2})(?=[/_.]|$)/.exec(key)?.[1];
}

/** Whether an archive key is past its prefix's retention; keys of other prefixes or without a date are kept. */
export function archiveKeyExpired(key: string, now: number, settings: RetentionSettings): boolean {
  const rule = ARCHIVE_RETENTION.find((r) => key.startsWith(r.prefix));
  if (!rule) return false;
  const firstKept = firstDayKept(now, settings[rule.setting]);
  const date = dateOfKey(key.slice(rule.prefix.length));
  return firstKept !== undefined && date !== undefined && date < firstKept;
}

/** Objects grouped by recorded stream; keys with fewer than three segments are no recording and stay. */
export function recordingGroups(media: readonly StoredObjectInfo[]): RecordingGroup[] {
  const groups = new Map<string, RecordingGroup>();
  for (const o of media) {
    const parts = o.key.split('/');
    if (parts.length < 3 || parts[0] === '' || parts[1] === '') continue;
    const prefix = `${parts[0]}/${parts[1]}/`;
    const g = groups.get(prefix);
    if (g) {
      g.keys.push(o.key);
      g.newestAt = Math.max(g.newestAt, o.modifiedAt);
    } else groups.set(prefix, { prefix, keys: [o.key], newestAt: o.modifiedAt });
  }
  return [...groups.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
}

export function planRetention(
  now: number,
  listing: RetentionListing,
  settings: RetentionSettings,
): RetentionPlan {
  const archive = listing.archiveKeys.filter((k) => archiveKeyExpired(k, now, settings));
  const recordings =
    settings.recordingsDays === null
      ? []
      : recordingGroups(listing.media).filter(
          (g) => g.newestAt < now - (settings.recordingsDays as number) * DAY_MS,
        );
  const partitions = listing.partitions.filter((p) => {
    const firstKept = firstDayKept(now, partitionRetention(p.table, settings));
    return firstKept !== undefined && p.date < firstKept;
  });
  return { archive, recordings, partitions };
}
