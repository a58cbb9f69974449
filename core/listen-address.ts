// Where the services listen: HOST, else loopback on the embedded default (names and e-mails stay on
// this machine) and every interface on gcp (Cloud Run routes to the container from outside).
import { isIP } from 'node:net';
import type { Config } from './config.ts';
import { accessPolicy } from './access-policy.ts';

type ListenConfig = Pick<Config, 'HOST' | 'BACKEND' | 'DASHBOARD_TOKEN'>;

/** The address to pass to `server.listen`; undefined means every interface (Node's default). */
export function listenHost(config: Pick<Config, 'HOST' | 'BACKEND'>): string | undefined {
  return config.HOST ?? (config.BACKEND === 'local' ? '127.0.0.1' : undefined);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Why the dashboard may not be served on this address, or undefined: when the access policy leaves
 * personal data open (embedded default without DASHBOARD_TOKEN), only loopback is allowed.
 */
export function exposureProblem(config: ListenConfig): string | undefined {
  const host = listenHost(config);
  if (accessPolicy(config).kind !== 'open') return undefined;
  if (host !== undefined && isLoopbackHost(host)) return undefined;
  return `HOST=${host ?? ''} would open the dashboard's names and e-mails to the network: set DASHBOARD_TOKEN, or use a loopback HOST such as 127.0.0.1`;
}
