// Normalisation of a verified, parsed Zoom webhook into the raw_events row, the live-state event
// and (for RTMS events) the queue message. Pure: no clock, no I/O; unknown events are kept as rows.
import { MalformedEventError } from '../errors.ts';
import { personKeyOf } from './person-key.ts';
import { wellFormedJson } from '../well-formed.ts';
import type { RawEventRow } from '../warehouse/raw-events.ts';
import { meetingUuidProblem, rtmsIdsProblem } from './identifiers.ts';
import { plainMeetingObject } from './plain-meeting-object.ts';
import {
  describeIssues,
  envelopeSchema,
  meetingObjectSchema,
  rtmsPayloadSchema,
  type Envelope,
  type MeetingObject,
  type Participant,
} from './schemas.ts';
import type { RtmsQueueMessage, StateEvent } from './types.ts';

interface EventKind {
  action: string;
  shape: 'meeting' | 'participant' | 'rtms' | 'any';
}

/** Every Zoom event the tracker understands (core/zoom/README.md). Anything else is kept as OTHER. */
export const EVENT_KINDS: Readonly<Record<string, EventKind>> = {
  'meeting.started': { action: 'MEETING_START', shape: 'meeting' },
  'meeting.ended': { action: 'MEETING_END', shape: 'meeting' },
  'meeting.participant_joined': { action: 'JOIN', shape: 'participant' },
  'meeting.participant_left': { action: 'LEAVE', shape: 'participant' },
  'meeting.participant_joined_breakout_room': { action: 'JOIN', shape: 'participant' },
  'meeting.participant_left_breakout_room': { action: 'LEAVE', shape: 'participant' },
  'meeting.participant_joined_waiting_room': { action: 'WAITING_ROOM_JOIN', shape: 'participant' },
  'meeting.participant_left_waiting_room': { action: 'WAITING_ROOM_LEAVE', shape: 'participant' },
  'meeting.participant_put_in_waiting_room': { action: 'PUT_IN_WAITING_ROOM', shape: 'participant' },
  'meeting.participant_admitted': { action: 'ADMITTED', shape: 'participant' },
  'meeting.participant_jbh_waiting': { action: 'JBH_WAITING', shape: 'participant' },
  'meeting.participant_jbh_waiting_left': { action: 'JBH_WAITING_LEAVE', shape: 'participant' },
  'meeting.participant_jbh_joined': { action: 'JBH_JOIN', shape: 'participant' },
  'meeting.sharing_started': { action: 'SHARE_START', shape: 'participant' },
  'meeting.sharing_ended': { action: 'SHARE_END', shape: 'participant' },
  'meeting.breakout_room_sharing_started': { action: 'SHARE_START', shape: 'participant' },
  'meeting.breakout_room_sharing_ended': { action: 'SHARE_END', shape: 'participant' },
  'meeting.participant_role_changed': { action: 'ROLE_CHANGE', shape: 'participant' },
  'meeting.participant_qos': { action: 'QOS', shape: 'participant' },
  'meeting.participant_qos_summary': { action: 'QOS_SUMMARY', shape: 'participant' },
  'meeting.participant_data': { action: 'DEVICE_DATA', shape: 'participant' },
  'recording.started': { action: 'RECORDING_START', shape: 'meeting' },
  'recording.stopped': { action: 'RECORDING_STOP', shape: 'meeting' },
  'recording.paused': { action: 'RECORDING_PAUSE', shape: 'meeting' },
  'recording.resumed': { action: 'RECORDING_RESUME', shape: 'meeting' },
  'meeting.rtms_started': { action: 'RTMS_START', shape: 'rtms' },
  'meeting.rtms_stopped': { action: 'RTMS_STOP', shape: 'rtms' },
  'meeting.rtms_interrupted': { action: 'RTMS_INTERRUPT', shape: 'rtms' },
};

const NO_STATE = new Set(['QOS', 'QOS_SUMMARY', 'DEVICE_DATA']);

const BREAKOUT_MOVE = /join(ing)? (a |the )?breakout room/i;

export interface NormalizeContext {
  eventId: string;
  gcsPath: string;
  insertedAt: string;
}

export interface Normalized {
  envelope: Envelope;
  row: RawEventRow;
  /** Present for events that change live meeting/participant state. */
  state?: StateEvent;
  /** Present for RTMS start/stop/interrupt: published to the worker queue. */
  rtms?: RtmsQueueMessage;
}

/** Validates the envelope: throws MalformedEventError naming the first problems. */
export function parseEnvelope(body: unknown): Envelope {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) throw new MalformedEventError(`invalid Zoom event: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function normalizeEvent(input: unknown, ctx: NormalizeContext): Normalized {
  // Every string downstream (row, raw_payload, state, queue) is well formed: lone surrogates -> U+FFFD.
  const { value: body, json: rawPayload } = wellFormedJson(input);
  const envelope = parseEnvelope(body);
  const kind = EVENT_KINDS[envelope.event] ?? { action: 'OTHER', shape: 'any' };
  const base = {
    event_id: ctx.eventId,
    event_type: envelope.event,
    event_ts: envelope.event_ts,
    action: kind.action,
    raw_payload: rawPayload,
    gcs_path: ctx.gcsPath,
    source: 'webhook' as const,
    inserted_at: ctx.insertedAt,
  };

  if (kind.shape === 'rtms') return normalizeRtms(envelope, base);

  const plain = plainMeetingObject(envelope.payload['object']);
  const objectResult = plain
    ? ({ success: true, data: plain } as const)
    : meetingObjectSchema.safeParse(envelope.payload['object']);
  if (!objectResult.success) {
    if (kind.shape === 'any') return { envelope, row: fillRow(base, envelope.event_ts, {}) };
    throw new MalformedEventError(
      `invalid ${envelope.event}: ${describeIssues(prefixIssues(objectResult.error))}`,
    );
  }
  const object = objectResult.data;
  const uuidProblem = meetingUuidProblem(object.uuid);
  if (uuidProblem)
    throw new MalformedEventError(`invalid ${envelope.event}: payload.object.uuid ${uuidProblem}`);
  const participant = object.participant;
  if (kind.shape === 'participant' && !participant) {
    throw new MalformedEventError(`invalid ${envelope.event}: payload.object.participant: missing`);
  }

  const at = occurredAt(envelope, object, participant);
  let action = kind.action;
  const leaveReason = participant?.leave_reason?.trim() || undefined;
  if (envelope.event === 'meeting.participant_left' && leaveReason && BREAKOUT_MOVE.test(leaveReason)) {
    action = 'LEAVE_TO_BREAKOUT';
  }
  const email = participant?.email?.trim() || undefined;
  const name = participant?.user_name?.trim() || undefined;
  const participantUuid = participant?.participant_uuid?.trim() || undefined;
  const userId = participant?.user_id ?? participant?.participant_id;
  // The narrow columns the report reads instead of raw_payload: start_time (every meeting event
  // carries it), topic, and the person key that groups a participant's connections.
  const startMs = object.start_time ? Date.parse(object.start_time) : NaN;
  const person = participant
    ? personKeyOf({ userId: participant.participant_user_id || participant.id, email, name })
    : undefined;
  const row = fillRow({ ...base, action }, at, {
    meeting_id: object.id ?? null,
    meeting_uuid: object.uuid,
    participant_id: userId ?? null,
    participant_uuid: participantUuid ?? null,
    parent_participant_id: participant?.parent_user_id ?? null,
    zoom_user_id: participant?.id || participant?.participant_user_id || null,
    participant_name: name ?? null,
    participant_email: email ?? null,
    breakout_room_uuid: object.breakout_room_uuid || null,
    leave_reason: leaveReason ?? null,
    meeting_start_time:
      startMs >= -62_135_596_800_000 && startMs <= 253_402_300_799_999
        ? new Date(startMs).toISOString()
        : null,
    meeting_topic: object.topic || null,
    person_match: person?.match ?? null,
  });

  // Unknown events and per-minute quality samples change no live state. QoS rows keep a null
  // meeting_id (they carry only the UUID): the warehouse views map it through the UUID->ID pairs
  // of the meeting's other events, so a row never depends on what arrived before it.
  if (kind.shape === 'any' || NO_STATE.has(action)) return { envelope, row };
  // Assigned field by field: conditional spreads allocate an object per field on the hot path.
  const state: StateEvent = {
    eventId: ctx.eventId,
    type: envelope.event,
    action,
    at,
    ts: envelope.event_ts,
    meetingUuid: object.uuid,
  };
  if (object.id !== undefined) state.meetingId = object.id;
  if (object.topic !== undefined) state.topic = object.topic;
  if (object.host_id) state.hostId = object.host_id;
  if (object.type !== undefined) state.meetingType = object.type;
  if (object.start_time) state.startTime = Date.parse(object.start_time);
  if (object.end_time) state.endTime = Date.parse(object.end_time);
  if (participant) addParticipantFields(state, participant, object);
  return { envelope, row, state };
}

function addParticipantFields(state: StateEvent, p: Participant, object: MeetingObject): void {
  const uuid = p.participant_uuid?.trim() || undefined;
  const email = p.email?.trim() || undefined;
  const name = p.user_name?.trim() || undefined;
  const userId = p.user_id ?? p.participant_id;
  const accountUserId = p.participant_user_id?.trim() || p.id?.trim() || undefined;
  // The live-state key is the participant UUID: a connection (persons are grouped on read). Events
  // without it but with a per-meeting id (sharing) are resolved by the state store through that id;
  // only events with neither (join before host) fall back to email, then name.
  const key = uuid ?? (userId === undefined ? (email ?? name) : undefined);
  if (key !== undefined) state.participantKey = key;
  if (uuid) state.participantUuid = uuid;
  if (name) state.name = name;
  if (email) state.email = email;
  if (accountUserId) state.accountUserId = accountUserId;
  if (userId !== undefined) state.userId = userId;
  if (p.parent_user_id !== undefined) state.parentUserId = p.parent_user_id;
  if (object.breakout_room_uuid) state.roomUuid = object.breakout_room_uuid;
  if (p.new_role) state.role = p.new_role;
  if (p.sharing_details?.content) state.shareContent = p.sharing_details.content;
  if (p.leave_reason) state.leaveReason = p.leave_reason.trim();
}

function normalizeRtms(envelope: Envelope, base: BaseRow): Normalized {
  // The payload is flat (core/zoom/README.md, RTMS webhooks); some secondary docs nest it under payload.object.
  const source =
    'meeting_uuid' in envelope.payload ? envelope.payload : (envelope.payload['object'] ?? envelope.payload);
  const parsed = rtmsPayloadSchema.safeParse(source);
  if (!parsed.success)
    throw new MalformedEventError(`invalid ${envelope.event}: ${describeIssues(parsed.error)}`);
  const p = parsed.data;
  // Both become path segments, object keys and lease names (identifiers.ts): refuse what cannot.
  const idsProblem = rtmsIdsProblem(p.meeting_uuid, p.rtms_stream_id);
  if (idsProblem) throw new MalformedEventError(`invalid ${envelope.event}: payload.${idsProblem}`);
  const kind = envelope.event.endsWith('_started')
    ? 'started'
    : envelope.event.endsWith('_stopped')
      ? 'stopped'
      : 'interrupted';
  const row = fillRow(base, envelope.event_ts, {
    meeting_id: p.meeting_id ?? null,
    meeting_uuid: p.meeting_uuid,
    rtms_stream_id: p.rtms_stream_id,
  });
  const rtms: RtmsQueueMessage = {
    kind,
    eventId: base.event_id,
    eventTs: envelope.event_ts,
    meetingUuid: p.meeting_uuid,
    rtmsStreamId: p.rtms_stream_id,
    ...(p.meeting_id !== undefined && { meetingId: p.meeting_id }),
    ...(p.server_urls && { serverUrls: p.server_urls }),
    ...(p.stop_reason !== undefined && { stopReason: p.stop_reason }),
    ...(p.operator_id && { operatorId: p.operator_id }),
  };
  const state: StateEvent = {
    eventId: base.event_id,
    type: envelope.event,
    action: base.action,
    at: envelope.event_ts,
    ts: envelope.event_ts,
    meetingUuid: p.meeting_uuid,
    ...(p.meeting_id !== undefined && { meetingId: p.meeting_id }),
    rtmsStreamId: p.rtms_stream_id,
  };
  return { envelope, row, rtms, state };
}

/** The moment the event happened: the participant/recording/meeting time it carries, else event_ts. */
function occurredAt(envelope: Envelope, object: MeetingObject, p: Participant | undefined): number {
  const candidates: (string | undefined)[] = [];
  switch (envelope.event) {
    case 'meeting.started':
      candidates.push(object.start_time);
      break;
    case 'meeting.ended':
      candidates.push(object.end_time);
      break;
    case 'recording.started':
    case 'recording.resumed':
      break; // recording_start is the whole recording's start, not this transition
    default:
      candidates.push(
        p?.join_time,
        p?.leave_time,
        p?.date_time,
        p?.sharing_details?.date_time,
        p?.qos?.[0]?.date_time,
      );
  }
  for (const c of candidates) {
    if (c) return Date.parse(c);
  }
  return envelope.event_ts;
}

type BaseRow = Pick<
  RawEventRow,
  'event_id' | 'event_type' | 'event_ts' | 'action' | 'raw_payload' | 'gcs_path' | 'source' | 'inserted_at'
>;

/** 0001-01-01 to 9999-12-31 UTC: the instants both warehouses (and ISO 8601 without a sign) can hold. */
const MIN_TIME_MS = -62_135_596_800_000;
const MAX_TIME_MS = 253_402_300_799_999;

/** The row: every column the event does not set is null (the narrow report columns only when given). */
function fillRow(base: BaseRow, atMs: number, fields: Partial<RawEventRow>): RawEventRow {
  if (!Number.isFinite(atMs) || atMs < MIN_TIME_MS || atMs > MAX_TIME_MS)
    throw new MalformedEventError(`invalid ${base.event_type}: its time ${atMs} is not a date in 0001-9999`);
  const iso = new Date(atMs).toISOString();
  // One literal of a fixed shape (a spread of three objects cost a quarter of the normalisation).
  const row: RawEventRow = {
    event_id: base.event_id,
    event_date: iso.slice(0, 10),
    event_type: base.event_type,
    event_timestamp: iso,
    event_ts: base.event_ts,
    meeting_id: fields.meeting_id ?? null,
    meeting_uuid: fields.meeting_uuid ?? null,
    participant_id: fields.participant_id ?? null,
    participant_uuid: fields.participant_uuid ?? null,
    parent_participant_id: fields.parent_participant_id ?? null,
    zoom_user_id: fields.zoom_user_id ?? null,
    participant_name: fields.participant_name ?? null,
    participant_email: fields.participant_email ?? null,
    breakout_room_uuid: fields.breakout_room_uuid ?? null,
    action: base.action,
    leave_reason: fields.leave_reason ?? null,
    rtms_stream_id: fields.rtms_stream_id ?? null,
    raw_payload: base.raw_payload,
    gcs_path: base.gcs_path,
    source: base.source,
    inserted_at: base.inserted_at,
  };
  if (fields.meeting_start_time !== undefined) row.meeting_start_time = fields.meeting_start_time;
  if (fields.meeting_topic !== undefined) row.meeting_topic = fields.meeting_topic;
  if (fields.person_match !== undefined) row.person_match = fields.person_match;
  return row;
}

function prefixIssues<E extends { issues: { path: PropertyKey[] }[] }>(error: E): E {
  for (const issue of error.issues) issue.path = ['payload', 'object', ...issue.path];
  return error;
}
