// The rtms-worker HTTP app, built without listening: `POST /pubsub/push` takes the RTMS
// start/stop/interrupt messages and answers in milliseconds; captures run on in the instance.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { decodePushEnvelope } from '../core/zoom/push-envelope.ts';
import type { RtmsQueueMessage } from '../core/zoom/types.ts';
import type { Reply } from './stream-manager.ts';
import { PayloadTooLargeError } from '../core/errors.ts';
import { readBody } from '../core/http.ts';
import { sharedSecretVerifier } from './push-secret.ts';

export interface WorkerServerDeps {
  manager: { handle(m: RtmsQueueMessage): Promise<Reply>; readonly activeStreams: number };
  log: Logger;
  /** Verifies the push's Authorization header (OIDC token or shared secret); throws when missing or wrong. */
  verifyPushToken?: (bearer: string | undefined) => Promise<void>;
  health?: () => Promise<Record<string, unknown>>;
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Handles one push: 204 acknowledges; 503 asks Pub/Sub to redeliver (another instance, later). */
export async function handlePush(
  deps: WorkerServerDeps,
  req: IncomingMessage,
): Promise<{ status: number; body?: unknown }> {
  if (deps.verifyPushToken) {
    try {
      await deps.verifyPushToken(req.headers.authorization);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'push rejected: bad credentials');
      return { status: 401, body: { error: 'invalid push token' } };
    }
  }
  const raw = await readBody(req);
  let message: RtmsQueueMessage;
  try {
    message = decodePushEnvelope(JSON.parse(raw.toString('utf8'))).message;
  } catch (err) {
    // Pub/Sub redelivers non-2xx until its dead-letter policy takes the message; say why once here.
    deps.log.error({ err: (err as Error).message, bytes: raw.length }, 'malformed push message');
    return { status: 400, body: { error: 'malformed push message' } };
  }
  const reply = await deps.manager.handle(message);
  return reply === 'ack' ? { status: 204 } : { status: 503, body: { error: 'not now, redeliver' } };
}

/** Push OIDC verification (Pub/Sub signs push requests with a Google ID token for the audience). */
export function oidcVerifier(audience: string): (bearer: string | undefined) => Promise<void> {
  let client:
    | Promise<{
        verifyIdToken(o: {
          idToken: string;
          audience: string;
        }): Promise<{ getPayload(): { email_verified?: boolean } | undefined }>;
      }>
    | undefined;
  return async (bearer) => {
    const token = /^Bearer (.+)$/i.exec(bearer ?? '')?.[1];
    if (!token) throw new Error('missing bearer token');
    client ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client());
    const ticket = await (await client).verifyIdToken({ idToken: token, audience });
    if (!ticket.getPayload()?.email_verified) throw new Error('push token email not verified');
  };
}

/**
 * Every push is authenticated: the given verifier, else OIDC for WORKER_PUSH_AUDIENCE, else the
 * shared WORKER_PUSH_SECRET. On gcp with neither, Cloud Run has checked the OIDC token already (the
 * service grants no public invoker); on the embedded default with neither, every push is refused.
 */
export function pushVerifier(
  deps: Pick<WorkerServerDeps, 'verifyPushToken'>,
  config: Pick<Config, 'WORKER_PUSH_AUDIENCE' | 'WORKER_PUSH_SECRET' | 'BACKEND'>,
): WorkerServerDeps['verifyPushToken'] {
  if (deps.verifyPushToken) return deps.verifyPushToken;
  if (config.WORKER_PUSH_AUDIENCE) return oidcVerifier(config.WORKER_PUSH_AUDIENCE);
  if (config.WORKER_PUSH_SECRET) return sharedSecretVerifier(config.WORKER_PUSH_SECRET);
  if (config.BACKEND === 'gcp') return undefined;
  return async () => {
    throw new Error('no push credentials configured (WORKER_PUSH_SECRET)');
  };
}

export function createServer(
  deps: WorkerServerDeps,
  config: Pick<Config, 'WORKER_PUSH_AUDIENCE' | 'WORKER_PUSH_SECRET' | 'BACKEND'>,
): RequestListener {
  const verifyPushToken = pushVerifier(deps, config);
  deps = { ...deps, ...(verifyPushToken && { verifyPushToken }) };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = async () => {
      if (req.method === 'GET' && path === '/health') {
        const extra = deps.health ? await deps.health() : {};
        return send(res, 200, { ok: true, activeStreams: deps.manager.activeStreams, ...extra });
      }
      if (path === '/pubsub/push') {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
        const out = await handlePush(deps, req);
        return send(res, out.status, out.body, out.status === 503 ? { 'retry-after': '10' } : {});
      }
      send(res, 404, { error: 'not found' });
    };
    respond().catch((err: unknown) => {
      const status = err instanceof PayloadTooLargeError ? 413 : 500;
      if (status === 500) deps.log.error({ err }, 'push handler failed');
      if (!res.headersSent)
        send(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
      else res.end();
    });
  };
}
