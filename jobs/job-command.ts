// The contract of a batch job as a `zoom-tracker` subcommand (core/command.ts): its context adds the
// clock, progress display, backends and live state `serve` lends when it runs the job itself.
import type { Command, CommandContext } from '../core/command.ts';
import type { LiveState } from '../core/ports.ts';
import type { JobBackends } from './job-backends.ts';
import type { JobOption } from './job-args.ts';
import type { Progress } from './progress.ts';

export interface JobContext extends CommandContext {
  /** The clock the default days are taken from (default Date.now). */
  now?: () => number;
  /** Progress display (default: a bar on a terminal's stderr; `serve` streams it to the CLI). */
  progress?: () => Progress;
  /** Adapters to run on (default: opened from config; `serve` lends its own DuckDB instance). */
  backends?: () => Promise<JobBackends>;
  /** The in-process live state, when `serve` runs the job (retention drops what expired). */
  liveState?: LiveState;
}

export interface JobCommand extends Command<JobContext> {
  help: string;
  options: readonly JobOption[];
  check(argv: readonly string[], cwd: string): string[];
}
