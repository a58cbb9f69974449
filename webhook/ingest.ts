// The webhook pipeline for one delivery: verify the raw bytes, answer URL validation, make the raw
// event durable (archive, create-only), then update warehouse, live state and queue. Downstream
// failures are logged, not returned: `replay` rebuilds them from the archive.
import { createHash } from 'node:crypto';
import { MalformedEventError, UnsupportedMediaTypeError, errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Archive, LiveState, Queue, Warehouse } from '../core/ports.ts';
import { eventIdOf, rawArchiveKey } from '../core/zoom/event-id.ts';
import { normalizeEvent, type Normalized } from '../core/zoom/normalize.ts';
import {
  answerUrlValidation,
  checkSignatureHeaders,
  verifyWebhookSignature,
} from '../core/zoom/signature.ts';

export interface IngestDeps {
  archive: Archive;
  warehouse: Warehouse;
  liveState: LiveState;
  queue: Queue;
  log: Logger;
  now: () => number;
  secret: string;
  toleranceSeconds: number;
  /** How long a delivery waits for warehouse, state and queue before answering anyway. */
  downstreamTimeoutMs: number;
}

export interface Delivery {
  contentType: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
}

export type IngestResult =
  | { kind: 'validation'; body: { plainToken: string; encryptedToken: string } }
  | {
      kind: 'accepted';
      eventId: string;
      eventType: string;
      duplicate: boolean;
      downstreamFailures: string[];
    };

/**
 * The checks that need no body (401 before a byte of it is read): signature headers present and
 * shaped right, timestamp inside the window.
 */
export function precheckDelivery(deps: IngestDeps, d: Omit<Delivery, 'body'>): void {
  checkSignatureHeaders(d, deps.now(), deps.toleranceSeconds);
}

/**
 * Throws InvalidSignatureError (401), UnsupportedMediaTypeError (415), MalformedEventError (400,
 * after quarantining the body) or TransientUpstreamError (503, archive unavailable).
 */
export async function ingestDelivery(deps: IngestDeps, d: Delivery): Promise<IngestResult> {
  verifyWebhookSignature(
    d.body,
    { signature: d.signature, timestamp: d.timestamp },
    deps.secret,
    deps.now(),
    deps.toleranceSeconds,
  );
  if (!d.contentType || !/^application\/json\b/i.test(d.contentType.trim())) {
    throw new UnsupportedMediaTypeError(
      `content-type must be application/json, got ${d.contentType ?? 'none'}`,
    );
  }

  let body: unknown;
  try {
    body = JSON.parse(d.body.toString('utf8'));
  } catch (err) {
    await quarantine(deps, d.body);
    throw new MalformedEventError(`body is not JSON: ${errorMessage(err)}`);
  }

  const validation = urlValidationOf(body);
  if (validation !== undefined)
    return { kind: 'validation', body: answerUrlValidation(deps.secret, validation) };

  let eventId: string;
  let normalized: Normalized;
  try {
    eventId = eventIdOf(body); // refuses JSON nested too deep to hash
    normalized = normalizeEvent(body, {
      eventId,
      gcsPath: '',
      insertedAt: new Date(deps.now()).toISOString(),
    });
  } catch (err) {
    if (err instanceof MalformedEventError) await quarantine(deps, d.body);
    throw err;
  }
  const key = rawArchiveKey(normalized.row.event_date, eventId);
  normalized.row.gcs_path = key;

  const written = await deps.archive.putIfAbsent(key, d.body, 'application/json');
  const downstreamFailures = await fanOut(deps, normalized);
  return {
    kind: 'accepted',
    eventId,
    eventType: normalized.row.event_type,
    duplicate: written === 'exists',
    downstreamFailures,
  };
}

/** Warehouse, live state and queue in parallel; each failure is logged and named, never thrown. */
export async function fanOut(deps: IngestDeps, n: Normalized): Promise<string[]> {
  const { row, state, rtms } = n;
  const tasks: [string, Promise<unknown>][] = [['warehouse', deps.warehouse.insertEvents([row])]];
  if (state) tasks.push(['live-state', deps.liveState.apply([state])]);
  if (rtms) tasks.push(['queue', deps.queue.publish(rtms)]);
  const results = await settleWithin(
    tasks.map(([, p]) => p),
    deps.downstreamTimeoutMs,
  );
  const failures: string[] = [];
  results.forEach((r, i) => {
    const name = tasks[i]?.[0] ?? 'unknown';
    if (r === undefined) return;
    const err =
      r === TIMED_OUT ? new Error(`${name} did not finish within ${deps.downstreamTimeoutMs} ms`) : r;
    failures.push(name);
    deps.log.error(
      { err, target: name, eventId: row.event_id, eventType: row.event_type },
      'downstream write failed; replay will repair it',
    );
  });
  return failures;
}

async function quarantine(deps: IngestDeps, body: Buffer): Promise<void> {
  const day = new Date(deps.now()).toISOString().slice(0, 10);
  const key = `quarantine/${day}/${createHash('sha256').update(body).digest('hex')}.bin`;
  await deps.archive.putIfAbsent(key, body, 'application/octet-stream');
  deps.log.warn({ key, bytes: body.length }, 'signed body quarantined');
}

function urlValidationOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { event?: unknown; payload?: { plainToken?: unknown } };
  if (b.event !== 'endpoint.url_validation') return undefined;
  const token = b.payload?.plainToken;
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) {
    throw new MalformedEventError('endpoint.url_validation without payload.plainToken');
  }
  return token;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Each promise's outcome: undefined on success, its error, or TIMED_OUT if still pending after `ms`.
 * One timer for the whole set (a timer per task cost more than the tasks on the hot path).
 */
function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<unknown[]> {
  const results: unknown[] = promises.map(() => TIMED_OUT);
  let pending = promises.length;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([...results]), ms);
    promises.forEach((p, i) => {
      p.then(
        () => (results[i] = undefined),
        (err: unknown) => (results[i] = err ?? new Error('rejected without an error')),
      ).finally(() => {
        if (--pending === 0) {
          clearTimeout(timer);
          resolve(results);
        }
      });
    });
  });
}
