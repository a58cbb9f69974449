// The push endpoint over real HTTP on 127.0.0.1:0: status per outcome (204 ack, 503 redeliver,
// 400 malformed, 401 missing/wrong secret or OIDC token, 405, 413, 404) and /health. The manager is a small recording
// stand-in passed through deps (the real one is exercised end to end in worker.e2e.test.ts).
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import { encodePushEnvelope } from '../core/zoom/push-envelope.ts';
import type { RtmsQueueMessage } from '../core/zoom/types.ts';
import { createServer, pushVerifier } from './server.ts';

const seen: RtmsQueueMessage[] = [];
let reply: 'ack' | 'retry' = 'ack';
const manager = {
  activeStreams: 3,
  handle: async (m: RtmsQueueMessage) => {
    seen.push(m);
    return reply;
  },
};
let server: Server;
let url: string;
let authed: string;
const SECRET = 'push-secret-for-tests';
const withSecret = { authorization: `Bearer ${SECRET}` };

beforeAll(async () => {
  const listener = createServer(
    { manager, log: silentLogger() },
    parseConfig({ WORKER_PUSH_SECRET: SECRET }),
  );
  const secured = createServer(
    {
      manager,
      log: silentLogger(),
      verifyPushToken: async (bearer) => {
        if (bearer !== 'Bearer good') throw new Error('bad token');
      },
    },
    parseConfig({}),
  );
  server = createHttpServer((req, res) =>
    (req.url ?? '').startsWith('/secured')
      ? ((req.url = req.url!.slice(8)), secured(req, res))
      : listener(req, res),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  authed = `${url}/secured`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const message: RtmsQueueMessage = {
  kind: 'started',
  eventId: 'e1',
  eventTs: 1,
  meetingUuid: 'm==',
  rtmsStreamId: 's1',
  serverUrls: 'wss://x',
};
const body = JSON.stringify(encodePushEnvelope(message, 'id-1', new Date(0)));
const post = (to: string, b: string, headers: Record<string, string> = withSecret) =>
  fetch(`${to}/pubsub/push`, {
    method: 'POST',
    body: b,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('POST /pubsub/push', () => {
  it('decodes the envelope and acknowledges with 204', async () => {
    reply = 'ack';
    const res = await post(url, body);
    expect(res.status).toBe(204);
    expect(seen.at(-1)).toEqual(message);
  });

  it('asks for redelivery with 503 and Retry-After when the manager says not now', async () => {
    reply = 'retry';
    const res = await post(url, body);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
  });

  it.each([
    ['not JSON', '{oops'],
    ['no message', '{}'],
    [
      'data not an RTMS message',
      JSON.stringify({ message: { data: Buffer.from('{"kind":"other"}').toString('base64') } }),
    ],
    ['data not base64 JSON', JSON.stringify({ message: { data: '@@@' } })],
  ])('answers 400 for %s, without calling the manager', async (_name, b) => {
    const before = seen.length;
    expect((await post(url, b)).status).toBe(400);
    expect(seen.length).toBe(before);
  });

  it('answers 413 over 1 MiB, 405 for GET, 404 elsewhere', async () => {
    expect((await post(url, 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect((await fetch(`${url}/pubsub/push`)).status).toBe(405);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong secret', { authorization: 'Bearer push-secret-for-testS' }],
    ['the secret without Bearer', { authorization: SECRET }],
    ['a longer secret', { authorization: `Bearer ${SECRET}x` }],
    ['a token in another header', { 'x-push-secret': SECRET }],
  ])('refuses a push with %s: 401, without calling the manager', async (_name, headers) => {
    const before = seen.length;
    const res = await post(url, body, headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid push token' });
    expect(seen.length).toBe(before);
  });

  it('checks the push OIDC token when configured: 401 without or with a bad one', async () => {
    reply = 'ack';
    expect((await post(authed, body, {})).status).toBe(401);
    expect((await post(authed, body, withSecret)).status).toBe(401);
    expect((await post(authed, body, { authorization: 'Bearer bad' })).status).toBe(401);
    expect((await post(authed, body, { authorization: 'Bearer good' })).status).toBe(204);
  });
});

it('GET /health reports the streams held', async () => {
  const res = await fetch(`${url}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, activeStreams: 3 });
});

describe('which check a push gets', () => {
  const gcp = { BACKEND: 'gcp', GCP_PROJECT_ID: 'p', GCS_BUCKET: 'b', PUBSUB_TOPIC: 't' };
  const statusOf = async (config: ReturnType<typeof parseConfig>, header?: string): Promise<number> => {
    const verify = pushVerifier({}, config);
    if (!verify) return 204;
    return verify(header).then(
      () => 204,
      () => 401,
    );
  };

  it('embedded default with no secret configured: every push is refused (fail closed)', async () => {
    expect(await statusOf(parseConfig({}))).toBe(401);
    expect(await statusOf(parseConfig({}), 'Bearer anything')).toBe(401);
  });

  it('WORKER_PUSH_SECRET: only that bearer passes, on either backend', async () => {
    expect(await statusOf(parseConfig({ WORKER_PUSH_SECRET: 's3' }), 'Bearer s3')).toBe(204);
    expect(await statusOf(parseConfig({ WORKER_PUSH_SECRET: 's3' }), 'Bearer s4')).toBe(401);
    expect(await statusOf(parseConfig({ ...gcp, WORKER_PUSH_SECRET: 's3' }))).toBe(401);
  });

  it('gcp without an audience or secret leaves the check to Cloud Run (no public invoker)', () => {
    expect(pushVerifier({}, parseConfig(gcp))).toBeUndefined();
  });
});
