// One simulated RTMS stream: its media timeline (audio 20 ms, H.264 at fps, transcripts, events),
// which sockets are attached, and the knobs and commands that make it drop, gap or misbehave.
import type WebSocket from 'ws';
import type { TestMedia } from './media.ts';

export interface SimUser {
  userId: number;
  userName: string;
}

export interface SimStreamOptions {
  meetingUuid: string;
  streamId: string;
  /** Media to play (looped); without it, tiny synthetic payloads are sent (protocol tests, benchmarks of the socket path). */
  media?: TestMedia;
  /** Length of the stream's media timeline; the stream stops itself (reason 6, meeting ended) at its end. Default: until stopped. */
  durationMs?: number;
  /** Timeline speed: 1 = real time, 4 = four times faster. */
  speed?: number;
  users?: SimUser[];
  /** Timeline ranges without audio (muted) or video (camera off); stream-relative ms. */
  gaps?: { kind: 'audio' | 'video'; fromMs: number; toMs: number }[];
  /** Scheduled events (stream-relative ms): video on/off, joins, leaves, active speaker. */
  events?: { atMs: number; eventType: number; userIds: number[] }[];
  /** A transcript line every this many ms (default 2000; 0 for none). */
  transcriptEveryMs?: number;
  /** Start the video mid-GOP: the first frames have no SPS/PPS/IDR. */
  videoStartFrame?: number;
  /** Send every frame as a binary WebSocket frame. */
  binaryFrames?: boolean;
  /** Answer the first N signaling handshakes with status 8 DUPLICATE_SIGNAL_REQUEST. */
  duplicateSignal?: number;
  /** Answer every signaling (or media) handshake with this status code. */
  signalingStatus?: number;
  mediaStatus?: number;
  /** A broken server: answer every signaling (or media) handshake with garbage, or not at all. */
  signalingReply?: 'garbage' | 'silent';
  mediaReply?: 'garbage' | 'silent';
  /** Offer this URL for media in msg 2 instead of the simulator's own (e.g. a host off the allow list). */
  mediaUrl?: string;
  /** Extra latency before each media frame is sent. */
  delayMs?: number;
  /** How long the stream waits for a reconnection after an interruption before it ends (reason 19). */
  reconnectWindowMs?: number;
}

export interface SimStats {
  signalingHandshakes: number;
  mediaHandshakes: number;
  refused: number[];
  readyAcks: number;
  subscriptions: number[][];
  keepAlivesSent: number;
  keepAlivesAnswered: number;
  keepAliveTimeouts: number;
  sent: { audio: number; video: number; transcript: number; events: number };
  audioBuffered: number;
  videoLostWhileDown: number;
  closeRequests: number;
}

export interface Link {
  ws: WebSocket;
  lastSent: number;
  pendingKeepAlives: number;
}

export const DEFAULT_USERS: SimUser[] = [
  { userId: 16778240, userName: 'Ann Example' },
  { userId: 33556610, userName: 'Bob Example' },
];

export class SimStream {
  readonly options: Required<
    Pick<
      SimStreamOptions,
      'speed' | 'users' | 'gaps' | 'events' | 'transcriptEveryMs' | 'videoStartFrame' | 'reconnectWindowMs'
    >
  > &
    SimStreamOptions;
  readonly stats: SimStats = {
    signalingHandshakes: 0,
    mediaHandshakes: 0,
    refused: [],
    readyAcks: 0,
    subscriptions: [],
    keepAlivesSent: 0,
    keepAlivesAnswered: 0,
    keepAliveTimeouts: 0,
    sent: { audio: 0, video: 0, transcript: 0, events: 0 },
    audioBuffered: 0,
    videoLostWhileDown: 0,
    closeRequests: 0,
  };
  signaling: Link | undefined;
  media: Link | undefined;
  /** Path a signaling connection must use (changes on failover). */
  signalingPath: string;
  /** Wall-clock start of the media timeline, and Zoom-epoch t0 of the timestamps. */
  startedAt: number | undefined;
  t0 = 0;
  nextAudio = 0;
  nextVideo = 0;
  nextTranscript = 0;
  nextEvent = 0;
  silent = false;
  stopReason: number | undefined;
  lostAt: number | undefined;
  readonly ended: Promise<number>;
  resolveEnded!: (reason: number) => void;
  readonly ready: Promise<void>;
  resolveReady!: () => void;
  readonly b64 = { audio: [] as string[], video: [] as string[] };

  constructor(opts: SimStreamOptions, signalingPath: string) {
    this.options = {
      speed: 1,
      users: DEFAULT_USERS,
      gaps: [],
      events: [],
      transcriptEveryMs: 2_000,
      videoStartFrame: 0,
      reconnectWindowMs: 60_000,
      ...opts,
    };
    this.options.events.sort((a, b) => a.atMs - b.atMs);
    this.signalingPath = signalingPath;
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.ready = new Promise((r) => (this.resolveReady = r));
    // base64 once per distinct frame: the simulator must not be the bottleneck of a benchmark
    this.b64.audio = (opts.media?.audioFrames ?? [Buffer.alloc(640)]).map((b) => b.toString('base64'));
    this.b64.video = (opts.media?.videoFrames ?? [Buffer.from([0, 0, 0, 1, 0x65, 0x88])]).map((b) =>
      b.toString('base64'),
    );
  }

  get fps(): number {
    return this.options.media?.fps ?? 25;
  }

  get over(): boolean {
    return this.stopReason !== undefined;
  }

  /** Stream-relative timeline position in ms. */
  position(now: number): number {
    return this.startedAt === undefined ? 0 : (now - this.startedAt) * this.options.speed;
  }

  inGap(kind: 'audio' | 'video', atMs: number): boolean {
    return this.options.gaps.some((g) => g.kind === kind && atMs >= g.fromMs && atMs < g.toMs);
  }
}
