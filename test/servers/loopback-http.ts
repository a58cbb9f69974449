// Shared plumbing of the in-process mock servers: listen on 127.0.0.1:0, answer JSON, close hard.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `handle` on a free loopback port; a thrown error becomes a 500 with its message. */
export async function listenOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      sendJson(res, 500, { error: { code: 500, message: String(err) } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The error body Google JSON APIs return. */
export function sendGoogleError(res: ServerResponse, status: number, reason: string, message: string): void {
  sendJson(res, status, {
    error: { code: status, message, errors: [{ domain: 'global', reason, message }] },
  });
}

/** The "fail the next N requests with status S" switch each mock server offers. */
export function failureSwitch(): { fail(count: number, status?: number): void; next(): number | undefined } {
  let failing = { count: 0, status: 503 };
  return {
    fail(count, status = 503) {
      failing = { count, status };
    },
    next() {
      if (failing.count <= 0) return undefined;
      failing = { ...failing, count: failing.count - 1 };
      return failing.status;
    },
  };
}
