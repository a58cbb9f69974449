// A clock a test moves by hand: sleepers wake when the time passes their deadline.
import type { Clock } from '../../jobs/scheduler/clock.ts';

export interface FakeClock extends Clock {
  /** Moves the time forward to `ms` and wakes every sleeper whose deadline has passed. */
  set(ms: number): void;
}

export function createFakeClock(startMs: number): FakeClock {
  let now = startMs;
  let sleepers: { at: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const sleeper = { at: now + ms, wake: resolve };
        sleepers.push(sleeper);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
    set(ms) {
      if (ms < now) throw new Error('a fake clock only moves forward');
      now = ms;
      const due = sleepers.filter((s) => s.at <= now);
      sleepers = sleepers.filter((s) => s.at > now);
      for (const s of due) s.wake();
    },
  };
}
