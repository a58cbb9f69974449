// Starts the webhook service on the embedded default in a temp DATA_DIR, listening on 127.0.0.1:0,
// and sends signed deliveries to it. For tests and benchmarks.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import { signedHeaders } from '../../core/zoom/signature.ts';
import { createWebhookService, type WebhookService } from '../../webhook/create-webhook.ts';
import { listen, urlOf } from '../../core/http-server.ts';

export const TEST_SECRET = 'test-webhook-secret';

export interface LocalWebhook {
  url: string;
  dataDir: string;
  config: Config;
  service: WebhookService;
  /** Signs and posts a body (object or raw text); returns status and parsed JSON. */
  post(
    body: unknown,
    opts?: { headers?: Record<string, string>; raw?: boolean },
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface LocalWebhookOptions {
  env?: Record<string, string>;
  dataDir?: string;
  /** The service's clock (signing uses it too), e.g. to replay a past fixture day as if live. */
  now?: () => number;
}

export async function startLocalWebhook(opts: LocalWebhookOptions = {}): Promise<LocalWebhook> {
  const { env = {}, dataDir, now = Date.now } = opts;
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'zt-webhook-')));
  const config = parseConfig({ DATA_DIR: dir, ZOOM_WEBHOOK_SECRET_TOKEN: TEST_SECRET, ...env });
  const service = await createWebhookService(config, silentLogger(), now);
  const server: Server = await listen(service.listener, 0, '127.0.0.1');
  const url = urlOf(server);
  return {
    url,
    dataDir: dir,
    config,
    service,
    async post(body, opts = {}) {
      const raw = Buffer.from(typeof body === 'string' && opts.raw ? body : JSON.stringify(body));
      const res = await fetch(`${url}/webhook`, {
        method: 'POST',
        headers: { ...signedHeaders(TEST_SECRET, raw, now()), ...opts.headers },
        body: raw,
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = { text };
      }
      return { status: res.status, json };
    },
    async close(opts = {}) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await service.close();
      if (!opts.keepData) await rm(dir, { recursive: true, force: true });
    },
  };
}
