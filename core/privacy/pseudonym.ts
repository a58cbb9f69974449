// Stable pseudonyms for erased personal data: a keyed hash (HMAC-SHA-256 with the deployment's
// ERASURE_SECRET) of the value's kind and its compared form, so the same person gets the same
// pseudonym in every store and on every run, and nobody without the secret can test a guess.
import { createHmac } from 'node:crypto';
import { normalizeDisplayName } from '../zoom/person-key.ts';

/**
 * What a value is. Names compare as people compare them (core/zoom/person-key.ts) and e-mails
 * case-insensitively, so the spellings that group into one person get one pseudonym.
 */
export type IdentifierKind = 'name' | 'email' | 'account' | 'connection' | 'participant' | 'detail';

/** Every pseudonym starts with this; e-mails end in the reserved `.invalid` domain. */
export const PSEUDONYM_PREFIX = 'erased-';
const PSEUDONYM = /^erased-[0-9a-f]{12,16}(@erased\.invalid)?$/;

export interface Pseudonyms {
  of(kind: IdentifierKind, value: string): string;
}

/** The form a value is compared in before hashing. */
export function comparable(kind: IdentifierKind, value: string): string {
  if (kind === 'name') return normalizeDisplayName(value);
  if (kind === 'email') return value.trim().toLowerCase();
  return value.trim();
}

export function createPseudonyms(secret: string): Pseudonyms {
  if (secret.length < 16) throw new Error('ERASURE_SECRET must be at least 16 characters');
  return {
    of(kind, value) {
      if (isPseudonym(value)) return value;
      const mac = createHmac('sha256', secret)
        .update(`${kind}\n${comparable(kind, value)}`)
        .digest('hex');
      if (kind === 'email') return `${PSEUDONYM_PREFIX}${mac.slice(0, 12)}@erased.invalid`;
      return `${PSEUDONYM_PREFIX}${mac.slice(0, kind === 'name' ? 12 : 16)}`;
    },
  };
}

/** True for a value an erasure wrote (so a second run leaves it alone). */
export function isPseudonym(value: string): boolean {
  return PSEUDONYM.test(value.trim());
}
