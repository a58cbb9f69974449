// Sends Zoom webhooks signed like Zoom does (x-zm-signature over the raw body) to a URL: the RTMS
// lifecycle events the simulator's streams need, or any event body.
import { signedHeaders } from '../../core/zoom/signature.ts';

export interface WebhookSender {
  send(body: object): Promise<{ status: number; text: string }>;
  rtmsStarted(s: RtmsIds & { serverUrls: string }): Promise<{ status: number; text: string }>;
  rtmsInterrupted(s: RtmsIds & { serverUrls?: string }): Promise<{ status: number; text: string }>;
  rtmsStopped(s: RtmsIds & { stopReason: number }): Promise<{ status: number; text: string }>;
}

export interface RtmsIds {
  meetingUuid: string;
  streamId: string;
  meetingId?: string;
  eventTs?: number;
}

export function createWebhookSender(
  url: string,
  secret: string,
  now: () => number = Date.now,
): WebhookSender {
  const send = async (body: object) => {
    const raw = Buffer.from(JSON.stringify(body));
    const res = await fetch(url, { method: 'POST', headers: signedHeaders(secret, raw, now()), body: raw });
    return { status: res.status, text: await res.text() };
  };
  const envelope = (event: string, s: RtmsIds, extra: object) => ({
    event,
    event_ts: s.eventTs ?? now(),
    payload: {
      meeting_uuid: s.meetingUuid,
      rtms_stream_id: s.streamId,
      ...(s.meetingId !== undefined && { meeting_id: s.meetingId }),
      ...extra,
    },
  });
  return {
    send,
    rtmsStarted: (s) =>
      send(envelope('meeting.rtms_started', s, { server_urls: s.serverUrls, operator_id: 'sim-operator' })),
    rtmsInterrupted: (s) =>
      send(envelope('meeting.rtms_interrupted', s, s.serverUrls ? { server_urls: s.serverUrls } : {})),
    rtmsStopped: (s) => send(envelope('meeting.rtms_stopped', s, { stop_reason: s.stopReason })),
  };
}
