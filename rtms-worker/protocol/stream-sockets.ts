// The sockets of one RTMS stream: the signaling connection and one media connection per kind, each
// sending its handshake (msg 1 / msg 3) once open and timing its answer, and the generation that
// tells a live socket from a dropped one. Reports what the live ones do; rtms-client.ts decides.
import type { Logger } from '../../core/log.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { isSilent, type MediaKind } from './decisions.ts';
import { mediaHandshake, signalingHandshake, type HandshakeIds, type MediaOptions } from './messages.ts';
import type { RtmsSocket, SocketFactory } from './socket.ts';

export interface Conn {
  socket: RtmsSocket;
  lastSeen: number;
  ready: boolean;
  closed: boolean;
  /** Runs out when the handshake is not answered in time; cleared once ready or dropped. */
  handshakeTimer?: TimerHandle | undefined;
}

export type SocketRole = 'signaling' | MediaKind;

/** What the sockets report. Only the current sockets report; a dropped one's messages are stale. */
export interface SocketEvents {
  message(role: SocketRole, conn: Conn, data: string | Buffer): void;
  stale(): void;
  /** The socket's msg 2 / msg 4 has not come `ms` after it was opened. */
  handshakeTimeout(role: SocketRole, ms: number): void;
  error(role: SocketRole, err: Error): void;
  /** Reported after the socket is marked closed and its handshake timer cleared. */
  closed(role: SocketRole, code: number, reason: string): void;
}

export interface StreamSocketsDeps {
  socketFactory: SocketFactory;
  clock: Clock;
  handshakeTimeoutMs: number;
  /** What the handshakes carry: the stream, its signature and the media asked for. */
  ids: HandshakeIds;
  media: MediaOptions;
  log: Logger;
  events: SocketEvents;
}

export class StreamSockets {
  signaling: Conn | undefined;
  readonly media = new Map<MediaKind, Conn>();
  private gen = 0;

  constructor(private readonly deps: StreamSocketsDeps) {}

  /** Drops every socket and starts a new generation for the next signaling socket. */
  renew(): void {
    this.dropAll();
    this.gen++;
  }

  /** Opens the signaling socket; msg 1 is sent once it is open. */
  openSignaling(url: string): void {
    const gen = this.gen;
    const handshake = signalingHandshake(this.deps.ids);
    const conn = this.open(url, gen, 'signaling');
    this.signaling = conn;
    conn.socket.onOpen(() => gen === this.gen && this.send(conn, handshake));
  }

  /** Drops the media sockets at once (TCP), keeping the signaling socket and the generation. */
  terminateMedia(): void {
    for (const c of this.media.values()) {
      this.deps.clock.clearTimeout(c.handshakeTimer);
      c.socket.terminate();
    }
    this.media.clear();
  }

  /** Opens the media socket of `kind`; msg 3 is sent once it is open. */
  openMedia(kind: MediaKind, url: string): void {
    const gen = this.gen;
    const handshake = mediaHandshake(this.deps.ids, this.deps.media, kind);
    const conn = this.open(url, gen, kind);
    this.media.set(kind, conn);
    conn.socket.onOpen(() => gen === this.gen && this.media.get(kind) === conn && this.send(conn, handshake));
  }

  /** The socket's handshake was accepted: its timer stops. */
  markReady(conn: Conn): void {
    conn.ready = true;
    this.deps.clock.clearTimeout(conn.handshakeTimer);
  }

  allMediaReady(): boolean {
    return [...this.media.values()].every((c) => c.ready);
  }

  allMediaClosed(): boolean {
    return [...this.media.values()].every((c) => c.closed);
  }

  /** The media sockets must handshake again (they are being redone). */
  markMediaUnready(): void {
    for (const c of this.media.values()) c.ready = false;
  }

  /** The first socket silent for `ms`: a silent signaling socket redoes all, a media one the media. */
  silent(now: number, ms: number): { scope: 'all' | 'media'; why: string } | undefined {
    if (this.signaling && isSilent(this.signaling.lastSeen, now, ms))
      return { scope: 'all', why: 'signaling socket silent' };
    for (const [kind, c] of this.media)
      if (isSilent(c.lastSeen, now, ms)) return { scope: 'media', why: `${kind} media socket silent` };
    return undefined;
  }

  send(conn: Conn, msg: object): void {
    try {
      conn.socket.send(JSON.stringify(msg));
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'rtms send failed');
    }
  }

  /** Closes every socket (1000) and moves to a new generation: nothing they say counts any more. */
  dropAll(): void {
    this.gen++;
    for (const c of [this.signaling, ...this.media.values()]) {
      if (!c) continue;
      this.deps.clock.clearTimeout(c.handshakeTimer);
      c.socket.close(1000, 'reconnect');
    }
    this.signaling = undefined;
    this.media.clear();
  }

  private open(url: string, gen: number, role: SocketRole): Conn {
    const { clock, events } = this.deps;
    const socket = this.deps.socketFactory(url);
    const conn: Conn = { socket, lastSeen: clock.now(), ready: false, closed: false };
    const current = () =>
      gen === this.gen && (role === 'signaling' ? this.signaling === conn : this.media.get(role) === conn);
    const handshakeMs = this.deps.handshakeTimeoutMs;
    conn.handshakeTimer = clock.setTimeout(() => {
      conn.handshakeTimer = undefined;
      if (conn.ready || !current()) return;
      events.handshakeTimeout(role, handshakeMs);
    }, handshakeMs);
    conn.handshakeTimer.unref?.();
    socket.onMessage((data) => (current() ? events.message(role, conn, data) : events.stale()));
    socket.onError((err) => current() && events.error(role, err));
    socket.onClose((code, reason) => {
      conn.closed = true;
      clock.clearTimeout(conn.handshakeTimer);
      if (current()) events.closed(role, code, reason);
    });
    return conn;
  }
}
