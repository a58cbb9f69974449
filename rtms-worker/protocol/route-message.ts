// What one well-formed RTMS message asks of the client, by the socket it came on: a handshake answer
// to judge, a frame, transcript line or event to hand over, a state change, the end of a close, or
// nothing. Pure: frames are translated here; the client (rtms-client.ts) does what the route says.
import {
  onSessionState,
  onStreamState,
  pickMediaUrls,
  type MediaKind,
  type StateAction,
} from './decisions.ts';
import { EVENT, MSG, type Incoming } from './messages.ts';
import type { RtmsEnd, RtmsHandlers } from './rtms-client-options.ts';
import { toMediaFrame, toTranscriptItem } from './translate-frame.ts';

export type Route =
  | {
      kind: 'signaling-handshake';
      status: number;
      reason: string | undefined;
      /** The media sockets to open once the handshake is accepted. */
      mediaUrls: Partial<Record<MediaKind, string>>;
    }
  | { kind: 'media-handshake'; status: number; reason: string | undefined }
  /** Hand something to the capture, counted under `count` in the client's stats. */
  | { kind: 'deliver'; count: 'audio' | 'video' | 'transcript' | 'events'; deliver(h: RtmsHandlers): void }
  /** An audio or video frame whose payload is not valid base64. */
  | { kind: 'bad-payload'; msgType: number }
  /** The stream is over: drain the media sockets, then end with `end`. */
  | { kind: 'stop'; end: RtmsEnd }
  /** A connection broke: redo the media sockets or all of them. */
  | { kind: 'lost'; scope: 'all' | 'media'; why: string }
  /** msg 22: our close is done, end at once. */
  | { kind: 'end'; end: RtmsEnd }
  /** Logged (debug) and otherwise ignored. */
  | { kind: 'unexpected'; msgType: number }
  | { kind: 'ignore' };

export function routeMessage(role: 'signaling' | MediaKind, msg: Incoming): Route {
  return role === 'signaling' ? routeSignaling(msg) : routeMedia(msg);
}

function routeSignaling(msg: Incoming): Route {
  switch (msg.msg_type) {
    case MSG.SIGNALING_HAND_SHAKE_RESP:
      return {
        kind: 'signaling-handshake',
        status: msg.status_code,
        reason: msg.reason,
        mediaUrls: pickMediaUrls(msg.media_server?.server_urls ?? {}),
      };
    case MSG.EVENT_UPDATE: {
      const event = msg.event;
      if (event.event_type === EVENT.MEDIA_CONNECTION_INTERRUPTED)
        return { kind: 'lost', scope: 'media', why: 'media connection interrupted (event 7)' };
      return { kind: 'deliver', count: 'events', deliver: (h) => h.event(event) };
    }
    case MSG.STREAM_STATE_UPDATE:
      return onState(onStreamState(msg.state, msg.reason ?? msg.stop_reason), `stream state ${msg.state}`);
    case MSG.SESSION_STATE_UPDATE:
      return onState(onSessionState(msg.state, msg.stop_reason ?? msg.reason), `session state ${msg.state}`);
    case MSG.STREAM_CLOSE_RESP:
      return {
        kind: 'end',
        end: {
          outcome: 'stopped',
          stopReason: 20,
          detail: `stream closed at our request (status ${msg.status_code})`,
        },
      };
    default:
      return { kind: 'unexpected', msgType: msg.msg_type };
  }
}

/** A stream or session state update: stop, redo a connection, or nothing. */
function onState(action: StateAction, what: string): Route {
  if (action.kind === 'stop') {
    const stopReason = action.stopReason;
    return {
      kind: 'stop',
      end: { outcome: 'stopped', ...(stopReason !== undefined && { stopReason }), detail: what },
    };
  }
  if (action.kind === 'reconnect-media') return { kind: 'lost', scope: 'media', why: what };
  if (action.kind === 'reconnect-all') return { kind: 'lost', scope: 'all', why: what };
  return { kind: 'ignore' };
}

function routeMedia(msg: Incoming): Route {
  switch (msg.msg_type) {
    case MSG.DATA_HAND_SHAKE_RESP:
      return { kind: 'media-handshake', status: msg.status_code, reason: msg.reason };
    case MSG.MEDIA_DATA_AUDIO: {
      const frame = toMediaFrame(msg.content);
      if (!frame) return { kind: 'bad-payload', msgType: msg.msg_type };
      return { kind: 'deliver', count: 'audio', deliver: (h) => h.audio(frame) };
    }
    case MSG.MEDIA_DATA_VIDEO: {
      const frame = toMediaFrame(msg.content);
      if (!frame) return { kind: 'bad-payload', msgType: msg.msg_type };
      return { kind: 'deliver', count: 'video', deliver: (h) => h.video(frame) };
    }
    case MSG.MEDIA_DATA_TRANSCRIPT: {
      const item = toTranscriptItem(msg.content);
      return { kind: 'deliver', count: 'transcript', deliver: (h) => h.transcript(item) };
    }
    default:
      return { kind: 'ignore' }; // share and chat are not requested; anything else is ignored
  }
}
