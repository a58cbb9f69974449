// The demo's clock: meeting time runs `speed` times faster than real time from the moment it is
// created, until relax() (then it goes on at real speed, without jumping back).

export interface DemoClock {
  readonly speed: number;
  /** Meeting time now (ms since the epoch). */
  now(): number;
  /** Resolves when meeting time reaches `at`. */
  until(at: number): Promise<void>;
  relax(): void;
}

export function createDemoClock(speed: number, real: () => number = Date.now): DemoClock {
  let anchorReal = real();
  let anchorVirtual = anchorReal;
  let rate = speed;
  const now = (): number => Math.round(anchorVirtual + (real() - anchorReal) * rate);
  return {
    speed,
    now,
    async until(at) {
      for (;;) {
        const left = at - now();
        if (left <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(left / rate))));
      }
    },
    relax() {
      anchorVirtual = now();
      anchorReal = real();
      rate = 1;
    },
  };
}
