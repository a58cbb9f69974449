// The RTMS client for one stream: the state machine (connect, stream, reconnect, watchdog, drain,
// close) over its sockets (stream-sockets.ts), intake and keep-alives (frame-intake.ts), message
// routes (route-message.ts), handshake verdicts (handshake-gate.ts) and backoff (reconnect-timer.ts).
import type { Logger } from '../../core/log.ts';
import { logSafe } from '../../core/zoom/identifiers.ts';
import { checkSocketUrl, chooseServerUrl, RECONNECT_WINDOW_MS, type MediaKind } from './decisions.ts';
import {
  clientReadyAck,
  eventSubscription,
  rtmsSignature,
  STOP_REASON,
  streamCloseRequest,
  type Incoming,
} from './messages.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { ReconnectTimer } from './reconnect-timer.ts';
import { routeMessage } from './route-message.ts';
import { FrameIntake } from './frame-intake.ts';
import { HandshakeGate } from './handshake-gate.ts';
import { StreamSockets, type Conn, type SocketRole } from './stream-sockets.ts';
import { newRtmsStats, type RtmsClientOptions, type RtmsEnd, type RtmsStats } from './rtms-client-options.ts';

export type {
  RtmsClientOptions,
  RtmsEnd,
  RtmsFrame,
  RtmsHandlers,
  RtmsStats,
  RtmsTranscript,
} from './rtms-client-options.ts';

type Phase = 'idle' | 'connecting' | 'streaming' | 'waiting' | 'closing' | 'ended';

export class RtmsClient {
  private phase: Phase = 'idle';
  private readonly sockets: StreamSockets;
  private readonly intake: FrameIntake;
  private mediaUrls: Partial<Record<MediaKind, string>> = {};
  private serverUrls: string;
  private readonly handshakes: HandshakeGate;
  private readonly reconnect: ReconnectTimer;
  private closeTimer: TimerHandle | undefined;
  private draining: RtmsEnd | undefined;
  private readonly watchdog: TimerHandle;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly watchdogMs: number;
  readonly stats: RtmsStats = newRtmsStats();

  constructor(private readonly options: RtmsClientOptions) {
    const { meetingUuid, streamId } = options;
    this.serverUrls = options.serverUrls;
    this.log = options.log.child({ meetingUuid: logSafe(meetingUuid), streamId: logSafe(streamId) });
    this.clock = options.clock ?? systemClock;
    this.handshakes = new HandshakeGate(this.log);
    this.watchdogMs = options.watchdogMs ?? 65_000;
    this.reconnect = new ReconnectTimer(this.clock, options.reconnectWindowMs ?? RECONNECT_WINDOW_MS);
    this.watchdog = this.clock.setInterval(
      () => this.checkWatchdog(),
      Math.max(250, Math.floor(this.watchdogMs / 4)),
    );
    this.watchdog.unref?.();
    this.sockets = new StreamSockets({
      socketFactory: options.socketFactory,
      clock: this.clock,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      ids: {
        meetingUuid,
        streamId,
        signature: rtmsSignature(options.clientId, options.clientSecret, meetingUuid, streamId),
      },
      media: options.media,
      log: this.log,
      events: {
        message: (role, conn, data) => {
          if (this.isOver()) return void this.stats.staleFrames++;
          const msg = this.intake.take(role, conn, data);
          if (msg) this.onMessage(role, conn, msg);
        },
        stale: () => void this.stats.staleFrames++,
        handshakeTimeout: (role, ms) => {
          if (this.isOver()) return;
          this.stats.handshakeTimeouts++;
          this.lost(role === 'signaling' ? 'all' : 'media', `${role} handshake not answered within ${ms} ms`);
        },
        error: (role, err) => this.log.warn({ role, err: err.message }, 'rtms socket error'),
        closed: (role, code, reason) => this.onClosed(role, code, reason),
      },
    });
    this.intake = new FrameIntake({
      clock: this.clock,
      log: this.log,
      stats: this.stats,
      send: (conn, msg) => this.sockets.send(conn, msg),
    });
  }

  get state(): Phase {
    return this.phase;
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.connectAll();
  }

  /** A new `rtms_started` for this stream: Zoom failed over, reconnect at once to the (new) URLs. */
  failover(serverUrls: string | undefined): void {
    if (this.isOver()) return;
    if (serverUrls) {
      const choice = chooseServerUrl(serverUrls, this.options.allowedHosts);
      if (!choice.ok) return this.log.warn({ why: choice.why }, 'failover to a refused server url ignored');
      this.serverUrls = serverUrls;
    }
    this.log.info({ reason: 'rtms_started re-sent' }, 'failover: reconnecting to new server urls');
    this.reconnect.restartAttempts();
    this.connectAll();
  }

  /** `rtms_interrupted`: the signaling side broke; redo both sockets with backoff. */
  interrupted(serverUrls: string | undefined): void {
    if (this.isOver()) return;
    if (serverUrls) {
      const choice = chooseServerUrl(serverUrls, this.options.allowedHosts);
      if (choice.ok) this.serverUrls = serverUrls;
      else this.log.warn({ why: choice.why }, 'refused server url ignored; reconnecting to the known one');
    }
    this.lost('all', 'rtms_interrupted');
  }

  /**
   * `rtms_stopped` from the webhook: the stream is over. The webhook can overtake the last media
   * frames, so the sockets get a short grace to deliver them (and the server's own stop) first.
   */
  stopped(stopReason: number | undefined): void {
    this.drain({
      outcome: 'stopped',
      ...(stopReason !== undefined && { stopReason }),
      detail: 'rtms_stopped',
    });
  }

  /**
   * The stream is over, but the media sockets may still carry its last frames (a stop on the
   * signaling socket or the webhook can overtake them): end once every media socket has closed, or
   * after a grace period. A revoked stream ends at once: its data is deleted anyway.
   */
  private drain(end: RtmsEnd): void {
    if (this.isOver()) return;
    if (this.draining) {
      if (this.draining.stopReason === undefined && end.stopReason !== undefined) this.draining = end;
      return;
    }
    if (end.stopReason === STOP_REASON.STREAM_REVOKED || this.phase !== 'streaming') return this.end(end);
    this.draining = end;
    this.reconnect.cancel();
    this.closeTimer = this.clock.setTimeout(
      () => this.end(this.draining!),
      this.options.stopGraceMs ?? 2_000,
    );
  }

  /** Ends the stream at Zoom with msg 21 and waits for msg 22 (or a timeout). */
  close(): void {
    if (this.isOver() || this.phase === 'closing') return;
    const signaling = this.sockets.signaling;
    if (!signaling?.ready) return this.end({ outcome: 'stopped', detail: 'closed before streaming' });
    this.phase = 'closing';
    this.sockets.send(signaling, streamCloseRequest(this.options.streamId));
    this.closeTimer = this.clock.setTimeout(
      () => this.end({ outcome: 'stopped', detail: 'close timed out without msg 22' }),
      this.options.closeTimeoutMs ?? 5_000,
    );
  }

  /** Lets go of the stream without ending it at Zoom, so another worker can reconnect within the window. */
  handOver(): void {
    this.end({ outcome: 'handed-over', detail: 'handover' });
  }

  private isOver(): boolean {
    return this.phase === 'ended';
  }

  private connectAll(): void {
    this.reconnect.cancel();
    this.sockets.renew();
    this.phase = 'connecting';
    const choice = chooseServerUrl(this.serverUrls, this.options.allowedHosts);
    if (!choice.ok) return this.end({ outcome: 'failed', detail: `refusing signaling url: ${choice.why}` });
    this.log.debug({ url: choice.url }, 'opening signaling socket');
    this.sockets.openSignaling(choice.url);
  }

  private connectMedia(): void {
    this.sockets.terminateMedia();
    const targets = Object.entries(this.mediaUrls) as [MediaKind, string][];
    if (targets.length === 0)
      return this.end({ outcome: 'failed', detail: 'signaling handshake offered no media url' });
    for (const [kind, url] of targets) {
      const check = checkSocketUrl(url, this.options.allowedHosts);
      if (!check.ok) return this.end({ outcome: 'failed', detail: `refusing media url: ${check.why}` });
      this.sockets.openMedia(kind, url);
    }
  }

  /** A current socket closed: the end of a drain or a close, else a lost connection. */
  private onClosed(role: SocketRole, code: number, reason: string): void {
    if (this.isOver()) return;
    if (this.draining) {
      if (this.sockets.allMediaClosed()) this.end(this.draining);
      return;
    }
    this.log.warn({ role, code, reason }, 'rtms socket closed');
    if (this.phase === 'closing')
      return this.end({ outcome: 'stopped', detail: `socket closed during close (${code})` });
    this.lost(role === 'signaling' ? 'all' : 'media', `${role} socket closed (${code})`);
  }

  /** Does what a message asks (route-message.ts). */
  private onMessage(role: SocketRole, conn: Conn, msg: Incoming): void {
    const route = routeMessage(role, msg);
    switch (route.kind) {
      case 'signaling-handshake':
        if (!this.accepted('signaling', route.status, route.reason)) return;
        this.sockets.markReady(conn);
        this.mediaUrls = route.mediaUrls;
        this.sockets.send(conn, eventSubscription());
        return this.connectMedia();
      case 'media-handshake':
        if (!this.accepted('media', route.status, route.reason)) return;
        this.sockets.markReady(conn);
        if (this.sockets.signaling)
          this.sockets.send(this.sockets.signaling, clientReadyAck(this.options.streamId));
        if (!this.sockets.allMediaReady()) return;
        if (this.phase !== 'streaming')
          this.log.info({ reconnects: this.stats.reconnects }, 'rtms streaming');
        this.phase = 'streaming';
        this.reconnect.recovered();
        this.handshakes.reset();
        return;
      case 'deliver':
        this.stats[route.count]++;
        return route.deliver(this.options.handlers);
      case 'bad-payload':
        return this.intake.badPayload(route.msgType);
      case 'stop':
        return this.drain(route.end);
      case 'lost':
        return this.lost(route.scope, route.why);
      case 'end':
        return this.end(route.end);
      case 'unexpected':
        return this.log.debug({ msgType: route.msgType }, 'unexpected message on signaling socket');
    }
  }

  /** Runs the verdict on a msg 2 / msg 4 status: refused ends the stream, duplicates back off. */
  private accepted(which: 'signaling' | 'media', status: number, reason: string | undefined): boolean {
    const verdict = this.handshakes.judge(which, status, reason);
    if (verdict.kind === 'end') this.end(verdict.end);
    else if (verdict.kind === 'lost') this.lost(verdict.scope, verdict.why);
    return verdict.kind === 'ok';
  }

  /** A connection broke: back off (3 s → 30 s) and redo it, until Zoom's reconnect window is over. */
  private lost(scope: 'all' | 'media', why: string): void {
    if (this.isOver() || this.phase === 'closing' || this.draining) return;
    const redoAll = scope === 'all' || !this.sockets.signaling?.ready;
    const action = this.reconnect.schedule(() => this.retry(redoAll));
    if (action === 'pending') return; // a retry is already scheduled
    if (action.kind === 'give-up') return this.end({ outcome: 'failed', detail: `${why}; ${action.why}` });
    this.stats.reconnects++;
    this.phase = 'waiting';
    if (redoAll) this.sockets.dropAll();
    else this.sockets.markMediaUnready();
    this.log.warn(
      { why, scope: redoAll ? 'all' : 'media', delayMs: action.delayMs, attempt: action.attempt },
      'rtms connection lost, reconnecting',
    );
  }

  private retry(redoAll: boolean): void {
    if (this.isOver()) return;
    if (redoAll || !this.sockets.signaling?.ready) this.connectAll();
    else {
      this.phase = 'connecting';
      this.connectMedia();
    }
  }

  private checkWatchdog(): void {
    if (this.isOver() || this.reconnect.pending || this.phase === 'waiting' || this.draining) return;
    const silent = this.sockets.silent(this.clock.now(), this.watchdogMs);
    if (silent) this.lost(silent.scope, silent.why);
  }

  private end(end: RtmsEnd): void {
    if (this.isOver()) return;
    this.phase = 'ended';
    this.reconnect.cancel();
    this.clock.clearInterval(this.watchdog);
    this.clock.clearTimeout(this.closeTimer);
    this.sockets.dropAll();
    const level = end.outcome === 'failed' ? 'error' : 'info';
    this.log[level]({ ...end, stats: this.stats }, 'rtms stream ended');
    this.options.handlers.ended(end);
  }
}
