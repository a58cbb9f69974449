// The contract of a `zoom-tracker` subcommand (bin/main.ts runs them): what it is called, what its
// help says, how it checks its options and runs. Apps export lists of these; bin/ loads them.
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

export interface CommandContext {
  config: Config;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Command<Ctx extends CommandContext = CommandContext> {
  name: string;
  /** One line of the command list. */
  usage: string;
  /** What `zoom-tracker <command> --help` prints. */
  help?: string;
  /** Checks the options before anything starts; returns them normalised (file paths absolute). */
  check?(argv: readonly string[], cwd: string): string[];
  /** A batch job: on the embedded default a running `serve` on the same DATA_DIR runs it. */
  job?: boolean;
  run(argv: string[], ctx: Ctx): Promise<void>;
}
