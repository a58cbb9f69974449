// Types shared by the services: the live-state event folded by the state store and the RTMS
// message published by the webhook and consumed by the worker.

/** One event as the live-state fold sees it (ordered by `at`, then `ts`, then `eventId`). */
export interface StateEvent {
  eventId: string;
  type: string;
  action: string;
  /** When it happened, epoch ms. */
  at: number;
  /** Zoom's event_ts, epoch ms. */
  ts: number;
  meetingUuid: string;
  meetingId?: string;
  topic?: string;
  hostId?: string;
  /** Zoom's meeting type (2 scheduled, 8 recurring with a fixed time, 1 instant, 3 no fixed time, ...). */
  meetingType?: number;
  /** The meeting's `start_time`: every meeting event carries it, not only meeting.started. */
  startTime?: number;
  endTime?: number;
  /**
   * The connection the event belongs to: participant_uuid (new on every rejoin, kept across room
   * hops), else email, else name for events that carry no uuid and no per-meeting id.
   */
  participantKey?: string;
  participantUuid?: string;
  name?: string;
  email?: string;
  /** The Zoom account user id (`participant_user_id`, else `id`); empty for guests. */
  accountUserId?: string;
  /** Per-meeting id (webhook user_id or RTMS user_id, as a string). */
  userId?: string;
  parentUserId?: string;
  roomUuid?: string;
  role?: string;
  shareContent?: string;
  leaveReason?: string;
  rtmsStreamId?: string;
}

/** RTMS lifecycle message on the queue (Pub/Sub data, JSON). */
export interface RtmsQueueMessage {
  kind: 'started' | 'stopped' | 'interrupted';
  eventId: string;
  eventTs: number;
  meetingUuid: string;
  meetingId?: string;
  rtmsStreamId: string;
  serverUrls?: string;
  stopReason?: number;
  operatorId?: string;
}

/** Orders state events by Zoom's time, never by arrival. */
export function compareStateEvents(a: StateEvent, b: StateEvent): number {
  return a.at - b.at || a.ts - b.ts || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
