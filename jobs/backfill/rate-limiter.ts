// Client-side limits for Zoom's Heavy calls (jobs/backfill/README.md): requests spaced to a rate, a shared
// pause after a 429 (Retry-After), and a daily budget of calls. Clock and sleep are injected.

export class BudgetExhaustedError extends Error {
  override name = 'BudgetExhaustedError';
}

export interface RateLimiter {
  /** Waits for a slot; throws BudgetExhaustedError when the day's budget is used. */
  acquire(): Promise<void>;
  /** Nobody calls before `untilMs` (after a 429). */
  pauseUntil(untilMs: number): void;
  used(): number;
}

export interface RateLimiterOptions {
  perSecond: number;
  budget: number;
  /** Calls already spent today (by earlier runs). */
  alreadyUsed?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const spacing = 1000 / opts.perSecond;
  let used = opts.alreadyUsed ?? 0;
  let nextSlot = 0;
  let pausedUntil = 0;
  return {
    async acquire() {
      if (used >= opts.budget)
        throw new BudgetExhaustedError(
          `daily budget of ${opts.budget} Heavy Zoom API calls used (ZOOM_DAILY_HEAVY_BUDGET); rerun tomorrow to resume`,
        );
      used++;
      const slot = Math.max(now(), nextSlot, pausedUntil);
      nextSlot = slot + spacing;
      const wait = slot - now();
      if (wait > 0) await sleep(wait);
    },
    pauseUntil(untilMs) {
      pausedUntil = Math.max(pausedUntil, untilMs);
    },
    used: () => used,
  };
}

/** Retry-After as seconds or an HTTP date → ms to wait (at least 1 s when absent or unreadable). */
export function retryAfterMs(header: string | null, nowMs: number): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : 1000;
}
