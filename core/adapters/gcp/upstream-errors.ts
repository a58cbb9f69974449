// Classifies errors from the Google Cloud clients (HTTP ApiErrors, gRPC status errors, socket
// errors) so each adapter can turn outages into TransientUpstreamError in one consistent way.

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
// gRPC: CANCELLED 1, UNKNOWN 2, DEADLINE_EXCEEDED 4, ABORTED 10, INTERNAL 13, UNAVAILABLE 14, RESOURCE_EXHAUSTED 8.
const TRANSIENT_GRPC = new Set([1, 2, 4, 8, 10, 13, 14]);
const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  response?: { status?: unknown };
  cause?: unknown;
  message?: unknown;
  name?: unknown;
}

/** The HTTP status an HTTP client error carries, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  // Storage and BigQuery ApiErrors put the HTTP status in `code`; a gRPC error's numeric code is < 100.
  if (typeof e.code === 'number' && e.code >= 100) return e.code;
  if (typeof e.response?.status === 'number') return e.response.status;
  if (typeof e.status === 'number' && e.status >= 100) return e.status;
  return undefined;
}

/** The gRPC status code of a Firestore / Pub/Sub error, if any. */
export function grpcCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as ErrorLike).code;
  return typeof code === 'number' && code < 100 ? code : undefined;
}

/** Worth retrying later: an outage, overload, timeout or a broken connection. */
export function isTransient(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as ErrorLike;
  const status = httpStatusOf(err);
  if (status !== undefined) return TRANSIENT_HTTP.has(status);
  const grpc = grpcCodeOf(err);
  if (grpc !== undefined) return TRANSIENT_GRPC.has(grpc);
  if (typeof e.code === 'string' && NETWORK_CODES.test(e.code)) return true;
  if (e.name === 'FetchError' || e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  if (
    typeof e.message === 'string' &&
    /socket hang up|network|ECONNREFUSED|ECONNRESET|ETIMEDOUT/i.test(e.message)
  )
    return true;
  return isTransient(e.cause, depth + 1);
}
