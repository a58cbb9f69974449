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
  startTime?: number;
  endTime?: number;
  /** participant_uuid, else email, else name (DESIGN §4). */
  participantKey?: string;
  participantUuid?: string;
  name?: string;
  email?: string;
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
