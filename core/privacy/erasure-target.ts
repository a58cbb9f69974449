// Who an erasure is about. A selector (e-mail, account user id, display name or participant_key) finds
// the events that name the person; the person within each meeting instance is then every connection
// (participant_uuid) sharing a person key with those, as the report groups them. What comes out is
// every value that identifies them: per meeting, their connections, per-meeting ids and names; across
// meetings, their e-mails and account user ids. Pure: the job reads the rows.
import { normalizeDisplayName } from '../zoom/person-key.ts';

export type Selector =
  | { by: 'email'; value: string }
  | { by: 'user-id'; value: string }
  | { by: 'name'; value: string }
  | { by: 'key'; value: string };

/** The part of a raw_events row resolution reads. */
export interface IdentityRow {
  event_id: string;
  event_date: string;
  meeting_uuid: string | null;
  participant_uuid: string | null;
  participant_id: string | null;
  parent_participant_id: string | null;
  zoom_user_id: string | null;
  participant_name: string | null;
  participant_email: string | null;
  person_match: string | null;
  source: string;
}

export interface MeetingIdentity {
  /** participant_uuid values (one per connection). */
  connections: Set<string>;
  /** Per-meeting ids (webhook user_id, parent_user_id, RTMS user_id). */
  participantIds: Set<string>;
  /** Display names as sent (trimmed). */
  names: Set<string>;
  /** The same names as compared (normalizeDisplayName). */
  comparableNames: Set<string>;
}

export interface ErasureTarget {
  /** Meeting instance UUID -> the person in it. */
  meetings: Map<string, MeetingIdentity>;
  /** Lower-cased. */
  emails: Set<string>;
  accountIds: Set<string>;
}

export function emptyTarget(): ErasureTarget {
  return { meetings: new Map(), emails: new Set(), accountIds: new Set() };
}

export function isEmptyTarget(t: ErasureTarget): boolean {
  return t.meetings.size === 0 && t.emails.size === 0 && t.accountIds.size === 0;
}

const text = (v: string | null | undefined): string | undefined => {
  const t = v?.trim();
  return t ? t : undefined;
};

/** True when the row names the person the selector asks for. */
export function matchesSelector(row: IdentityRow, s: Selector): boolean {
  const want = s.value.trim();
  const email = text(row.participant_email)?.toLowerCase();
  const account = text(row.zoom_user_id);
  const name = text(row.participant_name);
  switch (s.by) {
    case 'email':
      return email !== undefined && email === want.toLowerCase();
    case 'user-id':
      return account !== undefined && account === want;
    case 'name':
      return name !== undefined && normalizeDisplayName(name) === normalizeDisplayName(want);
    case 'key':
      // participant_key as the report shows it (account id, else e-mail, else name) or its match form.
      return (
        row.person_match === want ||
        account === want ||
        (email !== undefined && email === want.toLowerCase()) ||
        (account === undefined &&
          email === undefined &&
          name !== undefined &&
          normalizeDisplayName(name) === normalizeDisplayName(want))
      );
  }
}

/**
 * The person the selector names in the given rows: `rows` must hold every row of each meeting
 * instance that has a matching row (resolution follows connections and person keys within a
 * meeting). Rows without a meeting are ignored.
 */
export function resolveTarget(rows: readonly IdentityRow[], selector: Selector): ErasureTarget {
  const byMeeting = new Map<string, IdentityRow[]>();
  for (const r of rows) {
    if (!r.meeting_uuid) continue;
    const list = byMeeting.get(r.meeting_uuid) ?? [];
    list.push(r);
    byMeeting.set(r.meeting_uuid, list);
  }
  const target = emptyTarget();
  for (const [meetingUuid, meetingRows] of byMeeting) {
    const own = personRows(meetingRows, selector);
    if (own.length === 0) continue;
    const m: MeetingIdentity = {
      connections: new Set(),
      participantIds: new Set(),
      names: new Set(),
      comparableNames: new Set(),
    };
    for (const r of own) {
      addTo(m.connections, r.participant_uuid);
      addTo(m.participantIds, r.participant_id);
      addTo(m.participantIds, r.parent_participant_id);
      const name = text(r.participant_name);
      if (name) {
        m.names.add(name);
        m.comparableNames.add(normalizeDisplayName(name));
      }
      const email = text(r.participant_email);
      if (email) target.emails.add(email.toLowerCase());
      addTo(target.accountIds, r.zoom_user_id);
    }
    target.meetings.set(meetingUuid, m);
  }
  return target;
}

function addTo(set: Set<string>, v: string | null): void {
  const t = text(v);
  if (t) set.add(t);
}

/**
 * The person's rows in one meeting: rows matching the selector, then (to a fixed point) every row
 * of a connection already in, of a person key already in, and RTMS rows whose user id or name is
 * theirs (RTMS carries neither uuid nor e-mail).
 */
function personRows(rows: readonly IdentityRow[], selector: Selector): IdentityRow[] {
  const inSet = new Set<IdentityRow>(rows.filter((r) => matchesSelector(r, selector)));
  if (inSet.size === 0) return [];
  for (;;) {
    const connections = new Set<string>();
    const keys = new Set<string>();
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const r of inSet) {
      if (r.participant_uuid) connections.add(r.participant_uuid);
      if (r.person_match) keys.add(r.person_match);
      if (r.participant_id) ids.add(r.participant_id);
      const name = text(r.participant_name);
      if (name) names.add(normalizeDisplayName(name));
    }
    const before = inSet.size;
    for (const r of rows) {
      if (inSet.has(r)) continue;
      const name = text(r.participant_name);
      const belongs =
        (r.participant_uuid !== null && connections.has(r.participant_uuid)) ||
        (r.person_match !== null && keys.has(r.person_match)) ||
        (r.source === 'rtms' &&
          ((r.participant_id !== null && ids.has(r.participant_id)) ||
            (name !== undefined && names.has(normalizeDisplayName(name)))));
      if (belongs) inSet.add(r);
    }
    if (inSet.size === before) return [...inSet];
  }
}
