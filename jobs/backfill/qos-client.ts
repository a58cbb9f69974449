// Dashboard "list meeting participants QoS" for past meetings (jobs/backfill/README.md): double-encoded
// UUID, type=past, page_size 10, every page; Heavy-rate limited, 429 honoured, errors typed by
// what the backfill does next (skip the meeting, stop the run, retry).
import { NonRetriableError, TransientUpstreamError } from '../../core/errors.ts';
import type { TokenSource } from './zoom-token.ts';
import { retryAfterMs, type RateLimiter } from './rate-limiter.ts';
import { qosPageSchema } from './qos-parse.ts';

/** The account cannot use Dashboard APIs (plan below Business, or the feature is off): stop the run. */
export class DashboardUnavailableError extends NonRetriableError {
  override name = 'DashboardUnavailableError';
}

/** The meeting is unknown or too old for the Dashboard (404 / 3001, 400 / 12702): skip it. */
export class MeetingNotAvailableError extends Error {
  override name = 'MeetingNotAvailableError';
}

export interface QosClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  limiter: RateLimiter;
  fetch?: typeof fetch;
  now?: () => number;
  /** Attempts per page for 429 and 5xx before giving up on the meeting. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface QosPage {
  participants: unknown[];
  raw: unknown;
}

/** `/` and `//` in UUIDs need double encoding; doing it always is accepted and simpler. */
export function encodeMeetingUuid(uuid: string): string {
  return encodeURIComponent(encodeURIComponent(uuid));
}

export function createQosClient(opts: QosClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = opts.maxAttempts ?? 5;

  async function getPage(meetingUuid: string, pageToken: string): Promise<{ body: unknown; next: string }> {
    const url = new URL(
      `${opts.baseUrl.replace(/\/$/, '')}/metrics/meetings/${encodeMeetingUuid(meetingUuid)}/participants/qos`,
    );
    url.searchParams.set('type', 'past');
    url.searchParams.set('page_size', '10');
    if (pageToken) url.searchParams.set('next_page_token', pageToken);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await opts.limiter.acquire();
      const token = await opts.tokens.get();
      let res: Response;
      try {
        res = await doFetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        });
      } catch (err) {
        if (attempt >= maxAttempts)
          throw new TransientUpstreamError(`Zoom API unreachable: ${(err as Error).message}`, { cause: err });
        await sleep(backoff(attempt));
        continue;
      }
      const text = await res.text();
      const body = safeJson(text);
      const code =
        typeof body === 'object' && body && 'code' in body
          ? Number((body as { code: unknown }).code)
          : undefined;
      const message =
        typeof body === 'object' && body && 'message' in body
          ? String((body as { message: unknown }).message)
          : text.slice(0, 200);
      if (res.ok) {
        const page = qosPageSchema.safeParse(body);
        if (!page.success) throw new TransientUpstreamError('Zoom QoS answer is not a participants page');
        return { body, next: page.data.next_page_token ?? '' };
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true; // code 124: token invalid or replaced; refresh once and retry
        await opts.tokens.refresh(token);
        continue;
      }
      if (res.status === 401)
        throw new NonRetriableError(
          `Zoom rejected the access token twice (401${code ? ` code ${code}` : ''}): ${message}`,
        );
      if (res.status === 400 && /dashboard|business|plan/i.test(message)) {
        throw new DashboardUnavailableError(
          `this Zoom account cannot use the Dashboard QoS API (needs a Business plan or higher with the Dashboard feature enabled): ${message}`,
        );
      }
      if (res.status === 403) {
        throw new NonRetriableError(
          `Zoom refused the Dashboard QoS API (403): the app needs scope dashboard:read:list_meeting_participants_qos:admin — ${message}`,
        );
      }
      if (res.status === 404 || (res.status === 400 && (code === 12702 || code === 3001))) {
        throw new MeetingNotAvailableError(
          `meeting not available on the Dashboard (${res.status}${code ? ` code ${code}` : ''}): ${message}`,
        );
      }
      if (res.status === 429) {
        if (/daily/i.test(message))
          throw new NonRetriableError(
            `Zoom's daily rate limit is reached: ${message}; rerun later to resume`,
          );
        const wait = retryAfterMs(res.headers.get('retry-after'), now());
        opts.limiter.pauseUntil(now() + wait);
        if (attempt >= maxAttempts)
          throw new TransientUpstreamError(`Zoom kept answering 429 after ${attempt} attempts`);
        continue;
      }
      if (res.status >= 500 && attempt < maxAttempts) {
        await sleep(backoff(attempt));
        continue;
      }
      if (res.status >= 500)
        throw new TransientUpstreamError(`Zoom API answered ${res.status} ${attempt} times`);
      throw new NonRetriableError(
        `Zoom API answered ${res.status}${code ? ` code ${code}` : ''}: ${message}`,
      );
    }
  }

  return {
    /** Every page of a past meeting's participant QoS. */
    async *pages(meetingUuid: string): AsyncGenerator<QosPage> {
      let token = '';
      do {
        const { body, next } = await getPage(meetingUuid, token);
        const participants = (body as { participants?: unknown[] | null }).participants ?? [];
        yield { participants, raw: body };
        token = next;
      } while (token);
    },
  };
}

export type QosClient = ReturnType<typeof createQosClient>;

function backoff(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** (attempt - 1));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
