// The reconnect timer on an injected clock: the backoff it schedules, the window it gives up at,
// and what a recovery and a failover reset.
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from './clock.ts';
import { ReconnectTimer } from './reconnect-timer.ts';

/** A hand-driven clock: timers run only when `advance` passes their time. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void; scheduled: number[] } {
  let now = start;
  const timers = new Map<TimerHandle, { at: number; run: () => void }>();
  const scheduled: number[] = [];
  return {
    scheduled,
    now: () => now,
    setTimeout(run, ms) {
      const handle: TimerHandle = {};
      timers.set(handle, { at: now + ms, run });
      scheduled.push(ms);
      return handle;
    },
    clearTimeout: (t) => void (t && timers.delete(t)),
    setInterval: () => ({}),
    clearInterval: () => undefined,
    advance(ms) {
      now += ms;
      for (const [handle, t] of [...timers])
        if (t.at <= now) {
          timers.delete(handle);
          t.run();
        }
    },
  };
}

describe('ReconnectTimer', () => {
  it('backs off 3, 6, 12, 24, 30 s within the 90 s window, then gives up naming the time without a connection', () => {
    const clock = manualClock();
    const timer = new ReconnectTimer(clock, 90_000);
    let runs = 0;
    const verdicts = [];
    for (;;) {
      const v = timer.schedule(() => runs++);
      verdicts.push(v);
      if (v === 'pending' || v.kind === 'give-up') break;
      clock.advance(v.delayMs);
    }
    expect(clock.scheduled).toEqual([3_000, 6_000, 12_000, 24_000, 30_000]);
    expect(runs).toBe(5);
    // 75 s lost: the next 30 s would end past the 90 s window.
    expect(verdicts.at(-1)).toEqual({ kind: 'give-up', why: 'no working connection for 75 s (window 90 s)' });
  });

  it('answers pending while a retry is scheduled, and schedules nothing more', () => {
    const clock = manualClock();
    const timer = new ReconnectTimer(clock, 90_000);
    expect(timer.schedule(() => undefined)).toEqual({ kind: 'retry', delayMs: 3_000, attempt: 1 });
    expect(timer.schedule(() => undefined)).toBe('pending');
    expect(timer.pending).toBe(true);
    expect(clock.scheduled).toEqual([3_000]);
  });

  it('after recovered() the next loss starts again at 3 s with a fresh window; restartAttempts() keeps the window', () => {
    const clock = manualClock();
    const timer = new ReconnectTimer(clock, 10_000);
    timer.schedule(() => undefined);
    clock.advance(3_000);
    timer.schedule(() => undefined); // 6 s: ends at 9 s, inside the 10 s window
    clock.advance(6_000);
    timer.recovered();
    expect(timer.schedule(() => undefined)).toEqual({ kind: 'retry', delayMs: 3_000, attempt: 1 });
    clock.advance(3_000);
    timer.restartAttempts();
    // attempt 0 again (3 s), but the window still counts from the loss 3 s ago: 3 + 3 ≤ 10.
    expect(timer.schedule(() => undefined)).toEqual({ kind: 'retry', delayMs: 3_000, attempt: 1 });
    clock.advance(3_000);
    timer.restartAttempts();
    clock.advance(2_000);
    // 8 s lost + 3 s > 10 s: the window was not reset by restartAttempts.
    expect(timer.schedule(() => undefined)).toEqual({
      kind: 'give-up',
      why: 'no working connection for 8 s (window 10 s)',
    });
  });

  it('cancel() drops the scheduled retry: it never runs', () => {
    const clock = manualClock();
    const timer = new ReconnectTimer(clock, 90_000);
    let runs = 0;
    timer.schedule(() => runs++);
    timer.cancel();
    clock.advance(60_000);
    expect(runs).toBe(0);
    expect(timer.pending).toBe(false);
  });
});
