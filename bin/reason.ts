// The one-line reason the CLI prints for a failure (a configuration error lists every problem).
import { ConfigError } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';

export function reasonOf(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.problems.join('; ')}`;
  return errorMessage(err).split('\n')[0] || 'failed';
}
