// The RTMS wire protocol (rtms-worker/README.md, Protocol): message numbers, enumerations, the schemas every incoming
// frame is checked against, the outgoing messages we build, and the handshake signature.
import { createHmac } from 'node:crypto';
import { z } from 'zod';

export const MSG = {
  SIGNALING_HAND_SHAKE_REQ: 1,
  SIGNALING_HAND_SHAKE_RESP: 2,
  DATA_HAND_SHAKE_REQ: 3,
  DATA_HAND_SHAKE_RESP: 4,
  EVENT_SUBSCRIPTION: 5,
  EVENT_UPDATE: 6,
  CLIENT_READY_ACK: 7,
  STREAM_STATE_UPDATE: 8,
  SESSION_STATE_UPDATE: 9,
  KEEP_ALIVE_REQ: 12,
  KEEP_ALIVE_RESP: 13,
  MEDIA_DATA_AUDIO: 14,
  MEDIA_DATA_VIDEO: 15,
  MEDIA_DATA_SHARE: 16,
  MEDIA_DATA_TRANSCRIPT: 17,
  MEDIA_DATA_CHAT: 18,
  STREAM_CLOSE_REQ: 21,
  STREAM_CLOSE_RESP: 22,
} as const;

export const EVENT = {
  FIRST_PACKET_TIMESTAMP: 1,
  ACTIVE_SPEAKER_CHANGE: 2,
  PARTICIPANT_JOIN: 3,
  PARTICIPANT_LEAVE: 4,
  MEDIA_CONNECTION_INTERRUPTED: 7,
  PARTICIPANT_VIDEO_ON: 8,
  PARTICIPANT_VIDEO_OFF: 9,
} as const;

/** The events we subscribe to (1 and 7 arrive unasked and must not be subscribed). */
export const SUBSCRIBED_EVENTS = [2, 3, 4, 8, 9] as const;

export const STREAM_STATE = {
  INACTIVE: 0,
  ACTIVE: 1,
  INTERRUPTED: 2,
  TERMINATING: 3,
  TERMINATED: 4,
  PAUSED: 5,
  RESUMED: 6,
} as const;
export const SESSION_STATE = {
  INACTIVE: 0,
  INITIALIZE: 1,
  STARTED: 2,
  PAUSED: 3,
  RESUMED: 4,
  STOPPED: 5,
} as const;

export const STATUS = {
  OK: 0,
  INVALID_SIGNATURE: 3,
  DUPLICATE_SIGNAL_REQUEST: 8,
  DUPLICATE_MEDIA_DATA_CONNECTION: 16,
} as const;
export const STOP_REASON = { STREAM_REVOKED: 8, RECEIVER_REQUEST_CLOSE: 20 } as const;

/** media_type bitmask (§3.6). */
export const MEDIA_TYPE = { AUDIO: 1, VIDEO: 2, DESKSHARE: 4, TRANSCRIPT: 8, CHAT: 16, ALL: 32 } as const;
export const RESOLUTION = { sd: 1, hd: 2, fhd: 3 } as const;

/** `hex(HMAC_SHA256(client_secret, client_id + "," + meeting_uuid + "," + rtms_stream_id))` (§3.2). */
export function rtmsSignature(
  clientId: string,
  clientSecret: string,
  meetingUuid: string,
  streamId: string,
): string {
  return createHmac('sha256', clientSecret).update(`${clientId},${meetingUuid},${streamId}`).digest('hex');
}

const num = z.coerce.number();
const userIdSchema = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

const mediaContentSchema = z.looseObject({
  user_id: userIdSchema.default(0),
  user_name: z.string().optional(),
  data: z.string(),
  length: z.number().optional(),
  timestamp: z.number(),
});

const transcriptContentSchema = z.looseObject({
  user_id: userIdSchema.default(0),
  user_name: z.string().optional(),
  data: z.string(),
  timestamp: z.number(),
  start_time: z.number().optional(),
  end_time: z.number().optional(),
  language: z.number().optional(),
  attribute: z.number().optional(),
});

const participantSchema = z.looseObject({ user_id: userIdSchema, user_name: z.string().optional() });

export const rtmsEventSchema = z.looseObject({
  event_type: z.number(),
  timestamp: z.number().optional(),
  user_id: userIdSchema.optional(),
  user_name: z.string().optional(),
  participants: z.array(participantSchema).optional(),
});
export type RtmsEvent = z.output<typeof rtmsEventSchema>;

/** Every message a Zoom RTMS server sends that we act on; anything else is logged and ignored. */
export const incomingSchema = z.discriminatedUnion('msg_type', [
  z.looseObject({
    msg_type: z.literal(2),
    status_code: num,
    reason: z.string().optional(),
    media_server: z.looseObject({ server_urls: z.record(z.string(), z.string()) }).optional(),
  }),
  z.looseObject({
    msg_type: z.literal(4),
    status_code: num,
    reason: z.string().optional(),
    media_params: z.unknown().optional(),
  }),
  z.looseObject({ msg_type: z.literal(6), event: rtmsEventSchema }),
  z.looseObject({
    msg_type: z.literal(8),
    state: num,
    reason: num.optional(),
    stop_reason: num.optional(),
    timestamp: z.number().optional(),
  }),
  z.looseObject({
    msg_type: z.literal(9),
    state: num,
    stop_reason: num.optional(),
    reason: num.optional(),
    timestamp: z.number().optional(),
    rtms_session_id: z.string().optional(),
  }),
  z.looseObject({ msg_type: z.literal(12), timestamp: z.number() }),
  z.looseObject({ msg_type: z.literal(14), content: mediaContentSchema }),
  z.looseObject({ msg_type: z.literal(15), content: mediaContentSchema }),
  z.looseObject({ msg_type: z.literal(16), content: mediaContentSchema }),
  z.looseObject({ msg_type: z.literal(17), content: transcriptContentSchema }),
  z.looseObject({ msg_type: z.literal(18), content: z.unknown() }),
  z.looseObject({ msg_type: z.literal(22), status_code: num, reason: z.string().optional() }),
]);
export type Incoming = z.output<typeof incomingSchema>;
export type MediaContent = z.output<typeof mediaContentSchema>;
export type TranscriptContent = z.output<typeof transcriptContentSchema>;

export type ParseResult =
  | { ok: true; msg: Incoming }
  | { ok: false; kind: 'malformed-json' | 'unknown-type' | 'invalid'; msgType?: unknown; detail: string };

const KNOWN_TYPES = new Set([2, 4, 6, 8, 9, 12, 14, 15, 16, 17, 18, 22]);

const MEDIA_TYPES = new Set([14, 15, 16, 17]);
const isOptNumber = (v: unknown) => v === undefined || typeof v === 'number';

/**
 * Media frames are 99% of the traffic: their shape is checked by hand (same rules as the schema),
 * anything unusual falls through to the zod schema.
 */
function fastMedia(json: { msg_type: number; content?: unknown }): Incoming | undefined {
  const c = json.content as Record<string, unknown> | null | undefined;
  if (typeof c !== 'object' || c === null || typeof c.data !== 'string' || typeof c.timestamp !== 'number')
    return undefined;
  if (!isOptNumber(c.user_id) || !(c.user_name === undefined || typeof c.user_name === 'string'))
    return undefined;
  if (
    json.msg_type === 17 &&
    !(
      isOptNumber(c.start_time) &&
      isOptNumber(c.end_time) &&
      isOptNumber(c.language) &&
      isOptNumber(c.attribute)
    )
  )
    return undefined;
  if (c.user_id === undefined) c.user_id = 0;
  return json as Incoming;
}

/** Decodes a text or binary frame (binary frames are UTF-8 JSON too, §3.1) and validates it. */
export function parseFrame(raw: string | Buffer): ParseResult {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, kind: 'malformed-json', detail: `${(err as Error).message} (${text.length} chars)` };
  }
  const msgType =
    typeof json === 'object' && json !== null ? (json as { msg_type?: unknown }).msg_type : undefined;
  if (typeof msgType !== 'number' || !KNOWN_TYPES.has(msgType)) {
    return {
      ok: false,
      kind: 'unknown-type',
      msgType,
      detail: `msg_type ${JSON.stringify(msgType) ?? 'missing'}`,
    };
  }
  if (MEDIA_TYPES.has(msgType)) {
    const fast = fastMedia(json as { msg_type: number });
    if (fast) return { ok: true, msg: fast };
  }
  const parsed = incomingSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      kind: 'invalid',
      msgType,
      detail: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, msg: parsed.data };
}

/**
 * Strict base64 decode: undefined when the text is not base64. Buffer.from skips characters outside
 * the alphabet, so a decoded length short of what the text length promises means junk.
 */
export function decodeBase64(data: string): Buffer | undefined {
  const body = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
  if (body.length % 4 !== 0) return undefined;
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const buf = Buffer.from(body, 'base64');
  return buf.length === (body.length / 4) * 3 - padding ? buf : undefined;
}

export interface HandshakeIds {
  meetingUuid: string;
  streamId: string;
  signature: string;
}

export function signalingHandshake(ids: HandshakeIds): object {
  return {
    msg_type: MSG.SIGNALING_HAND_SHAKE_REQ,
    protocol_version: 1,
    sequence: 1,
    meeting_uuid: ids.meetingUuid,
    rtms_stream_id: ids.streamId,
    signature: ids.signature,
  };
}

export interface MediaOptions {
  videoFps: number;
  resolution: keyof typeof RESOLUTION;
}

export type MediaSocketKind = 'all' | 'audio' | 'video' | 'transcript';

/** 16 kHz mono L16 audio in 20 ms packets, H.264 video at the chosen fps, English transcripts (§3.5). */
export function mediaParams(o: MediaOptions, kind: MediaSocketKind = 'all'): Record<string, object> {
  const all: Record<'audio' | 'video' | 'transcript', object> = {
    audio: { content_type: 2, sample_rate: 1, channel: 1, codec: 1, data_opt: 1, send_rate: 20 },
    video: { content_type: 3, codec: 7, resolution: RESOLUTION[o.resolution], data_opt: 3, fps: o.videoFps },
    transcript: { content_type: 5, src_language: 9, enable_lid: true },
  };
  return kind === 'all' ? all : { [kind]: all[kind] };
}

const MASK: Record<MediaSocketKind, number> = {
  all: MEDIA_TYPE.AUDIO | MEDIA_TYPE.VIDEO | MEDIA_TYPE.TRANSCRIPT,
  audio: MEDIA_TYPE.AUDIO,
  video: MEDIA_TYPE.VIDEO,
  transcript: MEDIA_TYPE.TRANSCRIPT,
};

/** msg 3 for one media socket: the unified socket asks for all three types, a split one for its own. */
export function mediaHandshake(ids: HandshakeIds, o: MediaOptions, kind: MediaSocketKind = 'all'): object {
  return {
    msg_type: MSG.DATA_HAND_SHAKE_REQ,
    protocol_version: 1,
    sequence: 0,
    meeting_uuid: ids.meetingUuid,
    rtms_stream_id: ids.streamId,
    signature: ids.signature,
    media_type: MASK[kind],
    payload_encryption: false,
    media_params: mediaParams(o, kind),
  };
}

export const eventSubscription = (): object => ({
  msg_type: MSG.EVENT_SUBSCRIPTION,
  events: SUBSCRIBED_EVENTS.map((event_type) => ({ event_type, subscribe: true })),
});
export const clientReadyAck = (streamId: string): object => ({
  msg_type: MSG.CLIENT_READY_ACK,
  rtms_stream_id: streamId,
});
export const keepAliveResponse = (timestamp: number): object => ({
  msg_type: MSG.KEEP_ALIVE_RESP,
  timestamp,
});
export const streamCloseRequest = (streamId: string): object => ({
  msg_type: MSG.STREAM_CLOSE_REQ,
  rtms_stream_id: streamId,
});
