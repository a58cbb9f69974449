// What an RTMS client is given (its stream, allowed hosts, socket factory, clock, timeouts and the
// handlers it hands frames, events and the stream's end to) and the counters it keeps.
import type { Logger } from '../../core/log.ts';
import type { MediaFrame, TranscriptItem } from '../frames.ts';
import type { MediaOptions, RtmsEvent } from './messages.ts';
import type { SocketFactory } from './socket.ts';
import type { Clock } from './clock.ts';

/** Frames and transcript lines are handed over in the capture's own shapes. */
export type RtmsFrame = MediaFrame;
export type RtmsTranscript = TranscriptItem;
export interface RtmsEnd {
  /** stopped: Zoom ended it; failed: it cannot be captured; handed-over: we let go for another worker. */
  outcome: 'stopped' | 'failed' | 'handed-over';
  stopReason?: number;
  detail: string;
}
export interface RtmsHandlers {
  audio(f: RtmsFrame): void;
  video(f: RtmsFrame): void;
  transcript(t: RtmsTranscript): void;
  event(e: RtmsEvent): void;
  /** Called exactly once; no handler is called after it. */
  ended(end: RtmsEnd): void;
}

export interface RtmsClientOptions {
  meetingUuid: string;
  streamId: string;
  serverUrls: string;
  /** RTMS_ALLOWED_HOSTS: the only hosts signaling and media sockets may be opened to. */
  allowedHosts: readonly string[];
  clientId: string;
  clientSecret: string;
  media: MediaOptions;
  socketFactory: SocketFactory;
  handlers: RtmsHandlers;
  log: Logger;
  /** Time source and timers; the system clock unless a test injects one. */
  clock?: Clock;
  /** Silence on a socket (no message of any kind) after which it is redone (§3.12: 65 s). */
  watchdogMs?: number;
  /**
   * How long a socket may take from being opened to its handshake answer (msg 2 / msg 4), default
   * 10 s: a server answering garbage or nothing is treated as a lost connection (backoff, give-up).
   */
  handshakeTimeoutMs?: number;
  reconnectWindowMs?: number;
  /** How long a graceful close waits for msg 22. */
  closeTimeoutMs?: number;
  /** How long after `rtms_stopped` the sockets may still deliver the last frames. */
  stopGraceMs?: number;
}

/** What one client has counted (`client.stats`; logged with the stream's end). */
export interface RtmsStats {
  audio: number;
  video: number;
  transcript: number;
  events: number;
  keepAlives: number;
  reconnects: number;
  badFrames: number;
  staleFrames: number;
  handshakeTimeouts: number;
}

export const newRtmsStats = (): RtmsStats => ({
  audio: 0,
  video: 0,
  transcript: 0,
  events: 0,
  keepAlives: 0,
  reconnects: 0,
  badFrames: 0,
  staleFrames: 0,
  handshakeTimeouts: 0,
});
