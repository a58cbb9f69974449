// Deterministic event ids: the SHA-256 of the body's canonical JSON (keys sorted, no whitespace), so a
// redelivered event, however it is re-serialised, maps to the same id and archive key.
import { createHash } from 'node:crypto';
import { MalformedEventError } from '../errors.ts';

/** Zoom's bodies nest about 5 levels; deeper JSON is refused (400) instead of overflowing the stack. */
export const MAX_JSON_DEPTH = 64;

/** Keys sorted, no whitespace; throws MalformedEventError past MAX_JSON_DEPTH instead of overflowing the stack. */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

function canonical(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_JSON_DEPTH)
    throw new MalformedEventError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  // Plain loops and string appends: this runs on every delivery (entries/filter/map/join cost 3x).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonical(value[i], depth + 1);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort orders by UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonical(v, depth + 1)}`;
  }
  return `${out}}`;
}

/** 32 hex characters (128 bits) of SHA-256 over the canonical JSON. */
export function eventIdOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 32);
}

/** `raw/YYYY-MM-DD/<event_id>.json`, dated by the event's own time so retries land on the same key. */
export function rawArchiveKey(eventDate: string, eventId: string): string {
  return `raw/${eventDate}/${eventId}.json`;
}
