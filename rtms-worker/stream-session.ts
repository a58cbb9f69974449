// One RTMS stream held by this worker: the lease and its heartbeat, the capture on disk, the RTMS
// client, and the events it emits. Failures stay inside the session; they never reach other streams.
import type { Logger } from '../core/log.ts';
import type { LeaseStore, LiveState, MediaStore, Warehouse } from '../core/ports.ts';
import type { Capture, OpenCaptureOptions } from './capture/capture.ts';
import { isRevoked } from './protocol/decisions.ts';
import type { MediaOptions } from './protocol/messages.ts';
import { RtmsClient, type RtmsEnd, type RtmsFrame } from './protocol/rtms-client.ts';
import type { SocketFactory } from './protocol/socket.ts';
import { recordsOfEvent, type StreamContext } from './rtms-events.ts';
import { NameBook } from './capture/name-book.ts';
import { logSafe } from '../core/zoom/identifiers.ts';

export interface SessionDeps {
  leases: LeaseStore;
  warehouse: Warehouse;
  liveState: LiveState;
  media: MediaStore;
  openCapture: (o: OpenCaptureOptions) => Promise<Capture>;
  socketFactory: SocketFactory;
  log: Logger;
  now: () => number;
}

export interface SessionSettings {
  workerId: string;
  clientId: string;
  clientSecret: string;
  capturesDir: string;
  ffmpegPath: string;
  media: MediaOptions;
  /** RTMS_ALLOWED_HOSTS: hosts the signaling and media sockets may be opened to. */
  allowedHosts: readonly string[];
  leaseTtlMs: number;
  heartbeatMs: number;
  watchdogMs?: number;
  handshakeTimeoutMs?: number;
  reconnectWindowMs?: number;
}

export interface SessionStart {
  meetingUuid: string;
  meetingId?: string;
  streamId: string;
  serverUrls: string;
  eventId: string;
}

export type SessionOutcome = 'finished' | 'discarded' | 'handed-over' | 'lost-lease' | 'failed';

export class StreamSession {
  readonly streamId: string;
  readonly meetingUuid: string;
  readonly meetingId: string | undefined;
  readonly startEventId: string;
  serverUrls: string;
  /** Resolves once the capture is finished, discarded or parked, and the lease released. */
  readonly done: Promise<SessionOutcome>;
  private resolveDone!: (o: SessionOutcome) => void;
  private client: RtmsClient | undefined;
  private capture: Capture | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private leaseLost = false;
  private captureErrors = 0;
  private readonly ctx: StreamContext;
  private readonly log: Logger;

  constructor(
    private readonly deps: SessionDeps,
    private readonly settings: SessionSettings,
    start: SessionStart,
  ) {
    this.streamId = start.streamId;
    this.meetingUuid = start.meetingUuid;
    this.meetingId = start.meetingId;
    this.startEventId = start.eventId;
    this.serverUrls = start.serverUrls;
    this.ctx = {
      meetingUuid: start.meetingUuid,
      streamId: start.streamId,
      names: new NameBook(),
      ...(start.meetingId !== undefined && { meetingId: start.meetingId }),
    };
    this.log = deps.log.child({ meetingUuid: logSafe(start.meetingUuid), streamId: logSafe(start.streamId) });
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  get saturated(): boolean {
    return this.capture?.saturated ?? false;
  }

  get stats(): RtmsClient['stats'] | undefined {
    return this.client?.stats;
  }

  /** Frames on disk, backlog and drops of the capture (undefined before it is open). */
  get captureStats(): ReturnType<Capture['stats']> | undefined {
    return this.capture?.stats();
  }

  /** Opens the capture and connects; the lease must already be ours. */
  async start(): Promise<void> {
    try {
      this.capture = await this.deps.openCapture({
        rootDir: this.settings.capturesDir,
        meetingUuid: this.meetingUuid,
        streamId: this.streamId,
        owner: this.settings.workerId,
        media: this.deps.media,
        ffmpegPath: this.settings.ffmpegPath,
        log: this.deps.log,
        videoFps: this.settings.media.videoFps,
      });
    } catch (err) {
      this.log.error({ err }, 'cannot open the capture on disk; giving the stream up');
      await this.releaseLease();
      this.resolveDone('failed');
      return;
    }
    this.heartbeat = setInterval(() => void this.renew(), this.settings.heartbeatMs);
    this.heartbeat.unref?.();
    this.client = new RtmsClient({
      meetingUuid: this.meetingUuid,
      streamId: this.streamId,
      serverUrls: this.serverUrls,
      allowedHosts: this.settings.allowedHosts,
      clientId: this.settings.clientId,
      clientSecret: this.settings.clientSecret,
      media: this.settings.media,
      socketFactory: this.deps.socketFactory,
      log: this.deps.log,
      ...(this.settings.watchdogMs !== undefined && { watchdogMs: this.settings.watchdogMs }),
      ...(this.settings.handshakeTimeoutMs !== undefined && {
        handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
      }),
      ...(this.settings.reconnectWindowMs !== undefined && {
        reconnectWindowMs: this.settings.reconnectWindowMs,
      }),
      handlers: {
        audio: (f) => this.toCapture('audio', f),
        video: (f) => this.toCapture('video', f),
        transcript: (t) => this.guard(() => this.capture!.transcript(t)),
        event: (e) => this.guard(() => this.emit(e)),
        ended: (end) => void this.onEnded(end),
      },
    });
    this.client.start();
  }

  failover(serverUrls: string | undefined): void {
    if (serverUrls) this.serverUrls = serverUrls;
    this.client?.failover(serverUrls);
  }

  interrupted(serverUrls: string | undefined): void {
    if (serverUrls) this.serverUrls = serverUrls;
    this.client?.interrupted(serverUrls);
  }

  stopped(stopReason: number | undefined): void {
    this.client?.stopped(stopReason);
  }

  /** Shutdown: let go without ending the stream at Zoom; the capture is parked for the next owner. */
  async handOver(): Promise<SessionOutcome> {
    this.client?.handOver();
    return this.done;
  }

  /** The stream's user_id → name book (bounded: name-book.ts), for health and tests. */
  get names(): NameBook {
    return this.ctx.names;
  }

  private toCapture(kind: 'audio' | 'video', f: RtmsFrame): void {
    if (f.userName !== undefined) this.ctx.names.set(f.userId, f.userName);
    this.guard(() => (kind === 'audio' ? this.capture!.audio(f) : this.capture!.video(f)));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.captureErrors++ < 5)
        this.log.error({ err, count: this.captureErrors }, 'capture handler failed; frame dropped');
    }
  }

  private emit(e: Parameters<typeof recordsOfEvent>[1]): void {
    const now = this.deps.now();
    const { rows, state, droppedUsers } = recordsOfEvent(this.ctx, e, now, new Date(now).toISOString());
    if (droppedUsers) this.log.warn({ droppedUsers }, 'rtms event names more users than kept per event');
    if (rows.length > 0) void this.retrying('warehouse insert', () => this.deps.warehouse.insertEvents(rows));
    if (state.length > 0) void this.retrying('live-state apply', () => this.deps.liveState.apply(state));
  }

  private async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 3) return void this.log.error({ err, what }, 'rtms event not stored');
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  private async renew(): Promise<void> {
    try {
      const ok = await this.deps.leases.renew(
        this.streamId,
        this.settings.workerId,
        this.settings.leaseTtlMs,
      );
      if (!ok && !this.leaseLost) {
        this.leaseLost = true;
        this.log.error('lease lost to another worker; letting the stream go');
        this.client?.handOver();
      }
    } catch (err) {
      this.log.warn({ err }, 'lease heartbeat failed; will retry');
    }
  }

  private async releaseLease(): Promise<void> {
    if (this.leaseLost) return;
    await this.deps.leases
      .release(this.streamId, this.settings.workerId)
      .catch((err: unknown) => this.log.warn({ err }, 'lease release failed; it expires on its own'));
  }

  private async onEnded(end: RtmsEnd): Promise<void> {
    clearInterval(this.heartbeat);
    const { refused, truncated } = this.ctx.names.counts;
    if (refused + truncated > 0)
      this.log.warn(
        { users: this.ctx.names.size, namesRefused: refused, namesTruncated: truncated },
        'participant names beyond the per-stream bounds were not kept in full',
      );
    const capture = this.capture!;
    let outcome: SessionOutcome;
    try {
      if (end.outcome === 'handed-over') {
        await capture.handOver();
        outcome = this.leaseLost ? 'lost-lease' : 'handed-over';
      } else if (isRevoked(end.stopReason)) {
        await capture.discard();
        outcome = 'discarded';
      } else if (end.outcome === 'failed' && capturedNothing(capture)) {
        // Nothing came in (e.g. a stale start refused by Zoom): never write an empty recording over
        // what another worker may have stored; parked parts, if any, stay for whoever finishes them.
        await capture.handOver();
        outcome = 'failed';
      } else {
        const manifest = await capture.finish({
          endedAt: this.deps.now(),
          ...(end.stopReason !== undefined && { stopReason: end.stopReason }),
        });
        this.log.info({ manifest: summarize(manifest) }, 'recording stored');
        outcome = 'finished';
      }
    } catch (err) {
      this.log.error(
        { err, end: end.outcome },
        'capture could not be finalised; its segments stay on disk for recovery',
      );
      outcome = 'failed';
    }
    await this.releaseLease();
    this.resolveDone(outcome);
  }
}

function capturedNothing(capture: Capture): boolean {
  const st = capture.stats();
  return st.audioFrames + st.videoFrames + st.transcriptItems === 0;
}

function summarize(manifest: unknown): unknown {
  if (typeof manifest !== 'object' || manifest === null) return manifest;
  const m = manifest as { status?: unknown; files?: { name?: string; bytes?: number }[] };
  return { status: m.status, files: m.files?.map((f) => `${f.name}:${f.bytes}`) };
}
