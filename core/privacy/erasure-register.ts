// What an erasure leaves per meeting so data fetched again later is erased too: the pseudonyms of the
// person's values (never the values), at `erasures/meetings/<meeting-key>.json`. The camera backfill
// reads it before it stores QoS data of that meeting from Zoom's Dashboard, which still names them.
import type { Archive } from '../ports.ts';
import { meetingKeyOf } from '../zoom/identifiers.ts';
import { emptyTarget, type ErasureTarget } from './erasure-target.ts';
import { z } from 'zod';
import { isPseudonym, type IdentifierKind, type Pseudonyms } from './pseudonym.ts';
import { createRedactor, KeyedSet, type Redactor } from './redactor.ts';

type RegisterKind = Extract<IdentifierKind, 'email' | 'account' | 'connection' | 'participant' | 'name'>;
const KINDS: readonly RegisterKind[] = ['email', 'account', 'connection', 'participant', 'name'];

const pseudonymList = z.array(z.string().refine(isPseudonym, 'not a pseudonym')).default([]);
const registerSchema = z.object({
  meeting_uuid: z.string().min(1),
  /** Sorted, per kind. */
  pseudonyms: z.object({
    email: pseudonymList,
    account: pseudonymList,
    connection: pseudonymList,
    participant: pseudonymList,
    name: pseudonymList,
  }),
});
export type ErasureRegister = z.infer<typeof registerSchema>;

export function registerKey(meetingUuid: string): string {
  return `erasures/meetings/${meetingKeyOf(meetingUuid)}.json`;
}

/** The register of one meeting of a target, merged into what an earlier erasure left. */
export function registerOf(
  target: ErasureTarget,
  meetingUuid: string,
  pseudonyms: Pseudonyms,
  earlier?: ErasureRegister,
): ErasureRegister {
  const m = target.meetings.get(meetingUuid);
  const values: Record<RegisterKind, Iterable<string>> = {
    email: target.emails,
    account: target.accountIds,
    connection: m?.connections ?? [],
    participant: m?.participantIds ?? [],
    name: m?.names ?? [],
  };
  const out = { meeting_uuid: meetingUuid, pseudonyms: {} } as ErasureRegister;
  for (const kind of KINDS) {
    const set = new Set(earlier?.pseudonyms[kind] ?? []);
    for (const v of values[kind]) set.add(pseudonyms.of(kind, v));
    out.pseudonyms[kind] = [...set].sort();
  }
  return out;
}

/** A target that recognises the registered values by their pseudonyms. */
export function targetOfRegister(register: ErasureRegister, pseudonyms: Pseudonyms): ErasureTarget {
  const keyed = (kind: RegisterKind): KeyedSet =>
    new KeyedSet(kind, register.pseudonyms[kind] ?? [], pseudonyms);
  const target = emptyTarget();
  target.emails = keyed('email');
  target.accountIds = keyed('account');
  target.meetings.set(register.meeting_uuid, {
    connections: keyed('connection'),
    participantIds: keyed('participant'),
    names: new Set(),
    comparableNames: keyed('name'),
  });
  return target;
}

/** Writes (merges) the registers of every meeting of a target. */
export async function writeRegisters(
  archive: Archive,
  target: ErasureTarget,
  pseudonyms: Pseudonyms,
): Promise<void> {
  for (const meetingUuid of target.meetings.keys()) {
    const earlier = await readRegister(archive, meetingUuid);
    const next = registerOf(target, meetingUuid, pseudonyms, earlier);
    if (JSON.stringify(next) === JSON.stringify(earlier)) continue;
    await archive.put(
      registerKey(meetingUuid),
      Buffer.from(`${JSON.stringify(next, null, 2)}\n`),
      'application/json',
    );
  }
}

export async function readRegister(
  archive: Archive,
  meetingUuid: string,
): Promise<ErasureRegister | undefined> {
  const bytes = await archive.get(registerKey(meetingUuid));
  return bytes ? registerSchema.parse(JSON.parse(bytes.toString('utf8'))) : undefined;
}

/** The redactor of a meeting's erasures, or undefined when nobody was erased from it. */
export async function registeredRedactor(
  archive: Archive,
  meetingUuid: string,
  pseudonyms: Pseudonyms,
): Promise<Redactor | undefined> {
  const register = await readRegister(archive, meetingUuid);
  return register ? createRedactor(targetOfRegister(register, pseudonyms), pseudonyms) : undefined;
}
