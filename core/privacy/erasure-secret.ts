// The key of erasure pseudonyms: ERASURE_SECRET, else (embedded default) a random one kept in
// $DATA_DIR/erasure-secret.local. It must never change: the same person must keep one pseudonym.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { localSecret } from '../local-secret.ts';

export async function resolveErasureSecret(
  config: Pick<Config, 'ERASURE_SECRET' | 'BACKEND' | 'DATA_DIR'>,
): Promise<string> {
  if (config.ERASURE_SECRET) return config.ERASURE_SECRET;
  if (config.BACKEND !== 'local')
    throw new Error(
      'ERASURE_SECRET is not set (Secret Manager secret ERASURE_SECRET; see terraform/README.md)',
    );
  return localSecret(join(config.DATA_DIR, 'erasure-secret.local'));
}
