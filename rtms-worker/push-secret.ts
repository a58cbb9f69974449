// The shared secret a push to the worker carries outside Cloud Run: WORKER_PUSH_SECRET, else (embedded
// default) a random one kept in $DATA_DIR/worker-push-secret.local, made like the webhook's; checked in constant time.
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../core/config.ts';
import { localSecret } from '../core/local-secret.ts';

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
  return { secret: await localSecret(path), source: path };
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
