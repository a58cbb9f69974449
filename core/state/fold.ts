// Live state as a pure fold of events ordered by Zoom's event time: the same set of events gives
// the same state whatever the arrival order or the number of copies. This file folds the meeting;
// connection.ts folds each connection and live-view.ts builds the persons' view from both.
import { compareStateEvents, type StateEvent } from '../zoom/types.ts';
import { meetingKeyOf } from '../zoom/identifiers.ts';
import type { MeetingSummary, RoomCounts } from './views.ts';

export interface MeetingState {
  meetingUuid: string;
  meetingId?: string;
  topic?: string;
  hostId?: string;
  /** Zoom's meeting type: 2 (scheduled) and 8 (recurring, fixed time) have a schedule. */
  type?: number;
  status: 'started' | 'ended' | 'unknown';
  startedAt?: number;
  endedAt?: number;
  recording: 'none' | 'recording' | 'paused' | 'stopped';
  rtmsStreams: string[];
}

/** Meeting-level events change the meeting document; participant events the participant's. */
export function isMeetingLevel(e: StateEvent): boolean {
  return e.participantKey === undefined && e.userId === undefined;
}

/**
 * The meeting-level record of a participant event: carries the meeting number, topic, host and
 * start time into the meeting's state (the UUID->ID map) without any participant change.
 */
export function sightingOf(e: StateEvent): StateEvent {
  return {
    eventId: `seen:${e.meetingUuid}`,
    type: 'meeting.sighted',
    action: 'SEEN',
    at: e.at,
    ts: e.ts,
    meetingUuid: e.meetingUuid,
    ...(e.meetingId !== undefined && { meetingId: e.meetingId }),
    ...(e.topic !== undefined && { topic: e.topic }),
    ...(e.hostId !== undefined && { hostId: e.hostId }),
    ...(e.meetingType !== undefined && { meetingType: e.meetingType }),
    ...(e.startTime !== undefined && { startTime: e.startTime }),
  };
}

/** What a store knows of a participant for resolving events that name only a per-meeting id. */
export interface ParticipantIdentity {
  key: string;
  userIds: readonly string[];
  names: readonly string[];
}

/**
 * The participant an event belongs to: its own key, else the participant whose per-meeting ids
 * include the event's user id (or parent id), else the one with the same name; undefined when no
 * known participant matches yet (the store keeps the event pending and retries as others arrive).
 */
export function resolveParticipant(e: StateEvent, known: Iterable<ParticipantIdentity>): string | undefined {
  if (e.participantKey !== undefined) return e.participantKey;
  let byName: string | undefined;
  for (const p of known) {
    if (
      (e.userId !== undefined && p.userIds.includes(e.userId)) ||
      (e.parentUserId !== undefined && p.userIds.includes(e.parentUserId))
    )
      return p.key;
    if (byName === undefined && e.name !== undefined && p.names.includes(e.name)) byName = p.key;
  }
  return byName;
}

/** Sorts by event time and drops duplicate event ids. */
export function orderEvents(events: Iterable<StateEvent>): StateEvent[] {
  const byId = new Map<string, StateEvent>();
  for (const e of events) byId.set(e.eventId, e);
  return [...byId.values()].sort(compareStateEvents);
}

export function foldMeeting(meetingUuid: string, events: readonly StateEvent[]): MeetingState {
  const m: MeetingState = { meetingUuid, status: 'unknown', recording: 'none', rtmsStreams: [] };
  for (const e of orderEvents(events)) {
    if (e.meetingId !== undefined) m.meetingId = e.meetingId;
    if (e.topic !== undefined) m.topic = e.topic;
    if (e.hostId !== undefined) m.hostId = e.hostId;
    if (e.meetingType !== undefined) m.type = e.meetingType;
    switch (e.action) {
      case 'MEETING_START':
        if (m.status !== 'ended') m.status = 'started';
        m.startedAt = e.startTime ?? e.at;
        break;
      case 'MEETING_END':
        m.status = 'ended';
        m.endedAt = e.endTime ?? e.at;
        if (e.startTime !== undefined && m.startedAt === undefined) m.startedAt = e.startTime;
        break;
      case 'RECORDING_START':
      case 'RECORDING_RESUME':
        m.recording = 'recording';
        break;
      case 'RECORDING_PAUSE':
        m.recording = 'paused';
        break;
      case 'RECORDING_STOP':
        m.recording = 'stopped';
        break;
      case 'RTMS_START':
        if (e.rtmsStreamId && !m.rtmsStreams.includes(e.rtmsStreamId)) m.rtmsStreams.push(e.rtmsStreamId);
        break;
      case 'RTMS_STOP':
        m.rtmsStreams = m.rtmsStreams.filter((s) => s !== e.rtmsStreamId);
        break;
      default:
        if (m.status === 'unknown' && m.startedAt === undefined && e.startTime !== undefined)
          m.startedAt = e.startTime;
    }
  }
  return m;
}

/** Scheduled (2) and recurring fixed-time (8) meetings have a start people can be late for. */
export function isScheduled(m: MeetingState): boolean {
  return m.type === 2 || m.type === 8;
}

export function summarize(m: MeetingState, counts: RoomCounts): MeetingSummary {
  return {
    meetingUuid: m.meetingUuid,
    meetingKey: meetingKeyOf(m.meetingUuid),
    ...(m.meetingId !== undefined && { meetingId: m.meetingId }),
    ...(m.topic !== undefined && { topic: m.topic }),
    ...(m.hostId !== undefined && { hostId: m.hostId }),
    status: m.status,
    scheduled: isScheduled(m),
    ...(m.startedAt !== undefined && { startedAt: new Date(m.startedAt).toISOString() }),
    ...(m.endedAt !== undefined && { endedAt: new Date(m.endedAt).toISOString() }),
    recording: m.recording,
    rtmsStreams: m.rtmsStreams,
    counts,
  };
}

/** When a meeting's documents may be deleted: a day after it ended, else `ttlDays` after it began. */
export function expiryOf(m: MeetingState, lastEventAt: number, ttlDays: number): number {
  const day = 86_400_000;
  if (m.status === 'ended' && m.endedAt !== undefined) return m.endedAt + day;
  return (m.startedAt ?? lastEventAt) + ttlDays * day;
}
