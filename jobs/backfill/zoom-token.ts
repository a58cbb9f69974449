// Server-to-Server OAuth (jobs/backfill/README.md): one cached token per run, fetched single-flight, renewed
// a minute before expiry, and refreshed once when Zoom says it is invalid (401 code 124) — never a
// token per call, because a new token can invalidate the previous one.
import { z } from 'zod';
import { NonRetriableError, TransientUpstreamError } from '../../core/errors.ts';

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().default(3600),
  api_url: z.string().optional(),
});

export interface TokenSourceOptions {
  tokenUrl: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface TokenSource {
  /** The cached token, fetching one if there is none or it is about to expire. */
  get(): Promise<string>;
  /** Called with a token Zoom rejected: fetches a new one unless that already happened. */
  refresh(rejected: string): Promise<string>;
  /** How many tokens this run requested. */
  requests(): number;
  /** `api_url` of the token answer, if Zoom sent one. */
  apiUrl(): string | undefined;
}

export function createTokenSource(opts: TokenSourceOptions): TokenSource {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  let token: { value: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let count = 0;
  let apiUrl: string | undefined;

  async function request(): Promise<string> {
    count++;
    const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'account_credentials', account_id: opts.accountId });
    let res: Response;
    try {
      res = await doFetch(opts.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    } catch (err) {
      throw new TransientUpstreamError(`Zoom OAuth unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (res.status >= 500) throw new TransientUpstreamError(`Zoom OAuth answered ${res.status}`);
    if (!res.ok)
      throw new NonRetriableError(
        `Zoom OAuth refused the Server-to-Server credentials (${res.status}); check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET`,
      );
    let parsed;
    try {
      parsed = tokenSchema.parse(JSON.parse(text));
    } catch {
      throw new NonRetriableError('Zoom OAuth answer has no access_token');
    }
    apiUrl = parsed.api_url;
    token = { value: parsed.access_token, expiresAt: now() + parsed.expires_in * 1000 };
    return parsed.access_token;
  }

  function singleFlight(): Promise<string> {
    inFlight ??= request().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    async get() {
      if (token && token.expiresAt - now() > 60_000) return token.value;
      return singleFlight();
    },
    async refresh(rejected) {
      if (token && token.value !== rejected) return token.value;
      token = undefined;
      return singleFlight();
    },
    requests: () => count,
    apiUrl: () => apiUrl,
  };
}
