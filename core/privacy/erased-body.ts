// An archived webhook body after an erasure: the same key (`raw/<date>/<event_id>.json`) holds the
// body with the person's values replaced and a mark naming the original event id, since the id can no
// longer be recomputed from the body. The mark carries the SHA-256 of the rest of the body, so a body
// changed afterwards (or a mark pasted onto another body) is refused like any body whose id differs.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../zoom/event-id.ts';

export const ERASURE_MARK = 'zoom_tracker_erasure';

interface Mark {
  event_id: string;
  body_sha256: string;
}

function digestOf(rest: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function split(body: unknown): { rest: Record<string, unknown>; mark: unknown } | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { [ERASURE_MARK]: mark, ...rest } = body as Record<string, unknown>;
  return { rest, mark };
}

/** The body with its mark set for `eventId` (replacing an earlier erasure's mark). */
export function markErased(body: Record<string, unknown>, eventId: string): Record<string, unknown> {
  const { rest } = split(body) as { rest: Record<string, unknown> };
  const mark: Mark = { event_id: eventId, body_sha256: digestOf(rest) };
  return { ...rest, [ERASURE_MARK]: mark };
}

/**
 * For a marked body: `{ eventId }` when the mark holds, `{ problem }` when it does not; undefined
 * for a body without a mark (an event as Zoom sent it).
 */
export function erasedEventId(body: unknown): { eventId: string } | { problem: string } | undefined {
  // Every replayed or recovered body comes here: only a marked one is copied apart.
  if (body === null || typeof body !== 'object' || !(ERASURE_MARK in body)) return undefined;
  const parts = split(body);
  if (!parts || parts.mark === undefined) return undefined;
  const mark = parts.mark as Partial<Mark> | null;
  if (!mark || typeof mark.event_id !== 'string' || typeof mark.body_sha256 !== 'string')
    return { problem: `${ERASURE_MARK} is not {event_id, body_sha256}` };
  if (digestOf(parts.rest) !== mark.body_sha256)
    return { problem: `body changed after its erasure (${ERASURE_MARK}.body_sha256 differs)` };
  return { eventId: mark.event_id };
}

/** True for bytes holding a marked body whose mark holds (the archive keeps it over a redelivery). */
export function isErasedBody(bytes: Uint8Array): boolean {
  try {
    const r = erasedEventId(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return r !== undefined && 'eventId' in r;
  } catch {
    return false;
  }
}
