// Browser access to the dashboard when DASHBOARD_TOKEN is set: `?token=` once becomes an HttpOnly
// cookie (and leaves the URL), and the cookie stands in for the bearer header the service checks.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export const COOKIE = 'zt_dashboard';

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Wraps the service's listener; /webhook and /health pass through untouched. */
export function withDashboardAuth(listener: RequestListener, token: string | undefined): RequestListener {
  if (!token) return listener;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
  url.searchParams.delete('token');
  const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
  res.writeHead(303, {
    location: `${url.pathname}${url.search}`,
    'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200${secure}`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end();
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
