// The webhook service's HTTP app, built without listening: POST /webhook, GET /health, the
// live-state API and the dashboard. create-webhook.ts wires it (for `serve` and webhook/function.ts).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  InvalidSignatureError,
  MalformedEventError,
  OverloadedError,
  PayloadTooLargeError,
  RequestTimeoutError,
  TransientUpstreamError,
  UnsupportedMediaTypeError,
  errorMessage,
} from '../core/errors.ts';
import { createByteBudget, header, readBody, sendJson } from '../core/http.ts';
import { markRoster } from '../core/state/person-view.ts';
import { createHealthCheck, type RecoveryReport } from './health.ts';
import { ingestDelivery, precheckDelivery, type IngestDeps } from './ingest.ts';
import { parseRequestTarget } from '../core/request-target.ts';
import { mayReadPersonalData, type Access } from '../core/access-policy.ts';

export interface WebhookServerDeps extends IngestDeps {
  /** Extra routes (dashboard pages, server-sent events); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** What start-up recovery skipped, for /health (embedded default). */
  recovery?: () => RecoveryReport | undefined;
}

export interface WebhookServerOptions {
  /** Who may read /api/* (core/access-policy.ts); open when not given. */
  access?: Access;
  /** Roster match keys (`e:<email>`, `n:<normalised name>`): persons are marked `rosterMatch`. */
  roster?: ReadonlySet<string>;
  /** Webhook body bytes all requests may hold at once; beyond it 503 + Retry-After (default 32 MiB). */
  maxBytesInFlight?: number;
  /** A webhook body must be complete this long after its headers (default 3 s, Zoom's deadline). */
  bodyDeadlineMs?: number;
}

export const MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;
export const BODY_DEADLINE_MS = 3_000;

/** Maps each error type to the status Zoom should see; never 429 (Zoom does not retry 4xx). */
export function statusOf(err: unknown): number {
  if (err instanceof InvalidSignatureError) return 401;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof RequestTimeoutError) return 408;
  if (err instanceof OverloadedError) return 503;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof MalformedEventError) return 400;
  if (err instanceof TransientUpstreamError) return 503;
  return 500;
}

export function createServer(deps: WebhookServerDeps, opts: WebhookServerOptions = {}): RequestListener {
  const { log } = deps;
  const budget = createByteBudget(opts.maxBytesInFlight ?? MAX_BYTES_IN_FLIGHT);
  const health = createHealthCheck(deps);

  async function handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const hold = budget.open();
    let bodyRead = false;
    try {
      const delivery = {
        contentType: header(req, 'content-type'),
        signature: header(req, 'x-zm-signature'),
        timestamp: header(req, 'x-zm-request-timestamp'),
      };
      // Unsigned or stale: 401 before a byte of the body is read or held.
      precheckDelivery(deps, delivery);
      const body = await readBody(req, undefined, {
        hold,
        deadlineMs: opts.bodyDeadlineMs ?? BODY_DEADLINE_MS,
      });
      bodyRead = true;
      const result = await ingestDelivery(deps, { ...delivery, body });
      if (result.kind === 'validation') {
        log.info('answered endpoint.url_validation');
        sendJson(res, 200, result.body);
        return;
      }
      log.debug(
        {
          eventId: result.eventId,
          eventType: result.eventType,
          duplicate: result.duplicate,
          ms: Math.round(performance.now() - started),
        },
        'event accepted',
      );
      sendJson(res, 200, { status: 'ok', event_id: result.eventId, duplicate: result.duplicate });
    } catch (err) {
      const status = statusOf(err);
      const level = status >= 500 ? 'error' : 'warn';
      log[level](
        { status, error: errorMessage(err), requestId: header(req, 'x-zm-request-id') },
        'webhook refused',
      );
      const headers: Record<string, string> =
        err instanceof OverloadedError
          ? { 'retry-after': '5' }
          : status === 503
            ? { 'retry-after': '30' }
            : {};
      // A body left unread is not waited for: the connection closes once the answer is sent (an
      // oversized body is drained instead, so the client reads its 413).
      if (!bodyRead && !req.complete && !(err instanceof PayloadTooLargeError))
        headers['connection'] = 'close';
      sendJson(res, status, { error: status === 500 ? 'internal error' : errorMessage(err) }, headers);
    } finally {
      hold.release();
    }
  }

  async function handleHealth(res: ServerResponse): Promise<void> {
    // Only the archive decides readiness (it is what makes a webhook durable); the rest is named.
    const { status, body } = await health();
    sendJson(res, status, body);
  }

  const access: Access = opts.access ?? { kind: 'open' };
  /** The token check; a closed policy is answered by each route itself (403 saying why). */
  function authorized(req: IncomingMessage): boolean {
    return access.kind !== 'token' || mayReadPersonalData(access, header(req, 'authorization'));
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (access.kind === 'closed') {
      sendJson(res, 403, { error: 'the live-state API is off: set DASHBOARD_TOKEN to enable it' });
      return;
    }
    if (!authorized(req)) {
      sendJson(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    if (url.pathname === '/api/meetings') {
      const includeEnded = url.searchParams.get('include_ended') === 'true';
      sendJson(res, 200, { meetings: await deps.liveState.listMeetings({ includeEnded }) });
      return;
    }
    const m = /^\/api\/meetings\/([^/]+)\/live-participants$/.exec(url.pathname);
    if (m?.[1]) {
      const meeting = decodeSegment(m[1]);
      if (meeting === undefined) {
        sendJson(res, 400, { error: 'meeting id is not valid percent-encoded UTF-8' });
        return;
      }
      const view = await deps.liveState.liveParticipants(meeting);
      const roster = opts.roster;
      if (view && roster) markRoster(view.participants, roster);
      if (view) sendJson(res, 200, view);
      else sendJson(res, 404, { error: 'no such meeting in live state' });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }

  return (req, res) => {
    const url = parseRequestTarget(req.url);
    if (!url) return sendJson(res, 400, { error: 'bad request target' });
    const route = async (): Promise<void> => {
      if (url.pathname === '/webhook') {
        if (req.method === 'POST') return handleWebhook(req, res);
        return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, { error: 'method not allowed' });
      if (url.pathname === '/health') return handleHealth(res);
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
      if (deps.extraRoutes && authorized(req) && (await deps.extraRoutes(req, res, url))) return;
      sendJson(res, 404, { error: 'not found' });
    };
    route().catch((err: unknown) => {
      log.error({ err, path: url.pathname }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}

/** A percent-decoded path segment, or undefined when it is not valid UTF-8 (`%E0%A4%A`). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
