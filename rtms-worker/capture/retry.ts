// Retry with exponential backoff for segment writes and uploads; logs each failed attempt.
import type { Logger } from '../../core/log.ts';
import { errorMessage } from '../../core/errors.ts';

export interface RetryPolicy {
  baseMs: number;
  attempts: number;
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryPolicy & { log: Logger; what: string; maxDelayMs?: number },
): Promise<T> {
  let lastErr: unknown;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      lastErr = err;
      if (attempt === opts.attempts) break;
      const delay = Math.min(opts.baseMs * 2 ** (attempt - 1), opts.maxDelayMs ?? 30_000);
      opts.log.warn(
        { attempt, of: opts.attempts, retryInMs: delay, err: errorMessage(err) },
        `${opts.what} failed, retrying`,
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  opts.log.error({ attempts: opts.attempts, err: errorMessage(lastErr) }, `${opts.what} failed for good`);
  throw lastErr;
}
