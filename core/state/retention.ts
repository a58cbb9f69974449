// How long live state is kept: a meeting's documents expire `endedDays` after it ended
// (RETENTION_LIVE_STATE_DAYS), else `days` after it began (STATE_TTL_DAYS); an ended meeting's events
// may be compacted once Zoom's retries are over.
import type { MeetingState } from './fold.ts';

/** Zoom retries a failed delivery up to about 85 minutes after the event (core/zoom/README.md). */
export const COMPACT_AFTER_MS = 2 * 3_600_000;

export interface StateTtl {
  /** A meeting without an end: days after it began (STATE_TTL_DAYS). */
  days: number;
  /** An ended meeting, and a person who left: days after that (RETENTION_LIVE_STATE_DAYS). */
  endedDays: number;
}

export const DAY_MS = 86_400_000;

export function stateTtlOf(config: { STATE_TTL_DAYS: number; RETENTION_LIVE_STATE_DAYS: number }): StateTtl {
  return { days: config.STATE_TTL_DAYS, endedDays: config.RETENTION_LIVE_STATE_DAYS };
}

/** When a meeting's documents may be deleted: `endedDays` after it ended, else `days` after it began. */
export function expiryOf(m: MeetingState, lastEventAt: number, ttl: StateTtl): number {
  if (m.status === 'ended' && m.endedAt !== undefined) return m.endedAt + ttl.endedDays * DAY_MS;
  return (m.startedAt ?? lastEventAt) + ttl.days * DAY_MS;
}

/** An ended meeting whose retry window has passed: its events can be dropped, its folded state kept. */
export function isCompactable(m: MeetingState, now: number): boolean {
  return m.status === 'ended' && m.endedAt !== undefined && now - m.endedAt >= COMPACT_AFTER_MS;
}
