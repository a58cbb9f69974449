// The reconnect timer of one RTMS stream: counts attempts since the connection was lost and
// schedules the next try after the backoff decisions.ts chooses, until Zoom's window is over.
import type { Clock, TimerHandle } from './clock.ts';
import { onConnectionLost, type LostAction } from './decisions.ts';

export class ReconnectTimer {
  private attempt = 0;
  private lostSince: number | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /**
   * A connection broke: 'pending' when a retry is already scheduled; otherwise the decision, and
   * on 'retry' `run` is scheduled after its delay.
   */
  schedule(run: () => void): LostAction | 'pending' {
    const now = this.clock.now();
    this.lostSince ??= now;
    if (this.timer) return 'pending';
    const action = onConnectionLost(this.attempt, this.lostSince, now, this.windowMs);
    if (action.kind === 'give-up') return action;
    this.attempt = action.attempt;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      run();
    }, action.delayMs);
    return action;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Streaming again: the next loss starts from the first attempt and a fresh window. */
  recovered(): void {
    this.attempt = 0;
    this.lostSince = undefined;
  }

  /** A failover: retry at the shortest delay, within the window already running. */
  restartAttempts(): void {
    this.attempt = 0;
  }

  cancel(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
