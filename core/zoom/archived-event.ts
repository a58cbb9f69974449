// Reads one archived webhook body back into its row and state event, the same way the webhook made
// them. Pure; shared by `replay` and the embedded default's start-up recovery.
import { errorMessage } from '../errors.ts';
import { erasedEventId } from '../privacy/erased-body.ts';
import { eventIdOf } from './event-id.ts';
import { normalizeEvent, type Normalized } from './normalize.ts';

export type ArchivedEvent = { ok: true; normalized: Normalized } | { ok: false; reason: string };

/**
 * `key` is `raw/YYYY-MM-DD/<event_id>.json`; a body whose id differs from its name is refused. An
 * erased body (core/privacy/erased-body.ts) has its id in its mark, checked against the rest of it.
 */
export function normalizeArchived(key: string, bytes: Uint8Array, insertedAt: string): ArchivedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `archived body is not JSON: ${errorMessage(err)}` };
  }
  let eventId: string;
  try {
    const erased = erasedEventId(parsed);
    if (erased && 'problem' in erased) return { ok: false, reason: `erased body refused: ${erased.problem}` };
    eventId = erased ? erased.eventId : eventIdOf(parsed);
  } catch (err) {
    return { ok: false, reason: `archived body has no event id: ${errorMessage(err)}` };
  }
  const expected = key.slice(key.lastIndexOf('/') + 1, -'.json'.length);
  if (eventId !== expected)
    return { ok: false, reason: `event id ${eventId} of the body differs from its file name` };
  try {
    return { ok: true, normalized: normalizeEvent(parsed, { eventId, gcsPath: key, insertedAt }) };
  } catch (err) {
    return { ok: false, reason: `archived event cannot be normalised: ${errorMessage(err)}` };
  }
}
