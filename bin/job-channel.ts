// The running `serve`'s job channel: an HTTP server on 127.0.0.1 only, bearer token from the lock
// file (0600). `POST /jobs {command, argv}` runs the job in the service and streams NDJSON: log
// records, progress, and a last `end` line with the outcome.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../core/log.ts';
import type { Progress } from '../jobs/progress.ts';
import { relayLog } from './log-relay.ts';
import { reasonOf } from './reason.ts';

export interface JobIo {
  log: Logger;
  progress: () => Progress;
  /** Called when the job has to wait for another one to finish first. */
  waiting(behind: string): void;
}

export interface JobChannelOptions {
  token: string;
  /** Level of the job's log records (the service's LOG_LEVEL). */
  level: string;
  log: Logger;
  run(command: string, argv: string[], io: JobIo): Promise<void>;
}

export interface JobChannel {
  url: string;
  close(): Promise<void>;
}

export type ChannelLine =
  | { log: Record<string, unknown> }
  | { progress: { start?: { total: number; label: string }; tick?: number; done?: true } }
  | { waiting: string }
  | { end: { ok: boolean; error?: string } };

const MAX_BODY = 64 * 1024;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function refuse(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
}

export async function startJobChannel(opts: JobChannelOptions): Promise<JobChannel> {
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      opts.log.error({ err }, 'job channel request failed');
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) return refuse(res, 403, 'loopback only');
    if (!same(req.headers.authorization ?? '', `Bearer ${opts.token}`))
      return refuse(res, 401, 'missing or wrong token');
    if (req.method === 'GET' && req.url === '/ping') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pid: process.pid }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/jobs') return refuse(res, 404, 'not found');
    const body = (await readJson(req).catch(() => undefined)) as
      { command?: unknown; argv?: unknown } | undefined;
    const argv = body?.argv;
    if (
      typeof body?.command !== 'string' ||
      !Array.isArray(argv) ||
      !argv.every((a) => typeof a === 'string')
    )
      return refuse(res, 400, 'expected {"command": string, "argv": string[]}');
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const send = (line: ChannelLine): void => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(line)}\n`);
    };
    const jobLog = opts.log.child({ job: body.command, from: 'cli' });
    const log = createLogger({ level: opts.level, format: 'json', name: body.command }, {
      write(line: string) {
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          send({ log: record });
          relayLog(record, jobLog);
        } catch {
          // not a record
        }
        return true;
      },
    } as unknown as NodeJS.WritableStream);
    const progress = (): Progress => ({
      start: (total, label) => send({ progress: { start: { total, label } } }),
      tick: (n = 1) => send({ progress: { tick: n } }),
      done: () => send({ progress: { done: true } }),
    });
    try {
      await opts.run(body.command, argv as string[], {
        log,
        progress,
        waiting: (behind) => send({ waiting: behind }),
      });
      send({ end: { ok: true } });
    } catch (err) {
      const error = reasonOf(err);
      jobLog.error({ error }, 'job failed');
      send({ end: { ok: false, error } });
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
