// Who a connection belongs to. Zoom issues a new participant_uuid on every rejoin, so a person within
// a meeting instance is every connection sharing a person key: the account user id, else the email
// (case-insensitive), else the display name (NFKC, trimmed, inner whitespace collapsed, case-folded).

export interface PersonKey {
  /** What connections are grouped by: `u:<user id>`, `e:<lower-cased email>` or `n:<normalised name>`. */
  match: string;
  /** The key's value as Zoom sent it (the `participant_key` column). */
  value: string;
}

export interface PersonFields {
  /** The Zoom account user id (`participant_user_id`, else `id`); empty for guests. */
  userId?: string | null;
  email?: string | null;
  name?: string | null;
}

/** A display name as people compare names: NFKC, trimmed, inner whitespace collapsed, case-folded. */
export function normalizeDisplayName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** The person key of one event's participant fields, or undefined when it names nobody. */
export function personKeyOf(p: PersonFields): PersonKey | undefined {
  const userId = p.userId?.trim();
  if (userId) return { match: `u:${userId}`, value: userId };
  const email = p.email?.trim();
  if (email) return { match: `e:${email.toLowerCase()}`, value: email };
  const name = p.name ? normalizeDisplayName(p.name) : '';
  if (name) return { match: `n:${name}`, value: p.name as string };
  return undefined;
}

/** How a roster member is matched: by email (case-insensitive), else by normalised display name. */
export function rosterMatchKeys(p: { email?: string | null; name?: string | null }): string[] {
  const keys: string[] = [];
  const email = p.email?.trim();
  if (email) keys.push(`e:${email.toLowerCase()}`);
  const name = p.name ? normalizeDisplayName(p.name) : '';
  if (name) keys.push(`n:${name}`);
  return keys;
}
