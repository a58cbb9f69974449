// `zoom-tracker worker` on the embedded default (a child process, real sockets): it makes a push
// secret in $DATA_DIR/worker-push-secret.local (0600) and refuses every push without it, so nobody
// on the network, nor any local program without the file, can start or stop captures.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePushEnvelope } from '../core/zoom/push-envelope.ts';
import type { RtmsQueueMessage } from '../core/zoom/types.ts';
import { isRunning, spawnService, type RunningService } from './helpers/spawn-serve.ts';

const stop: RtmsQueueMessage = {
  kind: 'stopped',
  eventId: 'stop-1',
  eventTs: Date.now(),
  meetingUuid: 'push-auth==',
  rtmsStreamId: 'push-auth-stream',
  stopReason: 1,
};

let dir: string;
let worker: RunningService;
let secret: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-push-auth-'));
  const started = await spawnService('worker', { DATA_DIR: dir });
  if (!isRunning(started)) throw new Error(`worker exited ${started.code}: ${started.stderr}`);
  worker = started;
  secret = (await readFile(join(dir, 'worker-push-secret.local'), 'utf8')).trim();
}, 40_000);
afterAll(async () => {
  if (worker) expect(await worker.stop()).toBe(0);
  await rm(dir, { recursive: true, force: true });
}, 30_000); // a stopping serve may take seconds on a busy machine

async function push(headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${worker.url}/pubsub/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(encodePushEnvelope(stop, randomUUID(), new Date())),
  });
  return { status: res.status, text: await res.text() };
}

describe('zoom-tracker worker push endpoint, embedded default', () => {
  it('generates a random push secret readable by its owner only', async () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await stat(join(dir, 'worker-push-secret.local'))).mode & 0o777).toBe(0o600);
  });

  const flipLast = (t: string): string => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
  it.each([
    ['no credentials', (): Record<string, string> => ({})],
    ['a wrong secret', () => ({ authorization: 'Bearer wrong-secret' })],
    [
      'the secret with its last character changed',
      (s: string) => ({ authorization: `Bearer ${flipLast(s)}` }),
    ],
    ['the secret without the Bearer scheme', (s: string) => ({ authorization: s })],
    ['the secret in another header', (s: string) => ({ 'x-push-secret': s })],
  ])('refuses a push with %s: 401', async (_name, headers: (s: string) => Record<string, string>) => {
    const res = await push(headers(secret));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toEqual({ error: 'invalid push token' });
  });

  it('accepts a push with the secret: 204', async () => {
    expect((await push({ authorization: `Bearer ${secret}` })).status).toBe(204);
    expect(worker.alive()).toBe(true);
  });
});
