// Errors typed by the decision the caller makes; mapped to HTTP status or retry in one place at the edge.

/** Bad, stale or missing signature: 401, never retried. */
export class InvalidSignatureError extends Error {
  override name = 'InvalidSignatureError';
}

/** Signed but unusable body: 400, quarantined. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

/** Body over the size limit: 413. */
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

/** Too many bytes of request bodies in flight: 503 with Retry-After (never 429: Zoom does not retry 4xx). */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** The body did not arrive before its deadline: 408, connection closed. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
}

/** Wrong content type: 415. */
export class UnsupportedMediaTypeError extends Error {
  override name = 'UnsupportedMediaTypeError';
}

/** An upstream store or API failed in a way worth retrying: 503 / retry with backoff. */
export class TransientUpstreamError extends Error {
  override name = 'TransientUpstreamError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A request that can never succeed as sent: fail once, clearly. */
export class NonRetriableError extends Error {
  override name = 'NonRetriableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A warehouse refused some rows (named here); the other rows of the same call were written. */
export class RowsRejectedError extends NonRetriableError {
  override name = 'RowsRejectedError';
  constructor(readonly rejected: { eventId: string; reason: string }[]) {
    super(
      `warehouse rejected ${rejected.length} row(s): ${rejected
        .slice(0, 5)
        .map((r) => `${r.eventId} (${r.reason})`)
        .join('; ')}`,
    );
  }
}
