// Small HTTP helpers shared by the services (webhook, rtms-worker): bounded body reading (size, a
// shared in-flight byte budget, a deadline), server timeouts and JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OverloadedError, PayloadTooLargeError, RequestTimeoutError } from './errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Body bytes held at once by all requests of one server; a request over it is refused, not queued. */
export interface ByteBudget {
  /** Bytes held now. */
  inUse(): number;
  /** A hold for one request: `add` charges bytes (throws OverloadedError past the budget), `release` frees them. */
  open(): BudgetHold;
}

export interface BudgetHold {
  add(bytes: number): void;
  /** Throws OverloadedError when `bytes` more would not fit now (charges nothing). */
  check(bytes: number): void;
  release(): void;
}

export function createByteBudget(limit: number): ByteBudget {
  let used = 0;
  return {
    inUse: () => used,
    open() {
      let held = 0;
      const check = (bytes: number) => {
        if (used + bytes > limit)
          throw new OverloadedError(`over ${limit} bytes of request bodies in flight; retry shortly`);
      };
      return {
        check,
        add(bytes) {
          check(bytes);
          used += bytes;
          held += bytes;
        },
        release() {
          used -= held;
          held = 0;
        },
      };
    },
  };
}

export interface ReadBodyOptions {
  /** Charges every byte read to a shared budget (the caller releases it when done with the body). */
  hold?: BudgetHold;
  /** Refuses a body not complete this many ms after reading began (RequestTimeoutError). */
  deadlineMs?: number;
}

/**
 * Reads the raw body (or the Functions Framework's `rawBody`), refusing more than `limit` bytes
 * (PayloadTooLargeError), more than the budget allows (OverloadedError), or a body still arriving
 * at the deadline (RequestTimeoutError). On a refusal the request is left paused, unread.
 */
export async function readBody(
  req: IncomingMessage & { rawBody?: Buffer },
  limit = MAX_BODY_BYTES,
  opts: ReadBodyOptions = {},
): Promise<Buffer> {
  const { hold, deadlineMs } = opts;
  if (Buffer.isBuffer(req.rawBody)) {
    if (req.rawBody.length > limit) throw new PayloadTooLargeError(`body over ${limit} bytes`);
    return req.rawBody;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new PayloadTooLargeError(`body over ${limit} bytes`);
  }
  if (Number.isFinite(declared)) hold?.check(declared);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () => fail(new RequestTimeoutError(`body not received within ${deadlineMs} ms`)),
            deadlineMs,
          );
    const settle = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const fail = (err: Error, drain = false) => {
      if (settled) return;
      settle();
      if (drain) req.resume();
      else req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(new PayloadTooLargeError(`body over ${limit} bytes`), true);
      try {
        hold?.add(chunk.length);
      } catch (err) {
        return fail(err as Error);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settle();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(err);
    const onClose = () => fail(new Error('request closed before its body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Options for `http.createServer` of a service Zoom calls with a 3 s deadline: headers within 3 s,
 * the whole request within 5 s, checked every second (Node's default check runs every 30 s).
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 3_000,
  requestTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
