// Functions Framework HTTP target `zoomWebhook` for Cloud Run (`functions-framework --target=zoomWebhook`):
// the same app as `zoom-tracker serve`, built once per instance from the environment.
import { http } from '@google-cloud/functions-framework';
import type { RequestListener } from 'node:http';
import { parseConfig } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { createWebhookService } from './create-webhook.ts';

let app: Promise<RequestListener> | undefined;

function build(): Promise<RequestListener> {
  const config = parseConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? 'json', name: 'webhook' });
  return createWebhookService(config, log).then((s) => s.listener);
}

http('zoomWebhook', (req, res) => {
  app ??= build();
  app.then(
    (listener) => listener(req, res),
    (err: unknown) => {
      console.error(err);
      res.status(503).json({ error: 'service not configured' });
    },
  );
});
