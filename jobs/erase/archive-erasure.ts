// The erasure in the archive: webhook bodies under raw/ are rewritten at their own keys (with the mark
// of core/privacy/erased-body.ts, so replay and recovery read them back to the same rows), QoS pages
// under qos/ at theirs; quarantined bodies that mention the person are deleted, since a body that did
// not parse has no fields to pseudonymise.
import type { Archive } from '../../core/ports.ts';
import { markErased } from '../../core/privacy/erased-body.ts';
import type { Redactor } from '../../core/privacy/redactor.ts';
import { normalizeArchived } from '../../core/zoom/archived-event.ts';
import { meetingKeyOf } from '../../core/zoom/identifiers.ts';

export interface ArchivedEventRef {
  gcs_path: string;
  meeting_uuid: string;
  inserted_at: string;
}

export interface RawArchiveErasure {
  /** Bodies rewritten (or, dry, to rewrite). */
  rewritten: number;
  /** Keys listed in the warehouse with no object (deleted by retention). */
  missing: number;
  /** The keys rewritten (raw_events reads those back; their rows are what the bodies read back to). */
  keys: Set<string>;
}

const CONCURRENCY = 16;

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY)
    await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
}

/** Rewrites the archived bodies of the given events that hold the person's values. */
export async function eraseRawArchive(
  archive: Archive,
  refs: readonly ArchivedEventRef[],
  redactor: Redactor,
  dryRun: boolean,
): Promise<RawArchiveErasure> {
  const out: RawArchiveErasure = { rewritten: 0, missing: 0, keys: new Set() };
  await inBatches(refs, async (ref) => {
    const bytes = await archive.get(ref.gcs_path);
    if (!bytes) {
      out.missing++;
      return;
    }
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const { value, changed } = redactor.rewriteJson(body, ref.meeting_uuid);
    if (!changed) return;
    const eventId = ref.gcs_path.slice(ref.gcs_path.lastIndexOf('/') + 1, -'.json'.length);
    const next = Buffer.from(JSON.stringify(markErased(value, eventId)));
    const read = normalizeArchived(ref.gcs_path, next, ref.inserted_at);
    if (!read.ok) throw new Error(`erased body of ${ref.gcs_path} does not read back: ${read.reason}`);
    out.rewritten++;
    out.keys.add(ref.gcs_path);
    if (!dryRun) await archive.put(ref.gcs_path, next, 'application/json');
  });
  return out;
}

/** Rewrites the QoS pages (`qos/<date>/<meeting-key>.json`) of the meetings on the given dates. */
export async function eraseQosArchive(
  archive: Archive,
  meetingDates: ReadonlyMap<string, ReadonlySet<string>>,
  redactor: Redactor,
  dryRun: boolean,
): Promise<number> {
  let rewritten = 0;
  const keys: [string, string][] = [];
  for (const [meetingUuid, dates] of meetingDates)
    for (const date of dates) keys.push([`qos/${date}/${meetingKeyOf(meetingUuid)}.json`, meetingUuid]);
  await inBatches(keys, async ([key, meetingUuid]) => {
    const bytes = await archive.get(key);
    if (!bytes) return;
    const { value, changed } = redactor.rewriteJson(
      JSON.parse(bytes.toString('utf8')) as unknown,
      meetingUuid,
    );
    if (!changed) return;
    rewritten++;
    if (!dryRun) await archive.put(key, Buffer.from(JSON.stringify(value)), 'application/json');
  });
  return rewritten;
}

/** Lower-cased needles for the person's values as text and as JSON-escaped text. */
function needlesOf(redactor: Redactor): string[] {
  const needles = new Set<string>();
  for (const v of redactor.identifiers()) {
    needles.add(v.toLowerCase());
    needles.add(JSON.stringify(v).slice(1, -1).toLowerCase());
  }
  return [...needles];
}

/**
 * Keys under `prefix` whose text holds one of the person's values: the rosters operators keep in the
 * bucket (`rosters/`), which erase does not edit (the operator removes the person from them).
 */
export async function keysMentioning(
  archive: Archive,
  prefix: string,
  redactor: Redactor,
): Promise<string[]> {
  const needles = needlesOf(redactor);
  const found: string[] = [];
  if (needles.length === 0) return found;
  for await (const key of archive.list(prefix)) {
    const text = (await archive.get(key))?.toString('utf8').toLowerCase();
    if (text !== undefined && needles.some((n) => text.includes(n))) found.push(key);
  }
  return found;
}

/**
 * Deletes quarantined bodies (under `quarantine/<day>/` for the given days, or all) holding any of
 * the person's values as text or JSON-escaped text; e-mails compare case-insensitively.
 */
export async function eraseQuarantine(
  archive: Archive,
  days: readonly string[] | undefined,
  redactor: Redactor,
  dryRun: boolean,
): Promise<number> {
  const needles = needlesOf(redactor);
  if (needles.length === 0) return 0;
  const prefixes = days ? days.map((d) => `quarantine/${d}/`) : ['quarantine/'];
  let deleted = 0;
  for (const prefix of prefixes) {
    const keys: string[] = [];
    for await (const key of archive.list(prefix)) keys.push(key);
    await inBatches(keys, async (key) => {
      const text = (await archive.get(key))?.toString('utf8').toLowerCase();
      if (text === undefined || !needles.some((n) => text.includes(n))) return;
      deleted++;
      if (!dryRun) await archive.delete(key);
    });
  }
  return deleted;
}
