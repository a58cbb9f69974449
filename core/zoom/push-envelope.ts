// The Pub/Sub push envelope that carries an RtmsQueueMessage to the rtms-worker. The in-process
// queue delivers exactly this shape, so the worker has one code path for both backends.
import { z } from 'zod';
import { meetingUuidProblem, streamIdProblem } from './identifiers.ts';
import type { RtmsQueueMessage } from './types.ts';

export const pushEnvelopeSchema = z.object({
  message: z.object({
    data: z.string(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    publishTime: z.string().optional(),
    orderingKey: z.string().optional(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().optional(),
});

export type PushEnvelope = z.output<typeof pushEnvelopeSchema>;

const rtmsMessageSchema = z.object({
  kind: z.enum(['started', 'stopped', 'interrupted']),
  eventId: z.string().min(1),
  eventTs: z.number(),
  // Refused here too (not only at the webhook): the worker builds paths and keys from both.
  meetingUuid: z.string().refine((s) => !meetingUuidProblem(s), 'is not a Zoom meeting UUID'),
  meetingId: z.string().optional(),
  rtmsStreamId: z.string().refine((s) => !streamIdProblem(s), 'cannot be encoded as a stream key'),
  serverUrls: z.string().optional(),
  stopReason: z.number().optional(),
  operatorId: z.string().optional(),
});

/** Attributes let subscribers filter without decoding; the ordering key keeps a stream's messages in order. */
export function queueAttributes(m: RtmsQueueMessage): Record<string, string> {
  return { kind: m.kind, rtms_stream_id: m.rtmsStreamId, event_id: m.eventId };
}

export function encodePushEnvelope(
  m: RtmsQueueMessage,
  messageId: string,
  publishTime: Date,
  subscription = 'local',
): PushEnvelope {
  return {
    message: {
      data: Buffer.from(JSON.stringify(m)).toString('base64'),
      attributes: queueAttributes(m),
      messageId,
      publishTime: publishTime.toISOString(),
      orderingKey: m.rtmsStreamId,
    },
    subscription,
  };
}

/** Decodes and validates; throws a ZodError or SyntaxError on bad input (the caller answers 400). */
export function decodePushEnvelope(body: unknown): { envelope: PushEnvelope; message: RtmsQueueMessage } {
  const envelope = pushEnvelopeSchema.parse(body);
  const json: unknown = JSON.parse(Buffer.from(envelope.message.data, 'base64').toString('utf8'));
  const parsed = rtmsMessageSchema.parse(json);
  const message: RtmsQueueMessage = {
    kind: parsed.kind,
    eventId: parsed.eventId,
    eventTs: parsed.eventTs,
    meetingUuid: parsed.meetingUuid,
    rtmsStreamId: parsed.rtmsStreamId,
    ...(parsed.meetingId !== undefined && { meetingId: parsed.meetingId }),
    ...(parsed.serverUrls !== undefined && { serverUrls: parsed.serverUrls }),
    ...(parsed.stopReason !== undefined && { stopReason: parsed.stopReason }),
    ...(parsed.operatorId !== undefined && { operatorId: parsed.operatorId }),
  };
  return { envelope, message };
}
