// Functions Framework HTTP target `zoomWebhook` (`functions-framework --target=zoomWebhook`), an
// alternative entry to `zoom-tracker serve` (README.md, "Entries"): the same create-webhook.ts app,
// built on the first request. The framework registers handlers at import and has no start hook, so
// the built app is held here; this is the only place the target reads the environment.
import { http } from '@google-cloud/functions-framework';
import type { RequestListener } from 'node:http';
import { parseConfig } from '../core/config.ts';
import { createLogger, logFormatOf } from '../core/log.ts';
import { createWebhookService } from './create-webhook.ts';

let app: Promise<RequestListener> | undefined;

function build(): Promise<RequestListener> {
  const config = parseConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, format: logFormatOf(config), name: 'webhook' });
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
