// A Zoom RTMS server on 127.0.0.1 speaking the real protocol (rtms-worker/README.md, Protocol): signed handshakes with
// status codes, keep-alives it expects answered, paced media with RTMS timestamps, events, states,
// failover and interruption on command. Shared by the worker tests, the demo and the benchmarks.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SimStream, type Link, type SimStreamOptions } from './sim-stream.ts';

export interface RtmsSimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Idle keep-alive period per socket (Zoom: 10 s). */
  keepAliveIntervalMs?: number;
  /** Unanswered keep-alives before the socket is considered dead (Zoom: 3). */
  keepAliveMaxMissed?: number;
  tickMs?: number;
  /** Zoom would now send the rtms_interrupted webhook. */
  onInterrupted?: (s: SimStreamHandle) => void;
  /** Zoom would now send the rtms_stopped webhook. */
  onStopped?: (s: SimStreamHandle, stopReason: number) => void;
}

export interface SimStreamHandle {
  readonly meetingUuid: string;
  readonly streamId: string;
  /** What the rtms_started webhook carries in `server_urls`. */
  readonly serverUrls: string;
  readonly stats: SimStream['stats'];
  /** The first time media flows (both handshakes and CLIENT_READY_ACK done). */
  readonly ready: Promise<void>;
  /** Resolves with the stop reason. */
  readonly ended: Promise<number>;
  readonly t0: number;
  /** Timeline ms not yet sent as audio (the backlog an outage leaves, until it is replayed). */
  audioBacklogMs(): number;
  stop(reason?: number): void;
  /** RTMS server failure: drops both sockets; returns the new server_urls for a re-sent rtms_started. */
  failover(): string;
  /** Drops both sockets as if the signaling connection broke (then rtms_interrupted). */
  interrupt(): void;
  /** Drops the media socket and says so on signaling (EVENT_UPDATE 7 + stream state 2 reason 14). */
  dropMedia(): void;
  /** Stops sending anything (keep-alives, media) while keeping the sockets open. */
  silence(on: boolean): void;
  /** Writes half a WebSocket frame and cuts the TCP connection. */
  closeMidFrame(which: 'signaling' | 'media'): void;
  sendRaw(which: 'signaling' | 'media', data: string | Buffer): void;
  emitEvent(eventType: number, userIds: number[]): void;
}

export interface RtmsSimulator {
  url: string;
  stream(opts: SimStreamOptions): SimStreamHandle;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** The RTMS app credentials the demo and the tests give both the simulator and the worker. */
export const SIM_CLIENT = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' };

/** The simulator listens on 127.0.0.1 (ws://): a worker talking to it needs RTMS_ALLOWED_HOSTS set to this. */
export const SIM_ALLOWED_HOSTS = '127.0.0.1';

export async function startRtmsSimulator(opts: RtmsSimulatorOptions): Promise<RtmsSimulator> {
  const keepAliveMs = opts.keepAliveIntervalMs ?? 10_000;
  const maxMissed = opts.keepAliveMaxMissed ?? 3;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const base = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const streams = new Map<string, SimStream>();
  const handles = new Map<SimStream, SimStreamHandle>();
  let failovers = 0;

  const sign = (meetingUuid: string, streamId: string) =>
    createHmac('sha256', opts.clientSecret)
      .update(`${opts.clientId},${meetingUuid},${streamId}`)
      .digest('hex');

  function send(s: SimStream, link: Link | undefined, msg: Json | string | Buffer): void {
    if (!link || link.ws.readyState !== 1) return;
    link.lastSent = Date.now();
    const text = typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg);
    const binary = Buffer.isBuffer(text) || s.options.binaryFrames === true;
    link.ws.send(binary ? Buffer.from(text) : text, { binary });
  }

  function detach(s: SimStream, which: 'signaling' | 'media', how: 'terminate' | 'close'): void {
    const link = s[which];
    s[which] = undefined;
    if (!link) return;
    if (how === 'terminate') link.ws.terminate();
    else link.ws.close(1000);
  }

  function end(s: SimStream, reason: number): void {
    if (s.over) return;
    s.stopReason = reason;
    send(s, s.signaling, { msg_type: 8, state: 3, reason, timestamp: Date.now() });
    send(s, s.signaling, { msg_type: 8, state: 4, reason, timestamp: Date.now() });
    send(s, s.signaling, {
      msg_type: 9,
      state: 5,
      stop_reason: reason,
      timestamp: Date.now(),
      rtms_session_id: `sess-${s.options.streamId}`,
    });
    setTimeout(() => {
      detach(s, 'media', 'close');
      detach(s, 'signaling', 'close');
    }, 50);
    s.resolveEnded(reason);
    opts.onStopped?.(handles.get(s)!, reason);
  }

  function lose(s: SimStream, which: 'all' | 'media'): void {
    detach(s, 'media', 'terminate');
    if (which === 'all') {
      detach(s, 'signaling', 'terminate');
      s.lostAt = Date.now();
      opts.onInterrupted?.(handles.get(s)!);
    } else {
      send(s, s.signaling, { msg_type: 6, event: { event_type: 7, timestamp: Date.now() } });
      send(s, s.signaling, { msg_type: 8, state: 2, reason: 14, timestamp: Date.now() });
    }
  }

  function event(s: SimStream, eventType: number, userIds: number[]): void {
    const participants = userIds.map((id) => {
      const u = s.options.users.find((x) => x.userId === id);
      return eventType === 3 && u ? { user_id: id, user_name: u.userName } : { user_id: id };
    });
    s.stats.sent.events++;
    send(s, s.signaling, {
      msg_type: 6,
      event: { event_type: eventType, timestamp: s.t0 + s.position(Date.now()), participants },
    });
  }

  /** A handshake answered with garbage every 200 ms (until the client gives up), or never answered. */
  function brokenReply(ws: WebSocket, how: 'garbage' | 'silent'): void {
    if (how === 'silent') return;
    const junk = setInterval(() => {
      if (ws.readyState !== 1) return clearInterval(junk);
      ws.send('\u0000garbage{"msg_type":');
    }, 200);
    ws.send('not json at all');
  }

  function onSignaling(ws: WebSocket, path: string, msg: Json): void {
    const link: Link = { ws, lastSent: Date.now(), pendingKeepAlives: 0 };
    if (msg.msg_type !== 1) return;
    const s = streams.get(String(msg.rtms_stream_id));
    const refuse = (status: number, reason: string) => {
      s?.stats.refused.push(status);
      ws.send(JSON.stringify({ msg_type: 2, protocol_version: 1, sequence: 0, status_code: status, reason }));
      setTimeout(() => ws.close(1000), 20);
    };
    if (!s || s.over) return refuse(2, 'INVALID_RTMS_STREAM_ID');
    if (path !== s.signalingPath) return void ws.close(1011, 'server gone');
    s.stats.signalingHandshakes++;
    if (
      msg.meeting_uuid !== s.options.meetingUuid ||
      msg.signature !== sign(s.options.meetingUuid, s.options.streamId)
    )
      return refuse(3, 'INVALID_SIGNATURE');
    if (s.options.signalingStatus !== undefined)
      return refuse(s.options.signalingStatus, 'configured refusal');
    if (s.options.signalingReply) return brokenReply(ws, s.options.signalingReply);
    if ((s.options.duplicateSignal ?? 0) > 0) {
      s.options.duplicateSignal!--;
      return refuse(8, 'duplicate signal request');
    }
    if (s.signaling && s.signaling.ws.readyState === 1) return refuse(8, 'duplicate signal request');
    s.signaling = link;
    s.lostAt = undefined;
    (ws as WebSocket & { sim?: { s: SimStream; link: Link } }).sim = { s, link };
    const media = s.options.mediaUrl ?? `${base}/media/${encodeURIComponent(s.options.streamId)}`;
    send(s, link, {
      msg_type: 2,
      protocol_version: 1,
      sequence: 0,
      status_code: 0,
      reason: '',
      media_server: { server_urls: { audio: media, video: media, transcript: media, all: media } },
    });
  }

  function onMedia(ws: WebSocket, msg: Json): void {
    if (msg.msg_type !== 3) return;
    const s = streams.get(String(msg.rtms_stream_id));
    const refuse = (status: number, reason: string) => {
      s?.stats.refused.push(status);
      ws.send(JSON.stringify({ msg_type: 4, protocol_version: 1, status_code: status, reason }));
      setTimeout(() => ws.close(1000), 20);
    };
    if (!s || s.over || !s.signaling) return refuse(2, 'INVALID_RTMS_STREAM_ID');
    if (msg.signature !== sign(s.options.meetingUuid, s.options.streamId))
      return refuse(3, 'INVALID_SIGNATURE');
    if (s.options.mediaStatus !== undefined) return refuse(s.options.mediaStatus, 'configured refusal');
    if (s.options.mediaReply) {
      s.stats.mediaHandshakes++;
      return brokenReply(ws, s.options.mediaReply);
    }
    const params = (msg.media_params ?? {}) as { video?: { fps?: number; codec?: number } };
    const fps = params.video?.fps ?? 5;
    if (fps > 30) return refuse(30, 'INVALID_MEDIA_VIDEO_FPS');
    if (fps > 5 && params.video?.codec !== 7) return refuse(27, 'INVALID_MEDIA_VIDEO_CODEC');
    s.stats.mediaHandshakes++;
    detach(s, 'media', 'terminate');
    const link: Link = { ws, lastSent: Date.now(), pendingKeepAlives: 0 };
    s.media = link;
    (ws as WebSocket & { sim?: { s: SimStream; link: Link } }).sim = { s, link };
    mediaReady.delete(s);
    send(s, link, {
      msg_type: 4,
      protocol_version: 1,
      sequence: 0,
      status_code: 0,
      reason: '',
      payload_encrypted: false,
      media_params: msg.media_params ?? {},
    });
  }

  /** Streams whose media socket got its CLIENT_READY_ACK. */
  const mediaReady = new Set<SimStream>();

  function onLinkMessage(s: SimStream, link: Link, which: 'signaling' | 'media', msg: Json): void {
    if (msg.msg_type === 13) {
      link.pendingKeepAlives = 0;
      s.stats.keepAlivesAnswered++;
    } else if (which === 'signaling' && msg.msg_type === 5) {
      s.stats.subscriptions.push(((msg.events as { event_type: number }[]) ?? []).map((e) => e.event_type));
    } else if (which === 'signaling' && msg.msg_type === 7) {
      s.stats.readyAcks++;
      if (!s.media) return;
      mediaReady.add(s);
      if (s.startedAt === undefined) {
        s.startedAt = Date.now();
        s.t0 = s.startedAt;
        s.resolveReady();
        event(
          s,
          3,
          s.options.users.map((u) => u.userId),
        );
        send(s, s.signaling, { msg_type: 8, state: 1, timestamp: Date.now() });
      }
    } else if (which === 'signaling' && msg.msg_type === 21) {
      s.stats.closeRequests++;
      send(s, link, {
        msg_type: 22,
        rtms_stream_id: s.options.streamId,
        status_code: 0,
        reason: 'OK',
        timestamp: Date.now(),
      });
      end(s, 20);
    }
  }

  wss.on('connection', (ws, req) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const which = path.startsWith('/media/') ? 'media' : 'signaling';
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      let msg: Json;
      try {
        msg = JSON.parse(data.toString('utf8')) as Json;
      } catch {
        ws.send(
          JSON.stringify({ msg_type: which === 'media' ? 4 : 2, status_code: 4, reason: 'INVALID_PAYLOAD' }),
        );
        return;
      }
      const attached = (ws as WebSocket & { sim?: { s: SimStream; link: Link } }).sim;
      if (attached) return onLinkMessage(attached.s, attached.link, which, msg);
      if (which === 'signaling') onSignaling(ws, path, msg);
      else onMedia(ws, msg);
    });
    ws.on('close', () => {
      const attached = (ws as WebSocket & { sim?: { s: SimStream; link: Link } }).sim;
      if (attached) gone(attached.s, attached.link);
    });
  });

  /**
   * A connection is gone: from here on audio is buffered for replay and video is lost. Runs when
   * the socket closes, and at once when the server cuts it itself (its `ws` still says OPEN until
   * the close event, and anything sent in between would be counted as sent but never delivered).
   */
  function gone(s: SimStream, link: Link): void {
    if (s.over) return;
    if (s.signaling === link) {
      s.signaling = undefined;
      detach(s, 'media', 'terminate');
      s.lostAt = Date.now();
      opts.onInterrupted?.(handles.get(s)!);
    } else if (s.media === link) {
      s.media = undefined;
      mediaReady.delete(s);
    }
  }

  function pump(s: SimStream, now: number): void {
    const pos = s.position(now);
    // a socket cut by the peer is CLOSING before its close event: treat it as gone (audio is buffered)
    const ready = s.media !== undefined && s.media.ws.readyState === 1 && mediaReady.has(s) && !s.silent;
    if (ready && s.media!.ws.bufferedAmount > 8 * 1024 * 1024) return; // TCP back-pressure: wait
    const audioMs = 20;
    const videoMs = 1000 / s.fps;
    const limit = s.options.durationMs ?? Infinity;
    const maxAudioBacklog = 60_000 / audioMs;
    if (!ready) {
      // Zoom buffers audio during an interruption (up to 60 s) and replays it; video is lost
      while (s.nextVideo * videoMs <= pos && s.nextVideo * videoMs < limit) {
        s.nextVideo++;
        s.stats.videoLostWhileDown++;
      }
      while ((pos - s.nextAudio * audioMs) / audioMs > maxAudioBacklog) s.nextAudio++;
      return;
    }
    for (;;) {
      const aTs = s.nextAudio * audioMs;
      const vTs = s.nextVideo * videoMs;
      const nextTs = Math.min(aTs, vTs);
      if (nextTs > pos || nextTs >= limit) break;
      if (aTs <= vTs) {
        if (!s.inGap('audio', aTs)) {
          const data = s.b64.audio[s.nextAudio % s.b64.audio.length]!;
          sendMedia(s, { msg_type: 14, content: { user_id: 0, data, length: 640, timestamp: s.t0 + aTs } });
          s.stats.sent.audio++;
        }
        s.nextAudio++;
      } else {
        if (!s.inGap('video', vTs)) {
          const frame = s.options.videoStartFrame + s.nextVideo;
          const data = s.b64.video[frame % s.b64.video.length]!;
          const u = s.options.users[0];
          sendMedia(s, {
            msg_type: 15,
            content: { user_id: u?.userId ?? 0, user_name: u?.userName, data, timestamp: s.t0 + vTs },
          });
          s.stats.sent.video++;
        }
        s.nextVideo++;
      }
    }
    while (
      s.options.transcriptEveryMs > 0 &&
      (s.nextTranscript + 1) * s.options.transcriptEveryMs <= Math.min(pos, limit)
    ) {
      const u = s.options.users[s.nextTranscript % Math.max(1, s.options.users.length)];
      const start = s.t0 + s.nextTranscript * s.options.transcriptEveryMs;
      sendMedia(s, {
        msg_type: 17,
        content: {
          user_id: u?.userId ?? 0,
          user_name: u?.userName,
          data: `Utterance ${s.nextTranscript + 1} from ${u?.userName ?? 'someone'}.`,
          timestamp: start,
          start_time: start,
          end_time: start + s.options.transcriptEveryMs - 100,
          language: 9,
          attribute: 1,
        },
      });
      s.stats.sent.transcript++;
      s.nextTranscript++;
    }
    while (s.nextEvent < s.options.events.length && s.options.events[s.nextEvent]!.atMs <= pos) {
      const e = s.options.events[s.nextEvent++]!;
      event(s, e.eventType, e.userIds);
    }
    if (pos >= limit && s.nextAudio * audioMs >= limit && s.nextVideo * videoMs >= limit) end(s, 6);
  }

  function sendMedia(s: SimStream, msg: Json): void {
    if (s.options.delayMs) setTimeout(() => send(s, s.media, msg), s.options.delayMs);
    else send(s, s.media, msg);
  }

  function keepAlive(s: SimStream, which: 'signaling' | 'media', now: number): void {
    const link = s[which];
    if (!link || s.silent || now - link.lastSent < keepAliveMs) return;
    if (link.pendingKeepAlives >= maxMissed) {
      s.stats.keepAliveTimeouts++;
      return lose(s, which === 'signaling' ? 'all' : 'media');
    }
    link.pendingKeepAlives++;
    s.stats.keepAlivesSent++;
    send(s, link, { msg_type: 12, timestamp: now });
  }

  const ticker = setInterval(() => {
    const now = Date.now();
    for (const s of streams.values()) {
      if (s.over) continue;
      if (s.startedAt !== undefined) pump(s, now);
      keepAlive(s, 'signaling', now);
      keepAlive(s, 'media', now);
      if (s.lostAt !== undefined && !s.signaling && now - s.lostAt > s.options.reconnectWindowMs) end(s, 19);
    }
  }, opts.tickMs ?? 20);

  return {
    url: base,
    stream(o) {
      const s = new SimStream(o, `/signaling/${encodeURIComponent(o.streamId)}`);
      streams.set(o.streamId, s);
      const handle: SimStreamHandle = {
        meetingUuid: o.meetingUuid,
        streamId: o.streamId,
        get serverUrls() {
          return `${base}${s.signalingPath}`;
        },
        stats: s.stats,
        ready: s.ready,
        ended: s.ended,
        get t0() {
          return s.t0;
        },
        audioBacklogMs: () =>
          Math.max(0, Math.min(s.position(Date.now()), s.options.durationMs ?? Infinity) - s.nextAudio * 20),
        stop: (reason = 6) => end(s, reason),
        failover() {
          s.signalingPath = `/signaling/${encodeURIComponent(o.streamId)}/failover-${++failovers}`;
          detach(s, 'media', 'terminate');
          detach(s, 'signaling', 'terminate');
          s.lostAt = Date.now();
          return `${base}${s.signalingPath}`;
        },
        interrupt: () => lose(s, 'all'),
        dropMedia: () => lose(s, 'media'),
        silence(on) {
          s.silent = on;
        },
        closeMidFrame(which) {
          const link = s[which];
          const socket = (
            link?.ws as unknown as { _socket?: { write(b: Buffer): void; destroy(): void } } | undefined
          )?._socket;
          if (!link || !socket) return;
          socket.write(Buffer.from([0x81, 0x7e, 0x01, 0x00, 0x7b, 0x22, 0x6d, 0x73]));
          socket.destroy();
          gone(s, link);
        },
        sendRaw: (which, data) => send(s, s[which], data),
        emitEvent: (eventType, userIds) => event(s, eventType, userIds),
      };
      handles.set(s, handle);
      return handle;
    },
    async close() {
      clearInterval(ticker);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
