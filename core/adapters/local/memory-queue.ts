// The embedded queue: delivers the same Pub/Sub push envelope to an in-process subscriber, with
// retries and backoff like a push subscription, so the worker has one code path.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.ts';
import type { HealthStatus, Queue } from '../../ports.ts';
import { encodePushEnvelope, type PushEnvelope } from '../../zoom/push-envelope.ts';

/** Returns an HTTP-like status: 2xx acknowledges, anything else is retried. */
export type PushSubscriber = (envelope: PushEnvelope) => Promise<number>;

export interface MemoryQueue extends Queue {
  subscribe(subscriber: PushSubscriber): void;
  /** Resolves when nothing is waiting for delivery (for tests and orderly shutdown). */
  idle(): Promise<void>;
}

export function createMemoryQueue(
  log: Logger,
  opts: { maxAttempts?: number; backoffMs?: number } = {},
): MemoryQueue {
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoffMs = opts.backoffMs ?? 1000;
  let subscriber: PushSubscriber | undefined;
  const waiting: PushEnvelope[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(envelope: PushEnvelope): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts && !closed; attempt++) {
      let status = 0;
      try {
        status = subscriber ? await subscriber({ ...envelope, deliveryAttempt: attempt }) : 0;
      } catch (err) {
        log.warn({ err, attempt }, 'in-process push delivery threw');
      }
      if (status >= 200 && status < 300) return;
      if (attempt < maxAttempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
    log.error(
      { messageId: envelope.message.messageId, attributes: envelope.message.attributes },
      'queue message dead-lettered',
    );
  }

  const chains = new Map<string, Promise<void>>();

  /** Messages with the same ordering key (the stream id) are delivered one after another. */
  function start(envelope: PushEnvelope): void {
    const key = envelope.message.orderingKey ?? '';
    const p = (chains.get(key) ?? Promise.resolve()).then(() => deliver(envelope));
    chains.set(key, p);
    const done = p.finally(() => {
      inFlight.delete(done);
      if (chains.get(key) === p) chains.delete(key);
    });
    inFlight.add(done);
  }

  return {
    async publish(message) {
      if (closed) throw new Error('queue is closed');
      const envelope = encodePushEnvelope(message, randomUUID(), new Date());
      if (subscriber) start(envelope);
      else waiting.push(envelope);
    },
    subscribe(s) {
      subscriber = s;
      for (const envelope of waiting.splice(0)) start(envelope);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async health(): Promise<HealthStatus> {
      return {
        ok: true,
        backend: 'memory',
        detail: subscriber ? 'subscribed' : `${waiting.length} waiting for a subscriber`,
      };
    },
    async close() {
      closed = true;
    },
  };
}
