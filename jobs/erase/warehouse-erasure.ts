// The erasure in the warehouse: each table's rows of the person's meetings are read, rewritten through
// the redactor and written back in one replace per table (delete + insert, atomic), only when one of
// them changes. raw_events goes last, since it is where a rerun finds the person again if anything
// before it failed; its webhook rows become exactly what replay reads from the rewritten archive.
import type { Archive } from '../../core/ports.ts';
import { isErasedBody, markErased } from '../../core/privacy/erased-body.ts';
import type { Redactor } from '../../core/privacy/redactor.ts';
import type { Row, SqlEngine, Statement, WarehouseTable } from '../../core/warehouse/sql-engine.ts';
import { normalizeArchived } from '../../core/zoom/archived-event.ts';
import { redactManifest, type SpeakerMatch } from './recordings.ts';

/** Values as one parameter a query splits at spaces (`x IN UNNEST(SPLIT(@p, ' '))`): no value holds a space. */
export function spaceList(values: Iterable<string>): string {
  return [...values].join(' ');
}

/** The rows of these meeting instances (a list BigQuery prunes clusters by: every table clusters by meeting_uuid). */
export function meetingsWhere(meetings: Iterable<string>): Statement {
  return {
    sql: `meeting_uuid IN UNNEST(SPLIT(@erase_meetings, ' '))`,
    params: { erase_meetings: spaceList(meetings) },
  };
}

/** Runs a replace again while BigQuery refuses it for rows in the streaming buffer (identity elsewhere). */
export type BufferRetry = <T>(work: () => Promise<T>) => Promise<T>;

export interface TableErasure {
  table: WarehouseTable;
  /** Rows whose values changed (or, dry, would). */
  rows: number;
}

/** The speaker matching of recordings, from the redactor. */
export function speakerMatchOf(redactor: Redactor): SpeakerMatch {
  return {
    isPerson: (meetingUuid, speaker) => redactor.isSpeaker(meetingUuid, speaker),
    namesIn: (meetingUuid) => redactor.namesIn(meetingUuid),
    pseudonymName: (name) => redactor.pseudonym('name', name),
    pseudonymId: (id) => redactor.pseudonym('participant', id),
    userIdsIn: (meetingUuid) => [...(redactor.target.meetings.get(meetingUuid)?.participantIds ?? [])],
  };
}

const json = (v: unknown): { parsed: unknown; wasText: boolean } =>
  typeof v === 'string' ? { parsed: JSON.parse(v) as unknown, wasText: true } : { parsed: v, wasText: false };

/** One row of any table rewritten: its columns, and the JSON it holds (raw_payload, manifest). */
export function rewriteRow(
  table: WarehouseTable,
  row: Row,
  redactor: Redactor,
): { row: Row; changed: boolean } {
  const meetingUuid = typeof row['meeting_uuid'] === 'string' ? row['meeting_uuid'] : undefined;
  const { raw_payload: payload, manifest, ...columns } = row;
  const r = redactor.rewriteJson(columns, meetingUuid);
  let changed = r.changed;
  const out: Row = { ...r.value };
  if (payload !== undefined && payload !== null) {
    const { parsed, wasText } = json(payload);
    const p = redactor.rewriteJson(parsed, meetingUuid);
    changed ||= p.changed;
    out['raw_payload'] = p.changed ? (wasText ? JSON.stringify(p.value) : p.value) : payload;
  } else if (payload !== undefined) out['raw_payload'] = payload;
  if (table === 'recordings' && manifest !== undefined && manifest !== null && meetingUuid) {
    const { parsed, wasText } = json(manifest);
    const m = redactManifest(parsed, meetingUuid, speakerMatchOf(redactor));
    changed ||= m.changed;
    out['manifest'] = m.changed ? (wasText ? JSON.stringify(m.manifest) : m.manifest) : manifest;
  } else if (manifest !== undefined) out['manifest'] = manifest;
  return { row: out, changed };
}

/** Rewrites the rows `where` selects; replaces them only when one changed. */
export async function eraseTable(
  engine: SqlEngine,
  table: WarehouseTable,
  where: Statement,
  rewrite: (row: Row) => { row: Row; changed: boolean } | Promise<{ row: Row; changed: boolean }>,
  opts: { dryRun: boolean; retry: BufferRetry },
): Promise<TableErasure> {
  const rows = await engine.selectRows(table, where);
  const next: Row[] = [];
  let changed = 0;
  for (const row of rows) {
    const r = await rewrite(row);
    if (r.changed) changed++;
    next.push(r.row);
  }
  if (changed > 0 && !opts.dryRun) await opts.retry(() => engine.replaceRows(table, where, next));
  return { table, rows: changed };
}

/** The tables keyed by meeting, in the order they are erased (raw_events comes last, on its own). */
export const MEETING_TABLES = ['camera_minutes', 'daily_reports', 'attendance', 'recordings'] as const;

export async function eraseWarehouse(
  engine: SqlEngine,
  meetings: ReadonlySet<string>,
  redactor: Redactor,
  opts: { dryRun: boolean; retry: BufferRetry },
): Promise<TableErasure[]> {
  const out: TableErasure[] = [];
  if (meetings.size === 0 && redactor.target.emails.size === 0) return out;
  const byEmail: Statement | undefined =
    redactor.target.emails.size > 0
      ? {
          sql: `LOWER(TRIM(email)) IN UNNEST(SPLIT(@erase_emails, ' '))`,
          params: { erase_emails: spaceList(redactor.target.emails) },
        }
      : undefined;
  const erase = async (table: WarehouseTable, where: Statement): Promise<number> =>
    (await eraseTable(engine, table, where, (r) => rewriteRow(table, r, redactor), opts)).rows;
  for (const table of MEETING_TABLES) {
    let rows = 0;
    for (const chunk of chunksOf(meetings)) rows += await erase(table, meetingsWhere(chunk));
    // A roster member has an attendance row in every meeting of the day, absent ones included: those
    // of the meetings they missed are found by e-mail, or they keep their e-mail, names and roster id.
    if (table === 'attendance' && byEmail) {
      const elsewhere = meetingsWhere(meetings);
      rows += await erase(table, {
        sql: `(${byEmail.sql}) AND NOT (${elsewhere.sql})`,
        params: { ...byEmail.params, ...elsewhere.params },
      });
    }
    out.push({ table, rows });
  }
  if (byEmail) out.push({ table: 'roster', rows: await erase('roster', byEmail) });
  return out;
}

/**
 * The row an archived webhook body reads back to once erased (the body in raw_payload rewritten and
 * marked as eraseRawArchive writes it), or undefined when the erasure does not change it. For rows
 * whose body an earlier, interrupted run already rewrote (this run finds it unchanged), so raw_events
 * still ends up as replay reads the archive.
 */
function erasedWebhookRow(row: Row, redactor: Redactor): Row | undefined {
  const payload = row['raw_payload'];
  if (payload === null || payload === undefined) return undefined;
  const meetingUuid = typeof row['meeting_uuid'] === 'string' ? row['meeting_uuid'] : undefined;
  const { parsed } = json(payload);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const r = redactor.rewriteJson(parsed as Record<string, unknown>, meetingUuid);
  if (!r.changed) return undefined;
  const key = String(row['gcs_path']);
  const body = Buffer.from(JSON.stringify(markErased(r.value, String(row['event_id']))));
  const read = normalizeArchived(key, body, String(row['inserted_at']));
  if (!read.ok) throw new Error(`erased body of ${key} does not read back: ${read.reason}`);
  return { ...read.normalized.row, inserted_at: row['inserted_at'] } as Row;
}

/**
 * raw_events of the person's meetings, a few meetings at a time: webhook rows whose body this run
 * rewrote (`rewrittenKeys`) take the row that body reads back to (as replay would write it), read
 * back from the archive; others (a dry run, a body an interrupted run rewrote or retention deleted)
 * the same rewrite of the body in raw_payload; RTMS and QoS rows column by column and in raw_payload.
 */
export async function eraseRawEvents(
  engine: SqlEngine,
  archive: Archive,
  rewrittenKeys: ReadonlySet<string>,
  meetings: ReadonlySet<string>,
  redactor: Redactor,
  opts: { dryRun: boolean; retry: BufferRetry },
): Promise<TableErasure> {
  let rows = 0;
  for (const chunk of chunksOf(meetings)) {
    const erased = await eraseTable(
      engine,
      'raw_events',
      meetingsWhere(chunk),
      async (row) => {
        if (row['source'] !== 'webhook') return rewriteRow('raw_events', row, redactor);
        const key = String(row['gcs_path'] ?? '');
        const fromArchive = rewrittenKeys.has(key) ? await archivedRow(archive, key, row) : undefined;
        const next = fromArchive ?? erasedWebhookRow(row, redactor);
        return next && !sameRow(next, row) ? { row: next, changed: true } : { row, changed: false };
      },
      opts,
    );
    rows += erased.rows;
  }
  return { table: 'raw_events', rows };
}

/** Meetings per warehouse read: what one replace holds in memory. */
const MEETINGS_PER_CHUNK = 25;

function* chunksOf(meetings: ReadonlySet<string>): Generator<string[]> {
  const all = [...meetings].sort();
  for (let i = 0; i < all.length; i += MEETINGS_PER_CHUNK) yield all.slice(i, i + MEETINGS_PER_CHUNK);
}

/** The row an erased archived body reads back to, or undefined (no object, or no erasure mark). */
async function archivedRow(archive: Archive, key: string, row: Row): Promise<Row | undefined> {
  const bytes = await archive.get(key);
  if (!bytes || !isErasedBody(bytes)) return undefined;
  const read = normalizeArchived(key, bytes, String(row['inserted_at']));
  if (!read.ok) throw new Error(`erased body of ${key} does not read back: ${read.reason}`);
  return { ...read.normalized.row, inserted_at: row['inserted_at'] } as Row;
}

function sameRow(a: Row, b: Row): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)) return false;
  return true;
}
