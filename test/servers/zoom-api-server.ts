// A local server speaking Zoom's S2S OAuth token endpoint and the Dashboard participants-QoS
// endpoint, with knobs to misbehave (429 with Retry-After, expired/replaced tokens with 401 code
// 124, 5xx, plans without Dashboard, unknown meetings). Listens on 127.0.0.1:0.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ZoomApiKnobs {
  /** Answer 429 (Retry-After: 1) to this many QoS calls first. */
  rateLimitFirst?: number;
  /** After this many QoS calls, invalidate the current token once (the next call gets 401 code 124). */
  invalidateTokenAfter?: number;
  /** Answer 500 to this many QoS calls first (after any 429s). */
  serverErrorsFirst?: number;
  /** Every QoS call answers 400 "Dashboard feature" (plan without Dashboard). */
  dashboardDisabled?: boolean;
  /** Every QoS call answers 403. */
  forbidden?: boolean;
}

export interface ZoomApiServer {
  baseUrl: string;
  tokenUrl: string;
  tokenRequests: number;
  qosCalls: { meeting: string; query: Record<string, string>; at: number }[];
  knobs: ZoomApiKnobs;
  close(): Promise<void>;
}

export interface ZoomApiData {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** Participants per meeting UUID (decoded); meetings not listed answer 404 code 3001. */
  participants: Record<string, unknown[]>;
}

export async function startZoomApiServer(
  data: ZoomApiData,
  knobs: ZoomApiKnobs = {},
): Promise<ZoomApiServer> {
  const valid = new Set<string>();
  let tokenSeq = 0;
  let qosSeq = 0;
  let rateLimited = 0;
  let errored = 0;
  let invalidated = false;
  const state: ZoomApiServer = {
    baseUrl: '',
    tokenUrl: '',
    tokenRequests: 0,
    qosCalls: [],
    knobs,
    close: async () => undefined,
  };

  const json = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      state.tokenRequests++;
      const expected = `Basic ${Buffer.from(`${data.clientId}:${data.clientSecret}`).toString('base64')}`;
      const form = new URLSearchParams(body);
      if (
        req.headers.authorization !== expected ||
        form.get('grant_type') !== 'account_credentials' ||
        form.get('account_id') !== data.accountId
      ) {
        return json(res, 401, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
      }
      const token = `tok-${++tokenSeq}`;
      valid.clear(); // a new token invalidates the previous one (jobs/backfill/README.md)
      valid.add(token);
      return json(res, 200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'dashboard:read:list_meeting_participants_qos:admin',
      });
    }
    const m = /^\/v2\/metrics\/meetings\/([^/]+)\/participants\/qos$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      qosSeq++;
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const meeting = decodeURIComponent(decodeURIComponent(m[1] as string));
      state.qosCalls.push({
        meeting: decodeURIComponent(m[1] as string),
        query: Object.fromEntries(url.searchParams),
        at: Date.now(),
      });
      if (knobs.invalidateTokenAfter !== undefined && !invalidated && qosSeq > knobs.invalidateTokenAfter) {
        invalidated = true;
        valid.delete(token);
      }
      if (!valid.has(token)) return json(res, 401, { code: 124, message: 'Invalid access token.' });
      if (rateLimited < (knobs.rateLimitFirst ?? 0)) {
        rateLimited++;
        return json(
          res,
          429,
          {
            code: 429,
            message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
          },
          { 'retry-after': '1' },
        );
      }
      if (errored < (knobs.serverErrorsFirst ?? 0)) {
        errored++;
        return json(res, 502, { message: 'bad gateway' });
      }
      if (knobs.forbidden)
        return json(res, 403, {
          code: 4711,
          message:
            'Invalid access token, does not contain scopes:[dashboard:read:list_meeting_participants_qos:admin].',
        });
      if (knobs.dashboardDisabled)
        return json(res, 400, {
          code: 200,
          message:
            'Only available for Paid or ZMP account: Business or higher accounts that have enabled the Dashboard feature.',
        });
      if (url.searchParams.get('type') !== 'past')
        return json(res, 400, { code: 300, message: 'type must be past here' });
      const list = data.participants[meeting];
      if (!list) return json(res, 404, { code: 3001, message: 'Meeting does not exist or has expired.' });
      const pageSize = Math.min(10, Number(url.searchParams.get('page_size') ?? 1));
      const offset = Number(url.searchParams.get('next_page_token') || 0);
      const next = offset + pageSize < list.length ? String(offset + pageSize) : '';
      return json(res, 200, {
        page_size: pageSize,
        total_records: list.length,
        next_page_token: next,
        participants: list.slice(offset, offset + pageSize),
      });
    }
    json(res, 404, { message: 'no such endpoint' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v2`;
  state.tokenUrl = `http://127.0.0.1:${port}/oauth/token`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
