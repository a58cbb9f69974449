// The retention job: lists each store, lets planRetention decide, and deletes through the ports (so
// every delete stays inside its store's root). Stores the platform expires itself are left out.
import type { Logger } from '../../core/log.ts';
import type { Archive, LiveState, MediaStore, StoredObjectInfo } from '../../core/ports.ts';
import { ARCHIVE_RETENTION, type RetentionSettings } from '../../core/retention-settings.ts';
import { dateOfKey, planRetention, type PartitionInfo } from './plan-retention.ts';

/** Daily partitions of the warehouse tables (DuckDB; BigQuery expires its partitions by itself). */
export interface WarehousePartitions {
  list(): Promise<PartitionInfo[]>;
  /** Deletes one partition's rows; returns how many. */
  delete(table: string, date: string): Promise<number>;
}

export interface RetentionDeps {
  settings: RetentionSettings;
  log: Logger;
  now: () => number;
  /** Omitted where Cloud Storage lifecycle rules expire the bucket. */
  archive?: Archive;
  media?: MediaStore;
  partitions?: WarehousePartitions;
  /** The in-process live state, whose expired meetings are dropped (Firestore has its TTL policy). */
  liveState?: LiveState;
}

export interface RetentionResult {
  dryRun: boolean;
  /** Archive keys deleted (or, dry, to delete) per prefix and day. */
  archive: { prefix: string; date: string; keys: number }[];
  /** Recorded streams deleted whole, by prefix, with their object count. */
  recordings: { prefix: string; objects: number }[];
  partitions: PartitionInfo[];
}

const PAGE = 1000;
/** Prefixes scanned; `qos/budget/` sorts after qos/'s dated folders, so it is scanned on its own. */
const SCANS = [...ARCHIVE_RETENTION.map((r) => r.prefix), 'qos/budget/'];

export async function runRetention(
  deps: RetentionDeps,
  opts: { dryRun?: boolean } = {},
): Promise<RetentionResult> {
  const now = deps.now();
  const dryRun = opts.dryRun ?? false;
  const result: RetentionResult = { dryRun, archive: [], recordings: [], partitions: [] };
  const failures: string[] = [];
  const step = async (name: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      deps.log.error({ err, store: name }, 'retention step failed; the next run retries it');
      failures.push(`${name}: ${(err as Error).message}`);
    }
  };

  const { archive, media, partitions, liveState } = deps;
  if (archive) {
    await step('archive', async () => {
      for (const prefix of SCANS)
        result.archive.push(...(await expireArchive(archive, prefix, now, deps, dryRun)));
    });
  }
  if (media) {
    await step('recordings', async () => {
      const listed: StoredObjectInfo[] = [];
      for await (const o of media.listObjects('')) listed.push(o);
      const plan = planRetention(now, { archiveKeys: [], media: listed, partitions: [] }, deps.settings);
      for (const g of plan.recordings) {
        const objects = dryRun ? g.keys.length : await media.deletePrefix(g.prefix);
        result.recordings.push({ prefix: g.prefix, objects });
      }
    });
  }
  if (partitions) {
    await step('warehouse', async () => {
      const listing = { archiveKeys: [], media: [], partitions: await partitions.list() };
      for (const p of planRetention(now, listing, deps.settings).partitions) {
        const rows = dryRun ? p.rows : await partitions.delete(p.table, p.date);
        result.partitions.push({ ...p, rows });
      }
    });
  }
  if (liveState && !dryRun) {
    // The in-process state drops meetings past their expiry whenever it is read.
    await step('live state', async () => void (await liveState.listMeetings({ includeEnded: true })));
  }

  deps.log.info(
    {
      dryRun,
      archiveKeys: Object.fromEntries(
        SCANS.map((p) => [p, sum(result.archive.filter((a) => a.prefix === p).map((a) => a.keys))]),
      ),
      recordings: result.recordings.length,
      recordingObjects: sum(result.recordings.map((r) => r.objects)),
      partitions: result.partitions.map((p) => `${p.table}/${p.date}: ${p.rows}`),
    },
    dryRun ? 'retention: would delete' : 'retention: deleted',
  );
  if (failures.length > 0) throw new Error(`retention incomplete: ${failures.join('; ')}`);
  return result;
}

/**
 * Deletes the expired keys under one prefix, a page at a time. Keys that begin with their date
 * (`raw/2025-01-01/…`) list in date order, so the listing stops at the first one kept.
 */
async function expireArchive(
  archive: Archive,
  prefix: string,
  now: number,
  deps: RetentionDeps,
  dryRun: boolean,
): Promise<RetentionResult['archive']> {
  const perDay = new Map<string, number>();
  const dated = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d{4}-\\d{2}-\\d{2}[/.]`);
  let page: string[] = [];
  let stop = false;
  const flush = async (): Promise<void> => {
    const plan = planRetention(now, { archiveKeys: page, media: [], partitions: [] }, deps.settings);
    const expired = new Set(plan.archive);
    stop = page.some((k) => !expired.has(k) && dated.test(k));
    for (const key of plan.archive) {
      if (!dryRun) await archive.delete(key);
      const day = dateOfKey(key.slice(prefix.length)) as string;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    page = [];
  };
  const nested = SCANS.filter((s) => s !== prefix && s.startsWith(prefix));
  for await (const key of archive.list(prefix)) {
    if (nested.some((n) => key.startsWith(n))) continue; // scanned on its own
    page.push(key);
    if (page.length < PAGE) continue;
    await flush();
    if (stop) break;
  }
  if (!stop && page.length > 0) await flush();
  return [...perDay].map(([date, keys]) => ({ prefix, date, keys }));
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
