// A counting semaphore for finalizations: many streams may end at once, but only a few ffmpeg
// muxes run together, so the CPU stays available for the captures still running.

export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Finalizations waiting for a slot. */
  waiting(): number;
}

export function createLimiter(slots: number): Limiter {
  let free = Math.max(1, slots);
  const queue: (() => void)[] = [];
  return {
    async run(fn) {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await fn();
      } finally {
        const next = queue.shift();
        if (next) next();
        else free++;
      }
    },
    waiting: () => queue.length,
  };
}
