// RTMS start/stop/interrupt messages on Pub/Sub: JSON data, filterable attributes, and the stream id
// as ordering key so one stream's messages reach the worker in order. PUBSUB_EMULATOR_HOST from config.
import { PubSub } from '@google-cloud/pubsub';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { HealthStatus, Queue } from '../../ports.ts';
import { NonRetriableError, TransientUpstreamError, errorMessage } from '../../errors.ts';
import { queueAttributes } from '../../zoom/push-envelope.ts';
import { isTransient } from './upstream-errors.ts';

type QueueConfig = Pick<Config, 'GCP_PROJECT_ID' | 'PUBSUB_TOPIC' | 'PUBSUB_EMULATOR_HOST'>;

export interface PubSubQueueOptions {
  /** How long one publish may take, retries included, before it fails (default 20 s). */
  publishTimeoutMs?: number;
}

export function createPubSubQueue(config: QueueConfig, log: Logger, opts: PubSubQueueOptions = {}): Queue {
  if (!config.PUBSUB_TOPIC) throw new NonRetriableError('PUBSUB_TOPIC is required for the Pub/Sub queue');
  const pubsub = new PubSub({
    ...(config.GCP_PROJECT_ID && { projectId: config.GCP_PROJECT_ID }),
    // The emulator needs no credentials: a fixed universe stops the auth library probing for a GCE metadata server.
    ...(config.PUBSUB_EMULATOR_HOST && {
      apiEndpoint: config.PUBSUB_EMULATOR_HOST,
      emulatorMode: true,
      clientOptions: { universeDomain: 'googleapis.com' },
    }),
  });
  const topic = pubsub.topic(config.PUBSUB_TOPIC, {
    messageOrdering: true,
    batching: { maxMessages: 100, maxMilliseconds: 5 },
    gaxOpts: { timeout: opts.publishTimeoutMs ?? 20_000 },
  });
  // Health without an extra API call (the publisher role cannot read topic metadata): the last publish.
  let lastFailure: string | undefined;

  return {
    async publish(message) {
      const orderingKey = message.rtmsStreamId;
      try {
        const messageId = await topic.publishMessage({
          data: Buffer.from(JSON.stringify(message)),
          attributes: queueAttributes(message),
          orderingKey,
        });
        lastFailure = undefined;
        log.debug({ messageId, kind: message.kind, rtmsStreamId: orderingKey }, 'rtms message published');
      } catch (err) {
        // A failed publish pauses its ordering key; resume so the caller's retry (or replay) can go out.
        topic.resumePublishing(orderingKey);
        lastFailure = errorMessage(err);
        log.warn(
          { kind: message.kind, rtmsStreamId: orderingKey, err: lastFailure },
          'pub/sub publish failed',
        );
        if (isTransient(err))
          throw new TransientUpstreamError(`pub/sub publish failed: ${lastFailure}`, { cause: err });
        throw new NonRetriableError(`pub/sub publish failed: ${lastFailure}`, { cause: err });
      }
    },

    health(): Promise<HealthStatus> {
      return Promise.resolve(
        lastFailure === undefined
          ? { ok: true, backend: 'pubsub', detail: topic.name }
          : { ok: false, backend: 'pubsub', detail: lastFailure },
      );
    },

    async close() {
      await topic.flush().catch(() => undefined);
      await pubsub.close();
    },
  };
}
