// How long live state is kept: a meeting's documents expire a day after it ended, else `ttlDays`
// after it began; an ended meeting's events may be compacted once Zoom's retries are over.
import type { MeetingState } from './fold.ts';

/** Zoom retries a failed delivery up to about 85 minutes after the event (core/zoom/README.md). */
export const COMPACT_AFTER_MS = 2 * 3_600_000;

/** When a meeting's documents may be deleted: a day after it ended, else `ttlDays` after it began. */
export function expiryOf(m: MeetingState, lastEventAt: number, ttlDays: number): number {
  const day = 86_400_000;
  if (m.status === 'ended' && m.endedAt !== undefined) return m.endedAt + day;
  return (m.startedAt ?? lastEventAt) + ttlDays * day;
}

/** An ended meeting whose retry window has passed: its events can be dropped, its folded state kept. */
export function isCompactable(m: MeetingState, now: number): boolean {
  return m.status === 'ended' && m.endedAt !== undefined && now - m.endedAt >= COMPACT_AFTER_MS;
}
