// A Queue that posts the Pub/Sub push envelope straight to another worker's /pubsub/push: used in
// local multi-process mode (RTMS_HANDOVER_PUSH_URL) so a stopping worker can hand its streams over,
// carrying the shared push secret the peer checks (`Authorization: Bearer <WORKER_PUSH_SECRET>`).
import { randomUUID } from 'node:crypto';
import type { Queue } from '../core/ports.ts';
import { encodePushEnvelope } from '../core/zoom/push-envelope.ts';

export function createHttpPushQueue(url: string, opts: { secret?: string; timeoutMs?: number } = {}): Queue {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const auth: Record<string, string> = opts.secret ? { authorization: `Bearer ${opts.secret}` } : {};
  return {
    async publish(message) {
      const envelope = encodePushEnvelope(message, randomUUID(), new Date(), 'handover');
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(timeoutMs),
        }).catch((err: unknown) => err as Error);
        if (!(res instanceof Error) && res.ok) return;
        if (attempt >= 3)
          throw new Error(
            `handover push to ${url} failed: ${res instanceof Error ? res.message : `HTTP ${res.status}`}`,
          );
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    },
    async health() {
      return { ok: true, backend: 'http-push', detail: url };
    },
    async close() {},
  };
}
