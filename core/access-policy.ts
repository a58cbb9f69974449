// Who may see personal data (participant names, e-mails, journeys) on the webhook service: the one
// decision behind the dashboard sign-in, the live-state API, the dashboard pages and serve's start-up
// check. With DASHBOARD_TOKEN: the bearer token. Without it: closed on Google Cloud, open on the
// embedded default, which then may listen on loopback only (listen-address.ts exposureProblem).
import { timingSafeEqual } from 'node:crypto';
import type { Config } from './config.ts';

export type Access = { kind: 'token'; token: string } | { kind: 'closed' } | { kind: 'open' };

export function accessPolicy(config: Pick<Config, 'BACKEND' | 'DASHBOARD_TOKEN'>): Access {
  if (config.DASHBOARD_TOKEN) return { kind: 'token', token: config.DASHBOARD_TOKEN };
  return config.BACKEND === 'gcp' ? { kind: 'closed' } : { kind: 'open' };
}

/** True when a request with this Authorization header may see personal data (constant-time compare). */
export function mayReadPersonalData(access: Access, authorization: string | undefined): boolean {
  if (access.kind === 'open') return true;
  if (access.kind === 'closed') return false;
  return sameText(authorization ?? '', `Bearer ${access.token}`);
}

/** Constant-time equality of two strings (different lengths differ at once). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
