// The one listen/shutdown helper of every service: listen with Zoom's timeouts and a handler that
// never takes the process down, a printable URL, and a wait for SIGTERM/SIGINT (Cloud Run stops with SIGTERM).
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';
import { SERVER_TIMEOUTS } from './http.ts';

export async function listen(
  listener: RequestListener,
  port: number,
  host?: string,
  log?: Logger,
): Promise<Server> {
  // Zoom's 3 s deadline: slow headers or bodies are cut off (http.ts SERVER_TIMEOUTS).
  const server = createHttpServer(
    { keepAliveTimeout: 65_000, ...SERVER_TIMEOUTS },
    neverCrash(listener, log),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** A URL of the server for logs and tests: the loopback address when it listens on every interface. */
export function urlOf(server: Server): string {
  const { port, address } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** No request can take the process down: a throw or rejection in a handler becomes a 500 for that request. */
export function neverCrash(listener: RequestListener, log?: Logger): RequestListener {
  const fail = (err: unknown, res: ServerResponse): void => {
    log?.error({ err }, 'request handler threw');
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    else res.destroy();
  };
  return (req, res) => {
    try {
      const out = listener(req, res) as unknown;
      if (out instanceof Promise) out.catch((err: unknown) => fail(err, res));
    } catch (err) {
      fail(err, res);
    }
  };
}

/** Resolves with the signal's name on the first SIGTERM or SIGINT. */
export function waitForSignal(): Promise<'SIGTERM' | 'SIGINT'> {
  return new Promise((resolve) => {
    const on = (signal: 'SIGTERM' | 'SIGINT') => () => {
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
      resolve(signal);
    };
    const term = on('SIGTERM');
    const int = on('SIGINT');
    process.once('SIGTERM', term);
    process.once('SIGINT', int);
  });
}
