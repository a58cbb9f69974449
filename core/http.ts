// Small HTTP helpers shared by the services (webhook, rtms-worker): bounded body reading and JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError } from './errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the raw body (or the Functions Framework's `rawBody`), refusing more than `limit` bytes. */
export async function readBody(
  req: IncomingMessage & { rawBody?: Buffer },
  limit = MAX_BODY_BYTES,
): Promise<Buffer> {
  if (Buffer.isBuffer(req.rawBody)) {
    if (req.rawBody.length > limit) throw new PayloadTooLargeError(`body over ${limit} bytes`);
    return req.rawBody;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new PayloadTooLargeError(`body over ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new PayloadTooLargeError(`body over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
}

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
