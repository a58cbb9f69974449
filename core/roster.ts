// The roster CSV (email, first name, last name, id, department; with a header also `name`, the display
// name), with or without a header row. A member needs an email or a name (Zoom often sends no email:
// such members are matched by display name). Every bad row is reported by line number, all at once.
import { parseCsv } from './csv.ts';

export interface RosterMember {
  /** Empty for a member known by name only. */
  email: string;
  firstName: string;
  lastName: string;
  id: string;
  department: string;
  /** The display name members are matched by: the `name` column, else "first last". */
  name: string;
  line: number;
}

export class RosterError extends Error {
  override name = 'RosterError';
  constructor(readonly problems: string[]) {
    super(`roster has ${problems.length} bad row${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`);
  }
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const HEADER_NAMES: Record<string, keyof Omit<RosterMember, 'line'>> = {
  email: 'email',
  emailaddress: 'email',
  firstname: 'firstName',
  lastname: 'lastName',
  id: 'id',
  department: 'department',
  name: 'name',
  displayname: 'name',
};
const POSITIONAL: (keyof Omit<RosterMember, 'line'>)[] = [
  'email',
  'firstName',
  'lastName',
  'id',
  'department',
];

export function parseRoster(text: string): RosterMember[] {
  const records = parseCsv(text);
  if (records.length === 0) throw new RosterError(['the file has no rows']);
  const first =
    records[0]?.[1].map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/[\s_-]/g, ''),
    ) ?? [];
  const known = first.map((h) => HEADER_NAMES[h]);
  const hasHeader = known.includes('email') || known.includes('name') || known.includes('firstName');
  const order = hasHeader ? known : POSITIONAL;
  const problems: string[] = [];
  const members: RosterMember[] = [];
  const seen = new Map<string, number>();
  for (const [line, fields] of hasHeader ? records.slice(1) : records) {
    if (fields.length !== order.length) {
      problems.push(`line ${line}: ${fields.length} columns, expected ${order.length}`);
      continue;
    }
    const m: RosterMember = {
      email: '',
      firstName: '',
      lastName: '',
      id: '',
      department: '',
      name: '',
      line,
    };
    fields.forEach((v, i) => {
      const key = order[i];
      if (key) m[key] = v.trim();
    });
    m.name ||= `${m.firstName} ${m.lastName}`.trim();
    if (m.email === '' && m.name === '') {
      problems.push(`line ${line}: neither an email nor a name`);
      continue;
    }
    if (m.email !== '' && !EMAIL.test(m.email)) {
      problems.push(`line ${line}: invalid email "${m.email}"`);
      continue;
    }
    const lower = m.email.toLowerCase();
    const dup = lower ? seen.get(lower) : undefined;
    if (dup !== undefined) {
      problems.push(`line ${line}: ${m.email} already on line ${dup}`);
      continue;
    }
    if (lower) seen.set(lower, line);
    members.push(m);
  }
  if (problems.length > 0) throw new RosterError(problems);
  return members;
}
