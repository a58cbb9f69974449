// Browser access to the dashboard when DASHBOARD_TOKEN is set: `?token=` once becomes an HttpOnly
// cookie (and leaves the URL), and the cookie stands in for the bearer header the service checks.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseRequestTarget, sameOriginLocation } from '../../core/request-target.ts';
import { sameText as same } from '../../core/access-policy.ts';

export const COOKIE = 'zt_dashboard';

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== COOKIE) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // a malformed cookie is no cookie
    }
  }
  return undefined;
}

/** Wraps the service's listener when the access policy asks for a token; /webhook and /health pass through untouched. */
export function withDashboardAuth(listener: RequestListener, token: string | undefined): RequestListener {
  if (!token) return listener;
  return (req, res) => {
    const url = parseRequestTarget(req.url);
    if (!url) return badTarget(res);
    if (url.pathname === '/webhook' || url.pathname === '/health') return listener(req, res);
    const given = url.searchParams.get('token');
    if (given !== null && req.method === 'GET') return signIn(req, res, url, same(given, token));
    const cookie = cookieOf(req);
    if (!req.headers.authorization && cookie) req.headers.authorization = `Bearer ${cookie}`;
    const auth = req.headers.authorization ?? '';
    if (!url.pathname.startsWith('/api/') && !same(auth, `Bearer ${token}`)) return refuse(res);
    return listener(req, res);
  };
}

function signIn(req: IncomingMessage, res: ServerResponse, url: URL, ok: boolean): void {
  if (!ok) return refuse(res);
  const token = url.searchParams.get('token') ?? '';
  url.searchParams.delete('token');
  const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  res.writeHead(303, {
    location: sameOriginLocation(url),
    'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200${secure}`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end();
}

/** A request target no route can name (`*`, `//`, …): 400, before any token check. */
export function badTarget(res: ServerResponse): void {
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('Bad request target.\n');
}

function refuse(res: ServerResponse): void {
  const text =
    'Sign in: open this page once with ?token=<DASHBOARD_TOKEN> (it is then kept in an HttpOnly cookie), or send Authorization: Bearer <DASHBOARD_TOKEN>.\n';
  res.writeHead(401, {
    'content-type': 'text/plain; charset=utf-8',
    'www-authenticate': 'Bearer',
    'cache-control': 'no-store',
  });
  res.end(text);
}
