// Zoom webhook signatures (core/zoom/README.md, Delivery): verified on the raw bytes, constant-time, with a
// timestamp window. Functions take strings and buffers, never a framework request.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError } from '../errors.ts';

export interface SignatureHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
}

export function computeSignature(secret: string, timestampSeconds: string, rawBody: Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestampSeconds}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

/**
 * Throws InvalidSignatureError unless `x-zm-signature` matches the raw body and the
 * `x-zm-request-timestamp` (Unix seconds) is within `toleranceSeconds` of `nowMs`.
 */
export function verifyWebhookSignature(
  rawBody: Uint8Array,
  headers: SignatureHeaders,
  secret: string,
  nowMs: number,
  toleranceSeconds: number,
): void {
  const { signature, timestamp } = checkSignatureHeaders(headers, nowMs, toleranceSeconds);
  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidSignatureError('signature does not match');
  }
}

/**
 * What can be checked before the body is read: both headers present, the signature shaped like
 * `v0=<64 hex>`, the timestamp Unix seconds within the window. Throws InvalidSignatureError.
 */
export function checkSignatureHeaders(
  headers: SignatureHeaders,
  nowMs: number,
  toleranceSeconds: number,
): { signature: string; timestamp: string } {
  const { signature, timestamp } = headers;
  if (!timestamp) throw new InvalidSignatureError('missing x-zm-request-timestamp');
  if (!signature) throw new InvalidSignatureError('missing x-zm-signature');
  if (!/^\d{1,12}$/.test(timestamp))
    throw new InvalidSignatureError('x-zm-request-timestamp is not Unix seconds');
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > toleranceSeconds)
    throw new InvalidSignatureError(`timestamp outside the ${toleranceSeconds}s window`);
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) throw new InvalidSignatureError('signature does not match');
  return { signature, timestamp };
}

/** The answer to `endpoint.url_validation`: hex HMAC-SHA256 of the plain token. */
export function answerUrlValidation(
  secret: string,
  plainToken: string,
): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}

/** Headers for a signed delivery, as Zoom sends them (used by the simulator, tests and benchmarks). */
export function signedHeaders(secret: string, rawBody: Uint8Array, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-zm-request-timestamp': timestamp,
    'x-zm-signature': computeSignature(secret, timestamp, rawBody),
  };
}
