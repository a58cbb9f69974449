// RTMS start/stop messages: the topic the webhook publishes to, the ordered push subscription that
// delivers them to the rtms-worker with an OIDC token, and a dead-letter topic kept for inspection.
import type { Construct } from 'constructs';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic/index.js';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member/index.js';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription/index.js';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member/index.js';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member/index.js';
import type { StackInputs } from './inputs.ts';
import type { Foundation } from './foundation.ts';

/**
 * Delivery settings chosen for the worker: it answers a push once it holds the stream's lease and has
 * started (or declined) the capture, well inside the ack deadline; Zoom lets a stream be reconnected for
 * about 60 s, so retries back off from 5 s to at most 60 s, and a message still failing after 5
 * attempts is parked on the dead-letter topic instead of looping.
 */
export const PUSH_DELIVERY = {
  ackDeadlineSeconds: 60,
  minimumBackoff: '5s',
  maximumBackoff: '60s',
  maxDeliveryAttempts: 5,
  /** A start message older than this is of no use: the stream is gone. */
  messageRetentionDuration: '3600s',
} as const;

export const PUSH_PATH = '/pubsub/push';

export interface Messaging {
  topic: PubsubTopic;
  deadLetter: PubsubTopic;
}

export function addTopics(scope: Construct, inputs: StackInputs, f: Foundation): Messaging {
  const topic = new PubsubTopic(scope, 'topic_rtms', {
    name: inputs.topic,
    messageRetentionDuration: '86400s',
    labels: { app: 'zoom-tracker' },
  });
  const deadLetter = new PubsubTopic(scope, 'topic_rtms_dead_letter', {
    name: `${inputs.topic}-dead-letter`,
    labels: { app: 'zoom-tracker' },
  });
  // Without a subscription, dead-lettered messages would be dropped: keep them 7 days for inspection.
  new PubsubSubscription(scope, 'subscription_rtms_dead_letter', {
    name: `${inputs.topic}-dead-letter-hold`,
    topic: deadLetter.id,
    ackDeadlineSeconds: 60,
    messageRetentionDuration: '604800s',
    expirationPolicy: { ttl: '' },
  });
  // The webhook publishes RTMS start/stop; a stopping worker (SIGTERM) publishes a handover per parked stream.
  for (const w of ['webhook', 'worker'] as const) {
    new PubsubTopicIamMember(scope, `topic_rtms_${w}`, {
      topic: topic.name,
      role: 'roles/pubsub.publisher',
      member: f.members[w],
    });
  }
  new PubsubTopicIamMember(scope, 'topic_rtms_dead_letter_agent', {
    topic: deadLetter.name,
    role: 'roles/pubsub.publisher',
    member: f.pubsubAgent,
  });
  return { topic, deadLetter };
}

/** The push subscription to the worker (needs its URL, so only in the full stage). */
export function addPushSubscription(
  scope: Construct,
  m: Messaging,
  f: Foundation,
  worker: { uri: string; audience: string },
): PubsubSubscription {
  const sub = new PubsubSubscription(scope, 'subscription_rtms_worker', {
    name: `${m.topic.name}-worker-push`,
    topic: m.topic.id,
    enableMessageOrdering: true,
    ackDeadlineSeconds: PUSH_DELIVERY.ackDeadlineSeconds,
    messageRetentionDuration: PUSH_DELIVERY.messageRetentionDuration,
    expirationPolicy: { ttl: '' },
    retryPolicy: {
      minimumBackoff: PUSH_DELIVERY.minimumBackoff,
      maximumBackoff: PUSH_DELIVERY.maximumBackoff,
    },
    deadLetterPolicy: {
      deadLetterTopic: m.deadLetter.id,
      maxDeliveryAttempts: PUSH_DELIVERY.maxDeliveryAttempts,
    },
    pushConfig: {
      pushEndpoint: `${worker.uri}${PUSH_PATH}`,
      oidcToken: { serviceAccountEmail: f.accounts.push.email, audience: worker.audience },
    },
  });
  // The worker may read (and seek) its own subscription; the Pub/Sub agent acks dead-lettered messages.
  new PubsubSubscriptionIamMember(scope, 'subscription_rtms_worker_worker', {
    subscription: sub.name,
    role: 'roles/pubsub.subscriber',
    member: f.members.worker,
  });
  new PubsubSubscriptionIamMember(scope, 'subscription_rtms_worker_agent', {
    subscription: sub.name,
    role: 'roles/pubsub.subscriber',
    member: f.pubsubAgent,
  });
  // The Pub/Sub agent mints the push OIDC tokens as the push identity (required in projects created before April 2021).
  new ServiceAccountIamMember(scope, 'sa_push_token_creator_agent', {
    serviceAccountId: f.accounts.push.name,
    role: 'roles/iam.serviceAccountTokenCreator',
    member: f.pubsubAgent,
  });
  return sub;
}
