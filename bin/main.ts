// The `zoom-tracker` command line (DESIGN §3): the only place that reads process.env and argv and
// exits. Every command exits non-zero with a one-line reason on failure.
import { ConfigError, parseConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { errorMessage } from '../core/errors.ts';
import { serve } from './serve.ts';

export interface CommandContext {
  config: Config;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
}

interface Command {
  name: string;
  usage: string;
  run(argv: string[], ctx: CommandContext): Promise<void>;
}

const builtins: Command[] = [
  {
    name: 'serve',
    usage: 'serve                      webhook service (+ rtms-worker in-process on the embedded default)',
    run: (_a, ctx) => serve(ctx, { webhook: true, worker: ctx.config.BACKEND === 'local' }),
  },
  {
    name: 'worker',
    usage: 'worker                     rtms-worker service alone (Pub/Sub push endpoint)',
    run: (_a, ctx) => serve(ctx, { webhook: false, worker: true }),
  },
];

async function loadCommands(): Promise<Command[]> {
  const commands = [...builtins];
  const optional: [string, string][] = [
    ['../jobs/commands.ts', 'jobCommands'],
    ['../test/demo/commands.ts', 'demoCommands'],
  ];
  for (const [path, name] of optional) {
    try {
      const mod = (await import(path)) as Record<string, Command[] | undefined>;
      commands.push(...(mod[name] ?? []));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return commands;
}

function usage(commands: Command[]): string {
  return [
    'usage: zoom-tracker <command> [options]',
    '',
    ...commands.map((c) => `  ${c.usage}`),
    '',
    'Configuration comes from the environment (see README).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`zoom-tracker: unknown command "${name}"\n\n${usage(commands)}`);
    return 2;
  }
  const config = parseConfig(process.env);
  const format = config.LOG_FORMAT ?? (config.BACKEND === 'gcp' ? 'json' : 'pretty');
  const log = createLogger({ level: config.LOG_LEVEL, format, name: command.name });
  await command.run(rest, { config, log, env: process.env });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const reason = err instanceof ConfigError ? err.message : errorMessage(err).split('\n')[0];
    console.error(`zoom-tracker: ${reason}`);
    process.exitCode = 1;
  },
);
