// Live state as a pure fold of events ordered by Zoom's event time: the same set of events gives
// the same state whatever the arrival order or the number of copies. This file folds the meeting;
// connection.ts folds each connection, route-events.ts says which document an event belongs to,
// meeting-summary.ts and live-view.ts build the API view, retention.ts when state may go.
import { compareStateEvents, type StateEvent } from '../zoom/types.ts';

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
