import { describe, expect, it } from 'vitest';
import { InvalidSignatureError } from '../errors.ts';
import { answerUrlValidation, computeSignature, signedHeaders, verifyWebhookSignature } from './signature.ts';

const secret = 'test-secret-token';
const now = 1_770_000_000_000;
const body = Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{}}');

describe('webhook signatures', () => {
  it("accepts Zoom's v0 signature over the raw body", () => {
    const h = signedHeaders(secret, body, now);
    expect(h['x-zm-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() =>
      verifyWebhookSignature(
        body,
        { signature: h['x-zm-signature'], timestamp: h['x-zm-request-timestamp'] },
        secret,
        now,
        300,
      ),
    ).not.toThrow();
  });

  it('matches the documented construction', () => {
    // HMAC_SHA256(secret, "v0:" + ts + ":" + body), hex, prefixed "v0=". The vector was computed
    // outside this code: printf '%s' 'v0:1:b' | openssl dgst -sha256 -hmac 'k'
    const expected = 'v0=0d985e2ae0dcef04af3877c46950435ed5da446b189641622848aea58b6280ef';
    expect(computeSignature('k', '1', Buffer.from('b'))).toBe(expected);
    expect(computeSignature('k', '1', Buffer.from('b'))).not.toBe(
      computeSignature('k', '1', Buffer.from('c')),
    );
  });

  const ts = String(Math.floor(now / 1000));
  const good = computeSignature(secret, ts, body);
  const refused: [string, Buffer, string | undefined, string | undefined, RegExp][] = [
    ['a changed body', Buffer.from(`${body.toString()} `), good, ts, /does not match/],
    ['a wrong secret', body, computeSignature('other', ts, body), ts, /does not match/],
    ['a missing signature', body, undefined, ts, /missing x-zm-signature/],
    ['a missing timestamp', body, good, undefined, /missing x-zm-request-timestamp/],
    ['a timestamp in ms', body, good, String(now), /Unix seconds|window/],
    [
      'a stale timestamp (replay)',
      body,
      computeSignature(secret, String(Number(ts) - 301), body),
      String(Number(ts) - 301),
      /window/,
    ],
    ['a signature of another length', body, 'v0=abc', ts, /does not match/],
  ];
  it.each(refused)('refuses %s', (_name, b, signature, timestamp, message) => {
    expect(() => verifyWebhookSignature(b, { signature, timestamp }, secret, now, 300)).toThrow(
      InvalidSignatureError,
    );
    expect(() => verifyWebhookSignature(b, { signature, timestamp }, secret, now, 300)).toThrow(message);
  });

  it('answers URL validation with the hex HMAC of the plain token, keyed by the secret', () => {
    // Computed outside this code (key = the secret, message = the plain token):
    // printf '%s' 'qgg8vlvZRS6UYooatFL8Aw' | openssl dgst -sha256 -hmac 'test-secret-token'
    expect(answerUrlValidation(secret, 'qgg8vlvZRS6UYooatFL8Aw')).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: '9c8ad56737c19db2904b301c0781e86857e999f39f07727668cf62a5e7e298c8',
    });
  });
});
