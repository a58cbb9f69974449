// The Pub/Sub queue adapter against the Google Cloud SDK's Pub/Sub emulator (started with java):
// messages arrive at an ordered subscription with their attributes, ordering key and decodable data.
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSubQueue } from '../../core/adapters/gcp/pubsub-queue.ts';
import { parseConfig } from '../../core/config.ts';
import { TransientUpstreamError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { decodePushEnvelope } from '../../core/zoom/push-envelope.ts';
import type { RtmsQueueMessage } from '../../core/zoom/types.ts';
import { startPubSubEmulator, type Emulator } from '../emulators.ts';

const PROJECT = 'zoom-tracker-test';
const TOPIC = 'rtms-events';
let emulator: Emulator;
let admin: PubSub;

beforeAll(async () => {
  emulator = await startPubSubEmulator();
  admin = new PubSub({
    projectId: PROJECT,
    apiEndpoint: emulator.host,
    emulatorMode: true,
    clientOptions: { universeDomain: 'googleapis.com' },
  });
  const [topic] = await admin.createTopic(TOPIC);
  await topic.createSubscription('rtms-worker', { enableMessageOrdering: true });
});

afterAll(async () => {
  await admin?.close();
  await emulator?.stop();
});

const message = (kind: RtmsQueueMessage['kind'], i: number, stream = 'stream-1'): RtmsQueueMessage => ({
  kind,
  eventId: `evt-${stream}-${i}`,
  eventTs: 1_770_000_000_000 + i,
  meetingUuid: 'abc/def+==',
  meetingId: '81234567890',
  rtmsStreamId: stream,
  ...(kind === 'started' && { serverUrls: 'wss://rtms.zoom.us' }),
  ...(kind === 'stopped' && { stopReason: 6 }),
});

/** Collects `count` messages from a streaming pull, acking each. */
function receive(count: number): Promise<Message[]> {
  const sub = admin.subscription('rtms-worker');
  const got: Message[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages arrived`)), 15_000);
    sub.on('error', reject);
    sub.on('message', (m: Message) => {
      m.ack();
      got.push(m);
      if (got.length === count) {
        clearTimeout(timer);
        sub.removeAllListeners();
        void sub.close().then(() => resolve(got));
      }
    });
  });
}

describe('pub/sub queue', () => {
  it('publishes JSON with attributes and the stream id as ordering key, in order per stream', async () => {
    const queue = createPubSubQueue(
      parseConfig({ GCP_PROJECT_ID: PROJECT, PUBSUB_TOPIC: TOPIC, PUBSUB_EMULATOR_HOST: emulator.host }),
      silentLogger(),
    );
    const sent = [
      message('started', 0),
      message('interrupted', 1),
      message('started', 2),
      message('stopped', 3),
      message('started', 0, 'stream-2'),
    ];
    const arriving = receive(sent.length);
    for (const m of sent) await queue.publish(m);
    const got = await arriving;
    expect(await queue.health()).toMatchObject({ ok: true, backend: 'pubsub' });
    await queue.close();

    const decoded = got.map((m) => {
      // The push subscription wraps exactly these fields; the worker decodes them with decodePushEnvelope.
      const envelope = {
        message: {
          data: m.data.toString('base64'),
          attributes: m.attributes,
          messageId: m.id,
          publishTime: m.publishTime.toISOString(),
          orderingKey: m.orderingKey,
        },
        subscription: 'projects/p/subscriptions/rtms-worker',
      };
      const { message: decodedMessage } = decodePushEnvelope(envelope);
      expect(m.orderingKey).toBe(decodedMessage.rtmsStreamId);
      expect(m.attributes).toEqual({
        kind: decodedMessage.kind,
        rtms_stream_id: decodedMessage.rtmsStreamId,
        event_id: decodedMessage.eventId,
      });
      return decodedMessage;
    });
    expect(decoded.filter((m) => m.rtmsStreamId === 'stream-1')).toEqual(sent.slice(0, 4));
    expect(decoded.filter((m) => m.rtmsStreamId === 'stream-2')).toEqual([sent[4]]);
  });

  it('an unreachable Pub/Sub is a TransientUpstreamError and health reports it', async () => {
    const queue = createPubSubQueue(
      parseConfig({ GCP_PROJECT_ID: PROJECT, PUBSUB_TOPIC: TOPIC, PUBSUB_EMULATOR_HOST: '127.0.0.1:1' }),
      silentLogger(),
      { publishTimeoutMs: 2000 },
    );
    const publishing = queue.publish(message('started', 9, 'stream-down'));
    await expect(publishing).rejects.toBeInstanceOf(TransientUpstreamError);
    expect((await queue.health()).ok).toBe(false);
    await queue.close();
  });
});
