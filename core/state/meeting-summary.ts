// The API summary of one folded meeting (status, times, recording, RTMS streams, room counts).
import { meetingKeyOf } from '../zoom/identifiers.ts';
import type { MeetingState } from './fold.ts';
import type { MeetingSummary, RoomCounts } from './views.ts';

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
