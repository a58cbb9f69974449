// Rewrites what an erasure reaches: any JSON (webhook bodies, QoS pages, RTMS payloads, warehouse and
// CSV rows), live-state events and transcript speakers. Values that identify the person on their own
// (e-mail, account user id, participant_uuid) are replaced wherever they occur; names, per-meeting ids
// and other details only inside a record that is the person's (an object carrying one of their ids),
// so someone else with the same display name keeps theirs.
import { normalizeDisplayName } from '../zoom/person-key.ts';
import type { StateEvent } from '../zoom/types.ts';
import type { ErasureTarget, MeetingIdentity } from './erasure-target.ts';
import { isPseudonym, type IdentifierKind, type Pseudonyms } from './pseudonym.ts';

/** Fields of a record that make it the person's when they hold one of the person's values. */
const CONNECTION_FIELDS = new Set(['participant_uuid', 'participantUuid']);
const EMAIL_FIELDS = new Set(['email', 'user_email', 'participant_email', 'registrant_email']);
const ACCOUNT_FIELDS = new Set(['id', 'participant_user_id', 'zoom_user_id', 'accountUserId']);
const PARTICIPANT_ID_FIELDS = new Set(['user_id', 'participant_id', 'userId', 'parent_user_id']);
const KEY_FIELDS = new Set(['participant_key', 'person_match', 'participantKey']);
const NAME_FIELDS = new Set(['user_name', 'participant_name', 'name', 'display_name']);

/** Free text that may name the person ("Dana K left the meeting"): their names in it are replaced. */
const TEXT_FIELDS = new Set(['leave_reason', 'leaveReason']);

/** Details replaced inside the person's records whatever their value (kind of pseudonym). */
const DETAIL_FIELDS: ReadonlyMap<string, IdentifierKind> = new Map([
  ['first_name', 'name'],
  ['last_name', 'name'],
  ['phone_number', 'detail'],
  ['registrant_id', 'detail'],
  ['customer_key', 'detail'],
  ['roster_id', 'detail'],
  ['ip_address', 'detail'],
  ['public_ip', 'detail'],
  ['private_ip', 'detail'],
  ['location', 'detail'],
  ['mac_addr', 'detail'],
  ['pc_name', 'detail'],
  ['harddisk_id', 'detail'],
  ['domain', 'detail'],
]);

/**
 * A set known only by the pseudonyms of its values (an erasure register): `has(v)` hashes `v`. It
 * lists nothing, so a redactor over it replaces values but cannot name them in free text.
 */
export class KeyedSet extends Set<string> {
  readonly #keyed: ReadonlySet<string>;
  readonly #of: (v: string) => string;
  constructor(kind: IdentifierKind, keyed: Iterable<string>, pseudonyms: Pseudonyms) {
    super();
    this.#keyed = new Set(keyed);
    this.#of = (v) => pseudonyms.of(kind, v);
  }
  override has(value: string): boolean {
    return this.#keyed.has(this.#of(value));
  }
}

export interface Rewritten<T> {
  value: T;
  changed: boolean;
}

export interface Redactor {
  readonly target: ErasureTarget;
  /** A JSON value with the person's identifiers replaced; `meetingUuid` scopes names and per-meeting ids. */
  rewriteJson<T>(value: T, meetingUuid: string | null | undefined): Rewritten<T>;
  rewriteStateEvent(e: StateEvent): StateEvent;
  /** True when the state event is about the person (or names one of their ids). */
  touchesStateEvent(e: StateEvent): boolean;
  /** For transcripts and manifests: is this speaker the person in that meeting. */
  isSpeaker(meetingUuid: string, speaker: { userId?: string; name?: string }): boolean;
  namesIn(meetingUuid: string): readonly string[];
  pseudonym(kind: IdentifierKind, value: string): string;
  /** Every value that identifies the person, as stored (for searching opaque bytes). */
  identifiers(): string[];
}

export function createRedactor(target: ErasureTarget, pseudonyms: Pseudonyms): Redactor {
  const plainConnections = new Set<string>();
  const keyedConnections: Set<string>[] = [];
  for (const m of target.meetings.values()) {
    if (m.connections instanceof KeyedSet) keyedConnections.push(m.connections);
    else for (const c of m.connections) plainConnections.add(c);
  }
  const allConnections = {
    has: (t: string): boolean => plainConnections.has(t) || keyedConnections.some((c) => c.has(t)),
  };
  const none: MeetingIdentity = {
    connections: new Set(),
    participantIds: new Set(),
    names: new Set(),
    comparableNames: new Set(),
  };
  const meetingOf = (uuid: string | null | undefined): MeetingIdentity =>
    (uuid ? target.meetings.get(uuid) : undefined) ?? none;

  /** The replacement of a string, or undefined when it is not the person's. */
  function replace(s: string, own: boolean, m: MeetingIdentity): string | undefined {
    const t = s.trim();
    if (t === '' || isPseudonym(t)) return undefined;
    if (target.emails.has(t.toLowerCase())) return pseudonyms.of('email', t);
    if (target.accountIds.has(t)) return pseudonyms.of('account', t);
    if (allConnections.has(t)) return pseudonyms.of('connection', t);
    const keyed = /^([uen]):(.+)$/s.exec(t);
    if (keyed) {
      const [, kind, rest] = keyed as unknown as [string, string, string];
      if (kind === 'u' && target.accountIds.has(rest)) return `u:${pseudonyms.of('account', rest)}`;
      if (kind === 'e' && target.emails.has(rest)) return `e:${pseudonyms.of('email', rest)}`;
      if (kind === 'n' && own && m.comparableNames.has(rest))
        return `n:${normalizeDisplayName(pseudonyms.of('name', rest))}`;
    }
    if (!own) return undefined;
    if (m.participantIds.has(t)) return pseudonyms.of('participant', t);
    if (m.comparableNames.has(normalizeDisplayName(t))) return pseudonyms.of('name', t);
    return undefined;
  }

  /** Each of the person's names inside free text, as a whole word in any case, by its pseudonym. */
  function namesReplaced(text: string, m: MeetingIdentity): string {
    let out = text;
    for (const name of [...m.names].sort((a, b) => b.length - a.length)) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
      out = out.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'),
        pseudonyms.of('name', name),
      );
    }
    return out;
  }

  function isOwn(record: Record<string, unknown>, m: MeetingIdentity): boolean {
    let hasId = false;
    let nameMatch = false;
    for (const [k, v] of Object.entries(record)) {
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      const t = String(v).trim();
      if (t === '') continue;
      if (CONNECTION_FIELDS.has(k)) {
        hasId = true;
        if (m.connections.has(t) || allConnections.has(t)) return true;
      } else if (EMAIL_FIELDS.has(k)) {
        hasId = true;
        if (target.emails.has(t.toLowerCase())) return true;
      } else if (ACCOUNT_FIELDS.has(k)) {
        if (target.accountIds.has(t)) return true;
      } else if (PARTICIPANT_ID_FIELDS.has(k)) {
        hasId = true;
        if (m.participantIds.has(t)) return true;
      } else if (KEY_FIELDS.has(k)) {
        hasId = true;
        if (replace(t, true, m) !== undefined) return true;
      } else if (NAME_FIELDS.has(k)) {
        if (m.comparableNames.has(normalizeDisplayName(t))) nameMatch = true;
      }
    }
    // A record that names someone by display name alone (a guest's attendance row) is theirs by name.
    return nameMatch && !hasId;
  }

  function walk(node: unknown, own: boolean, m: MeetingIdentity): Rewritten<unknown> {
    if (typeof node === 'string') {
      const r = replace(node, own, m);
      return r === undefined ? { value: node, changed: false } : { value: r, changed: true };
    }
    if (Array.isArray(node)) {
      let changed = false;
      const out = node.map((item) => {
        const r = walk(item, own, m);
        changed ||= r.changed;
        return r.value;
      });
      return changed ? { value: out, changed } : { value: node, changed };
    }
    if (node === null || typeof node !== 'object') return { value: node, changed: false };
    const record = node as Record<string, unknown>;
    const mine = own || isOwn(record, m);
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      let next = v;
      const detail = DETAIL_FIELDS.get(k);
      if (mine && TEXT_FIELDS.has(k) && typeof v === 'string') {
        next = namesReplaced(v, m);
      } else if (
        mine &&
        detail &&
        (typeof v === 'string' || typeof v === 'number') &&
        String(v).trim() !== ''
      ) {
        if (!isPseudonym(String(v))) next = pseudonyms.of(detail, String(v));
      } else if (
        mine &&
        typeof v === 'number' &&
        PARTICIPANT_ID_FIELDS.has(k) &&
        m.participantIds.has(String(v))
      ) {
        next = pseudonyms.of('participant', String(v));
      } else {
        next = walk(v, mine, m).value;
      }
      if (next !== v) changed = true;
      out[k] = next;
    }
    return changed ? { value: out, changed } : { value: node, changed };
  }

  const STATE_FIELDS: readonly (keyof StateEvent)[] = [
    'name',
    'email',
    'accountUserId',
    'userId',
    'parentUserId',
    'participantUuid',
    'participantKey',
    'hostId',
  ];

  function touchesStateEvent(e: StateEvent): boolean {
    return rewriteStateEvent(e) !== e;
  }

  function rewriteStateEvent(e: StateEvent): StateEvent {
    const m = meetingOf(e.meetingUuid);
    const own = isOwn(e as unknown as Record<string, unknown>, m);
    let out: StateEvent | undefined;
    if (own && e.leaveReason !== undefined) {
      const reason = namesReplaced(e.leaveReason, m);
      if (reason !== e.leaveReason) out = { ...e, leaveReason: reason };
    }
    for (const field of STATE_FIELDS) {
      const v = e[field];
      if (typeof v !== 'string') continue;
      const r = replace(v, own, m);
      if (r === undefined) continue;
      out ??= { ...e };
      (out as unknown as Record<string, unknown>)[field] = r;
    }
    return out ?? e;
  }

  return {
    target,
    rewriteJson<T>(value: T, meetingUuid: string | null | undefined): Rewritten<T> {
      return walk(value, false, meetingOf(meetingUuid)) as Rewritten<T>;
    },
    rewriteStateEvent,
    touchesStateEvent,
    isSpeaker(meetingUuid, speaker) {
      const m = meetingOf(meetingUuid);
      if (speaker.userId !== undefined && m.participantIds.has(speaker.userId.trim())) return true;
      return speaker.name !== undefined && m.comparableNames.has(normalizeDisplayName(speaker.name));
    },
    namesIn: (meetingUuid) => [...meetingOf(meetingUuid).names],
    pseudonym: (kind, value) => pseudonyms.of(kind, value),
    identifiers() {
      const out = new Set<string>([...target.emails, ...target.accountIds, ...plainConnections]);
      for (const m of target.meetings.values()) {
        for (const n of m.names) out.add(n);
        for (const id of m.participantIds) out.add(id);
      }
      return [...out];
    },
  };
}
