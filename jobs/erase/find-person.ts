// Who an erasure request is about, as the warehouse knows them: the meeting instances where the
// selector names someone (or, for an account user id, that they hosted), and every raw_events row
// of those meetings in the form target resolution reads.
import type { IdentityRow, Selector } from '../../core/privacy/erasure-target.ts';
import type { SqlEngine, Statement } from '../../core/warehouse/sql-engine.ts';
import { normalizeDisplayName } from '../../core/zoom/person-key.ts';
import { meetingsWhere } from './warehouse-erasure.ts';

/** Who, and where to look. */
export interface PersonQuery {
  selector: Selector;
  /** A meeting instance UUID the erasure is limited to. */
  meeting?: string;
  /** UTC dates bounding the events that find the person (inclusive). */
  from?: string;
  to?: string;
}

/** The meeting instances where the selector names someone, within the request's scope. */
export async function findMeetings(engine: SqlEngine, dataset: string, req: PersonQuery): Promise<string[]> {
  const v = req.selector.value.trim();
  const selector: Statement = ((): Statement => {
    switch (req.selector.by) {
      case 'email':
        return {
          sql: 'LOWER(TRIM(participant_email)) = @erase_value',
          params: { erase_value: v.toLowerCase() },
        };
      case 'user-id':
        return { sql: 'TRIM(zoom_user_id) = @erase_value', params: { erase_value: v } };
      case 'name':
        // Names compare normalised (NFKC, case-folded), which SQL cannot: candidates, checked below.
        return { sql: 'participant_name IS NOT NULL', params: {} };
      case 'key':
        return {
          sql: `(person_match = @erase_value OR TRIM(zoom_user_id) = @erase_value
            OR LOWER(TRIM(participant_email)) = @erase_lower OR person_match = @erase_name_key)`,
          params: {
            erase_value: v,
            erase_lower: v.toLowerCase(),
            erase_name_key: `n:${normalizeDisplayName(v)}`,
          },
        };
    }
  })();
  const sql = `SELECT DISTINCT meeting_uuid, participant_name FROM ${dataset}.raw_events
    WHERE meeting_uuid IS NOT NULL AND ${selector.sql}
      AND event_date BETWEEN CAST(@erase_from AS DATE) AND CAST(@erase_to AS DATE)
      ${req.meeting ? 'AND meeting_uuid = @erase_meeting' : ''}`;
  const { rows } = await engine.query<{ meeting_uuid: string; participant_name: string | null }>(sql, {
    ...selector.params,
    erase_from: req.from ?? '1970-01-01',
    erase_to: req.to ?? '9999-12-31',
    ...(req.meeting && { erase_meeting: req.meeting }),
  });
  const want = normalizeDisplayName(v);
  const hits =
    req.selector.by === 'name'
      ? rows.filter((r) => r.participant_name && normalizeDisplayName(r.participant_name) === want)
      : rows;
  return [...new Set(hits.map((r) => r.meeting_uuid))].sort();
}

/** Meetings whose events name the account user id the request gives as their host (`host_id`). */
export async function hostedMeetings(
  engine: SqlEngine,
  dataset: string,
  req: PersonQuery,
): Promise<string[]> {
  if (req.selector.by !== 'user-id' && req.selector.by !== 'key') return [];
  const { rows } = await engine.query<{ meeting_uuid: string }>(
    `SELECT DISTINCT meeting_uuid FROM ${dataset}.raw_events
    WHERE meeting_uuid IS NOT NULL AND source = 'webhook'
      AND JSON_VALUE(raw_payload, '$.payload.object.host_id') = @erase_host
      AND event_date BETWEEN CAST(@erase_from AS DATE) AND CAST(@erase_to AS DATE)
      ${req.meeting ? 'AND meeting_uuid = @erase_meeting' : ''}`,
    {
      erase_host: req.selector.value.trim(),
      erase_from: req.from ?? '1970-01-01',
      erase_to: req.to ?? '9999-12-31',
      ...(req.meeting && { erase_meeting: req.meeting }),
    },
  );
  return rows.map((r) => r.meeting_uuid);
}

export type ResolvedRow = IdentityRow & { gcs_path: string; inserted_at: string };

/** Every row of the meetings, as resolution reads them. */
export async function identityRows(
  engine: SqlEngine,
  dataset: string,
  meetings: readonly string[],
): Promise<ResolvedRow[]> {
  if (meetings.length === 0) return [];
  const where = meetingsWhere(meetings);
  const { rows } = await engine.query<Record<string, unknown>>(
    `SELECT event_id, CAST(event_date AS STRING) AS event_date, meeting_uuid, participant_uuid, participant_id,
      parent_participant_id, zoom_user_id, participant_name, participant_email, person_match, source, gcs_path,
      CAST(inserted_at AS STRING) AS inserted_at
    FROM ${dataset}.raw_events WHERE ${where.sql}`,
    where.params,
  );
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return rows.map((r) => ({
    event_id: String(r['event_id']),
    event_date: String(r['event_date']).slice(0, 10),
    meeting_uuid: text(r['meeting_uuid']),
    participant_uuid: text(r['participant_uuid']),
    participant_id: text(r['participant_id']),
    parent_participant_id: text(r['parent_participant_id']),
    zoom_user_id: text(r['zoom_user_id']),
    participant_name: text(r['participant_name']),
    participant_email: text(r['participant_email']),
    person_match: text(r['person_match']),
    source: String(r['source']),
    gcs_path: String(r['gcs_path'] ?? ''),
    inserted_at: String(r['inserted_at'] ?? ''),
  }));
}
