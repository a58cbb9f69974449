// The shared secret a push to the worker carries outside Cloud Run: WORKER_PUSH_SECRET, else (embedded
// default) a random one kept in $DATA_DIR/worker-push-secret.local, made like the webhook's; checked in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../core/config.ts';

type SecretConfig = Pick<Config, 'WORKER_PUSH_SECRET' | 'BACKEND' | 'DATA_DIR'>;

export function localPushSecretPath(config: Pick<Config, 'DATA_DIR'>): string {
  return join(config.DATA_DIR, 'worker-push-secret.local');
}

/** The secret and where it came from; undefined on gcp without WORKER_PUSH_SECRET (Cloud Run checks OIDC). */
export async function resolvePushSecret(
  config: SecretConfig,
): Promise<{ secret: string; source: string } | undefined> {
  if (config.WORKER_PUSH_SECRET) return { secret: config.WORKER_PUSH_SECRET, source: 'WORKER_PUSH_SECRET' };
  if (config.BACKEND !== 'local') return undefined;
  const path = localPushSecretPath(config);
  const existing = await readSecret(path);
  if (existing) return { secret: existing, source: path };
  await mkdir(config.DATA_DIR, { recursive: true });
  try {
    // Create-only: two processes starting together on one DATA_DIR end up with the same secret.
    await writeFile(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = await readSecret(path);
  if (!secret) throw new Error(`${path} is empty: delete it to have a new push secret made`);
  return { secret, source: path };
}

async function readSecret(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `Authorization: Bearer <secret>`, compared in constant time; throws when missing or wrong. */
export function sharedSecretVerifier(secret: string): (authorization: string | undefined) => Promise<void> {
  const expected = Buffer.from(`Bearer ${secret}`);
  return async (authorization) => {
    if (!authorization) throw new Error('missing push secret');
    const given = Buffer.from(authorization);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new Error('wrong push secret');
  };
}
