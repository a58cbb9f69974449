// The loaded roster as person match keys for the live view: `e:<email>` and `n:<normalised name>`
// of each member, so participants who send no email (most guests) still match by display name.
import { readFile } from 'node:fs/promises';
import { parseRoster } from '../core/roster.ts';
import { rosterMatchKeys } from '../core/zoom/person-key.ts';

export async function loadRosterKeys(path: string): Promise<Set<string>> {
  const members = parseRoster(await readFile(path, 'utf8'));
  return new Set(
    members.flatMap((m) => rosterMatchKeys({ email: m.email, name: `${m.firstName} ${m.lastName}` })),
  );
}
