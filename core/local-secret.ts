// A random secret the embedded default makes once and keeps in a DATA_DIR file (mode 0600), for the
// settings that production takes from Secret Manager (worker push secret, erasure secret).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The secret in `path`, made (create-only, so concurrent starts agree) when there is none. */
export async function localSecret(path: string): Promise<string> {
  const existing = await readSecret(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = await readSecret(path);
  if (!secret) throw new Error(`${path} is empty: delete it to have a new secret made`);
  return secret;
}

async function readSecret(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
