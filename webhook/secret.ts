// The webhook secret: from config in production; for the embedded default without one, a random
// development secret kept in $DATA_DIR so simulators and the demo can sign with it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireSettings, type Config } from '../core/config.ts';

export function localSecretPath(config: Config): string {
  return join(config.DATA_DIR, 'webhook-secret.local');
}

/** Throws a ConfigError on BACKEND=gcp without a secret: production never signs with a made-up one. */
export async function resolveWebhookSecret(config: Config): Promise<{ secret: string; source: string }> {
  if (config.ZOOM_WEBHOOK_SECRET_TOKEN)
    return { secret: config.ZOOM_WEBHOOK_SECRET_TOKEN, source: 'ZOOM_WEBHOOK_SECRET_TOKEN' };
  if (config.BACKEND === 'gcp')
    requireSettings(config, ['ZOOM_WEBHOOK_SECRET_TOKEN'], 'for the webhook service when BACKEND=gcp');
  const path = localSecretPath(config);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing) return { secret: existing, source: path };
  } catch {
    // not there yet
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return { secret, source: path };
}
