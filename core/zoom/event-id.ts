// Deterministic event ids: the SHA-256 of the body's canonical JSON (keys sorted, no whitespace), so a
// redelivered event, however it is re-serialised, maps to the same id and archive key.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** 32 hex characters (128 bits) of SHA-256 over the canonical JSON. */
export function eventIdOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 32);
}

/** `raw/YYYY-MM-DD/<event_id>.json`, dated by the event's own time so retries land on the same key. */
export function rawArchiveKey(eventDate: string, eventId: string): string {
  return `raw/${eventDate}/${eventId}.json`;
}
