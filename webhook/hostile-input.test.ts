// Hostile input at POST /webhook over real sockets, on the embedded default: unsigned bodies are
// refused before they are read, bytes in flight are bounded (503 + Retry-After), slow senders are
// cut off, and signed bodies that cannot be events (too deep, impossible times) get 400, not 500.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_TIMEOUTS } from '../core/http.ts';
import { signedHeaders } from '../core/zoom/signature.ts';
import { MEETING, PEOPLE, zoom } from '../demo/simulator/zoom-events.ts';
import { startLocalWebhook, TEST_SECRET, type LocalWebhook } from '../test/helpers/local-webhook.ts';
import { listen } from '../core/http-server.ts';
import { createServer, type WebhookServerOptions } from './server.ts';

let hook: LocalWebhook;
const servers: Server[] = [];
beforeAll(async () => {
  hook = await startLocalWebhook();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await hook.close();
});

/** The service's own app with other intake limits, listening like `serve` does. */
async function serveWith(opts: WebhookServerOptions): Promise<number> {
  const server = await listen(createServer(hook.service.deps, opts), 0, '127.0.0.1');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const portOf = (url: string) => Number(new URL(url).port);

/** Headers that pass every check made before the body: fresh timestamp, a signature-shaped value. */
const plausible = () => ({
  'content-type': 'application/json',
  'x-zm-request-timestamp': String(Math.floor(Date.now() / 1000)),
  'x-zm-signature': `v0=${'ab'.repeat(32)}`,
});

interface Exchange {
  socket: Socket;
  /** Resolves with the status and headers of the answer, and when the server closed the connection. */
  answer: Promise<{ status: number; headers: Record<string, string>; atMs: number }>;
  closed: Promise<number>;
}

/** Sends a request head (and `body`, if any) on a raw socket; the rest of the body is up to the test. */
function send(port: number, headers: Record<string, string | number>, body = ''): Exchange {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  const head = [
    'POST /webhook HTTP/1.1',
    'Host: zoom-tracker.test',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  socket.write(`${head}\r\n\r\n${body}`);
  let text = '';
  const answer = new Promise<{ status: number; headers: Record<string, string>; atMs: number }>(
    (resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
        const out: Record<string, string> = {};
        for (const l of lines)
          out[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        resolve({ status: Number(statusLine.split(' ')[1]), headers: out, atMs: Date.now() - started });
      });
      socket.on('close', () => reject(new Error(`closed without an answer: ${text.slice(0, 80)}`)));
    },
  );
  answer.catch(() => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  socket.on('error', () => undefined);
  return { socket, answer, closed };
}

describe('before the body is read', () => {
  const withoutBody = { 'content-type': 'application/json', 'content-length': 1024 * 1024 };
  it.each([
    ['no signature headers', withoutBody],
    [
      'a stale timestamp',
      { ...plausible(), 'x-zm-request-timestamp': '1700000000', 'content-length': 1024 * 1024 },
    ],
    [
      'a signature that is not v0=<hex>',
      { ...plausible(), 'x-zm-signature': 'v0=nope', 'content-length': 1024 * 1024 },
    ],
  ])('answers %s 401 at once, while 1 MiB of body is still to come', async (_name, headers) => {
    const x = send(portOf(hook.url), headers, '{"event":"meeting.started",');
    const res = await x.answer;
    expect(res.status).toBe(401);
    expect(res.atMs).toBeLessThan(1000);
    expect(res.headers['connection']).toBe('close');
    expect(await x.closed).toBeLessThan(2000); // the server does not wait for the rest either
  });
});

describe('bytes in flight', () => {
  it('answers 503 with Retry-After past the in-flight budget, and frees it when a request ends', async () => {
    const port = await serveWith({ maxBytesInFlight: 64 * 1024 });
    // One sender holds 50 KiB of a 60 KiB body and stalls.
    const holder = send(port, { ...plausible(), 'content-length': 60 * 1024 }, 'x'.repeat(50 * 1024));
    await new Promise((r) => setTimeout(r, 300));
    const refused = send(port, { ...plausible(), 'content-length': 20 * 1024 }, 'y'.repeat(20 * 1024));
    const res = await refused.answer;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    holder.socket.destroy();
    await holder.closed;
    await new Promise((r) => setTimeout(r, 100));
    // Budget released: a signed delivery of the same size is accepted.
    const body = Buffer.from(JSON.stringify(zoom.joined(MEETING, PEOPLE[0]!, Date.now())));
    const ok = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: signedHeaders(TEST_SECRET, body, Date.now()),
      body,
    });
    expect(ok.status).toBe(200);
  });
});

describe('slow senders', () => {
  it('cuts off a body that trickles in past the body deadline (408, connection closed)', async () => {
    const port = await serveWith({ bodyDeadlineMs: 500 });
    const x = send(port, { ...plausible(), 'content-length': 1000 }, '{');
    const drip = setInterval(() => x.socket.write(' '), 100);
    try {
      const res = await x.answer;
      expect(res.status).toBe(408);
      expect(res.atMs).toBeGreaterThanOrEqual(450);
      expect(res.atMs).toBeLessThan(1500);
      expect(await x.closed).toBeLessThan(2000);
    } finally {
      clearInterval(drip);
    }
  });

  it('cuts off headers that trickle in past the headers timeout', async () => {
    const started = Date.now();
    const socket = connect(portOf(hook.url), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.write('X-Pad: 1\r\n'), 200);
    const closedAfter = await new Promise<number>((resolve) =>
      socket.on('close', () => resolve(Date.now() - started)),
    );
    clearInterval(drip);
    expect(closedAfter).toBeGreaterThanOrEqual(SERVER_TIMEOUTS.headersTimeout - 100);
    expect(closedAfter).toBeLessThan(
      SERVER_TIMEOUTS.headersTimeout + SERVER_TIMEOUTS.connectionsCheckingInterval + 1500,
    );
  }, 10_000);
});

describe('signed bodies that cannot be events', () => {
  it('refuses JSON nested 5,000 levels deep with 400 and quarantines its exact bytes', async () => {
    const raw = `{"event":"meeting.started","event_ts":1,"payload":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await hook.post(raw, { raw: true });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('JSON nested deeper than 64 levels');
    const day = new Date().toISOString().slice(0, 10);
    const sha = createHash('sha256').update(raw).digest('hex');
    expect(await readFile(join(hook.dataDir, 'gcs', 'quarantine', day, `${sha}.bin`), 'utf8')).toBe(raw);
  });

  it.each([
    ['event_ts 8.64e15', { event: 'meeting.chat_message_sent', event_ts: 8.64e15, payload: {} }],
    ['event_ts past year 9999', { event: 'meeting.started', event_ts: 253_402_300_800_000, payload: {} }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await hook.post(body);
    expect(res.status).toBe(400);
    expect(res.json['error']).toMatch(/event_ts: must be epoch ms before year 10000/);
  });

  it('answers a meeting id that is not valid percent-encoding with 400', async () => {
    const res = await fetch(`${hook.url}/api/meetings/%E0%A4%A/live-participants`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/percent-encoded/);
  });
});
