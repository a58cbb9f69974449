// Pure decisions of the stream manager: what an RTMS queue message means for this worker, when a
// busy lease is worth a redelivery, and whether the instance has room for another stream.
import type { RtmsQueueMessage } from '../core/zoom/types.ts';

export type Plan =
  | { do: 'ignore'; why: string }
  | { do: 'failover' }
  | { do: 'reconnect' }
  | { do: 'stop' }
  /** Take the lease and capture the stream (new stream, or takeover after a handover or crash). */
  | { do: 'claim' }
  /** The stream ended while nobody held it: take the lease and finish what was parked. */
  | { do: 'finalize' }
  /** Not now (shutting down): answer 503 so Pub/Sub redelivers to another instance. */
  | { do: 'defer'; why: string };

export function planMessage(
  m: RtmsQueueMessage,
  here: { startEventId: string } | undefined,
  stopping: boolean,
): Plan {
  switch (m.kind) {
    case 'started':
      if (here)
        return m.eventId === here.startEventId
          ? { do: 'ignore', why: 'redelivered start of a stream held here' }
          : { do: 'failover' };
      if (stopping) return { do: 'defer', why: 'worker shutting down' };
      if (!m.serverUrls) return { do: 'ignore', why: 'rtms_started without server_urls' };
      return { do: 'claim' };
    case 'interrupted':
      if (here) return { do: 'reconnect' };
      if (stopping) return { do: 'defer', why: 'worker shutting down' };
      if (!m.serverUrls)
        return { do: 'ignore', why: 'interrupted stream not held here and no server_urls to reconnect to' };
      return { do: 'claim' };
    case 'stopped':
      if (here) return { do: 'stop' };
      if (stopping) return { do: 'defer', why: 'worker shutting down' };
      return { do: 'finalize' };
  }
}

/** How long after the event a busy lease may still be a dead owner's (lease TTL + Zoom's reconnect window). */
export const TAKEOVER_WINDOW_MS = 120_000;

/**
 * Another worker holds the lease. A start or interrupt is redelivered (503) while the holder may
 * still be a crashed worker whose lease will expire; after the window it is acknowledged.
 */
export function whenLeaseBusy(
  m: RtmsQueueMessage,
  nowMs: number,
  windowMs = TAKEOVER_WINDOW_MS,
): 'ack' | 'retry' {
  if (m.kind === 'stopped') return 'ack';
  return nowMs - m.eventTs < windowMs ? 'retry' : 'ack';
}

export interface Load {
  active: number;
  maxStreams: number;
  /** p99 event-loop delay over the last few seconds. */
  loopDelayMs: number;
  /** Some capture's disk backlog is over its soft limit. */
  diskBacklog: boolean;
  freeBytes: number | undefined;
}

export const MAX_LOOP_DELAY_MS = 500;
export const MIN_FREE_BYTES = 512 * 1024 * 1024;

/** Back-pressure: refuse new streams (not running ones) when CPU, disk or the stream cap is saturated. */
export function judgeCapacity(l: Load): { ok: true } | { ok: false; why: string } {
  if (l.active >= l.maxStreams) return { ok: false, why: `at RTMS_MAX_STREAMS (${l.maxStreams})` };
  if (l.loopDelayMs > MAX_LOOP_DELAY_MS)
    return { ok: false, why: `CPU saturated (event loop delay ${Math.round(l.loopDelayMs)} ms)` };
  if (l.diskBacklog) return { ok: false, why: 'disk saturated (capture backlog over its limit)' };
  if (l.freeBytes !== undefined && l.freeBytes < MIN_FREE_BYTES)
    return { ok: false, why: `disk nearly full (${Math.round(l.freeBytes / 1048576)} MiB free)` };
  return { ok: true };
}
