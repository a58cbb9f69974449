// Hands RTMS socket messages to their handlers in bounded time slices shared by every socket of the
// process, yielding to the event loop (setImmediate) between slices, so a flood of frames cannot
// starve the webhook beside it; a socket whose queue is over its byte bound stops reading (TCP
// back-pressure) until the queue drains. Nothing is dropped: every queued message is delivered.

export interface PumpOptions {
  /**
   * Longest run of handlers before the pump yields to the event loop (default 15 ms: shorter slices
   * cost a worker with 300 real-time streams its lead, more polls for smaller reads).
   */
  sliceMs?: number;
  /** Queued bytes per socket over which it is paused (default 128 KiB); resumed at half. */
  pauseBytes?: number;
  now?: () => number;
}

/** Reading control of one socket (a `ws` WebSocket's pause/resume). */
export interface Flow {
  pause(): void;
  resume(): void;
}

export interface Inbox {
  /** Queues one message (`binary`: a binary WebSocket frame). */
  push(data: Buffer, binary: boolean): void;
  /** Runs `cb` once every message queued so far has been handled (at once when none is queued). */
  afterDrain(cb: () => void): void;
  readonly queuedBytes: number;
  readonly paused: boolean;
}

type Handler = (data: Buffer, binary: boolean) => void;

const EMPTY = Buffer.alloc(0);

class SocketInbox implements Inbox {
  private items: Buffer[] = [];
  private binary: boolean[] = [];
  private head = 0;
  private bytes = 0;
  private isPaused = false;
  private drained: (() => void)[] = [];

  constructor(
    private readonly pump: MessagePump,
    private readonly handler: Handler,
    private readonly onError: (err: unknown) => void,
    private readonly flow: Flow | undefined,
    private readonly pauseBytes: number,
  ) {}

  get queuedBytes(): number {
    return this.bytes;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get empty(): boolean {
    return this.head === this.items.length;
  }

  push(data: Buffer, binary: boolean): void {
    this.items.push(data);
    this.binary.push(binary);
    this.bytes += data.length;
    if (!this.isPaused && this.flow && this.bytes > this.pauseBytes) {
      this.isPaused = true;
      this.flow.pause();
    }
    this.pump.wake(this);
  }

  afterDrain(cb: () => void): void {
    if (this.empty) cb();
    else this.drained.push(cb);
  }

  /** Delivers the next message; false when there is none. */
  deliverOne(): boolean {
    if (this.empty) return false;
    const data = this.items[this.head] as Buffer;
    const binary = this.binary[this.head] === true;
    this.items[this.head++] = EMPTY;
    this.bytes -= data.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.binary = this.binary.slice(this.head);
      this.head = 0;
    }
    if (this.isPaused && this.bytes <= this.pauseBytes / 2) {
      this.isPaused = false;
      this.flow?.resume();
    }
    try {
      this.handler(data, binary);
    } catch (err) {
      this.onError(err);
    }
    if (this.empty) {
      this.items = [];
      this.binary = [];
      this.head = 0;
      for (const cb of this.drained.splice(0)) cb();
    }
    return true;
  }
}

export class MessagePump {
  private readonly sliceMs: number;
  private readonly pauseBytes: number;
  private readonly now: () => number;
  /** Inboxes with messages, served round-robin one message at a time. */
  private readonly ready = new Set<SocketInbox>();
  private scheduled = false;
  /** Slices that ran out of time with messages left (each was followed by a yield). */
  yields = 0;

  constructor(o: PumpOptions = {}) {
    this.sliceMs = o.sliceMs ?? 15;
    this.pauseBytes = o.pauseBytes ?? 128 * 1024;
    this.now = o.now ?? (() => performance.now());
  }

  inbox(handler: Handler, onError: (err: unknown) => void, flow?: Flow): Inbox {
    return new SocketInbox(this, handler, onError, flow, this.pauseBytes);
  }

  /** @internal called by an inbox that got a message. */
  wake(inbox: SocketInbox): void {
    this.ready.add(inbox);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const until = this.now() + this.sliceMs;
    while (this.ready.size > 0) {
      for (const inbox of this.ready) {
        if (!inbox.deliverOne() || inbox.empty) this.ready.delete(inbox);
      }
      if (this.ready.size > 0 && this.now() >= until) {
        this.yields++;
        this.scheduled = true;
        setImmediate(() => this.run());
        return;
      }
    }
  }
}

/** The process-wide pump every RTMS socket shares (webhook and worker share one event loop). */
export const sharedPump = new MessagePump();
