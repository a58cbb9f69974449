// The first step of every RTMS socket message: parsed, garbage counted and logged sparingly, a
// well-formed message taken as the socket's sign of life, and a keep-alive request (msg 12) answered
// with msg 13 on the socket it came on. Whatever else arrives is handed back for the client to act on.
import type { Logger } from '../../core/log.ts';
import type { Clock } from './clock.ts';
import { keepAliveResponse, MSG, parseFrame, type Incoming } from './messages.ts';
import type { Conn, SocketRole } from './stream-sockets.ts';

export interface FrameIntakeDeps {
  clock: Clock;
  log: Logger;
  /** The client's counters: garbage and keep-alives are counted here. */
  stats: { badFrames: number; keepAlives: number };
  send(conn: Conn, msg: object): void;
}

export class FrameIntake {
  /** Garbage seen so far: the first 20 are logged, then every 1000th. */
  private badFrames = 0;

  constructor(private readonly deps: FrameIntakeDeps) {}

  /** The message to act on, or undefined when it was garbage or a keep-alive (already answered). */
  take(role: SocketRole, conn: Conn, data: string | Buffer): Incoming | undefined {
    const parsed = parseFrame(data);
    if (!parsed.ok) {
      this.deps.stats.badFrames++;
      if (this.badFrames++ < 20 || this.badFrames % 1000 === 0)
        this.deps.log.warn(
          { role, kind: parsed.kind, detail: parsed.detail, count: this.badFrames },
          'ignoring rtms frame',
        );
      return undefined;
    }
    // Only a well-formed message is a sign of life: garbage must not keep a dead socket open.
    conn.lastSeen = this.deps.clock.now();
    const msg = parsed.msg;
    if (msg.msg_type === MSG.KEEP_ALIVE_REQ) {
      this.deps.stats.keepAlives++;
      this.deps.send(conn, keepAliveResponse(msg.timestamp));
      return undefined;
    }
    return msg;
  }

  /** A media message whose payload is not valid base64: counted and logged like garbage. */
  badPayload(msgType: number): void {
    this.deps.stats.badFrames++;
    if (this.badFrames++ < 20 || this.badFrames % 1000 === 0)
      this.deps.log.warn({ msgType, count: this.badFrames }, 'dropping media frame with invalid base64');
  }
}
