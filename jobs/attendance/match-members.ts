// Which roster member each person of a meeting is (pure). By email first (case-insensitive); a person
// no email placed is matched by normalised display name (NFKC, trimmed, inner spaces collapsed,
// case-folded) to the first roster line with that name, unless both carry emails that differ.
import { normalizeDisplayName } from '../../core/zoom/person-key.ts';
import type { RosterMember } from '../../core/roster.ts';

export interface PersonIdentity {
  /** The report's participant_key (the person key as Zoom sent it). */
  key: string;
  name: string | null;
  email: string | null;
}

export type MatchedBy = 'email' | 'name';

/** person key → the index of its member in `roster` and how it was matched; unmatched persons are absent. */
export function matchMembers(
  persons: readonly PersonIdentity[],
  roster: readonly RosterMember[],
): Map<string, { member: number; by: MatchedBy }> {
  const byEmail = new Map<string, number>();
  const byName = new Map<string, number>();
  roster.forEach((m, i) => {
    const email = m.email.trim().toLowerCase();
    if (email && !byEmail.has(email)) byEmail.set(email, i);
    const name = normalizeDisplayName(m.name);
    if (name && !byName.has(name)) byName.set(name, i);
  });
  const out = new Map<string, { member: number; by: MatchedBy }>();
  for (const p of persons) {
    const email = p.email?.trim().toLowerCase() ?? '';
    const viaEmail = email ? byEmail.get(email) : undefined;
    if (viaEmail !== undefined) {
      out.set(p.key, { member: viaEmail, by: 'email' });
      continue;
    }
    // The latest display name, else the one that first named the person (a rename keeps both).
    for (const name of [p.name, p.key]) {
      const i = name ? byName.get(normalizeDisplayName(name)) : undefined;
      if (i === undefined) continue;
      const memberEmail = (roster[i] as RosterMember).email.trim().toLowerCase();
      if (email && memberEmail && email !== memberEmail) continue;
      out.set(p.key, { member: i, by: 'name' });
      break;
    }
  }
  return out;
}
