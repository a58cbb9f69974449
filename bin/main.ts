// The `zoom-tracker` command line (commands and options: README.md): the only place that reads
// process.env and argv and exits. `--help` works for every command without starting anything;
// every failure exits non-zero with a one-line reason, printed after the logs have been flushed.
import { parseConfig } from '../core/config.ts';
import { createLogger, logFormatOf, type Logger } from '../core/log.ts';
import type { Command } from '../core/command.ts';
import { reasonOf } from './reason.ts';
import { serve } from './serve.ts';

class UsageError extends Error {
  override name = 'UsageError';
}

function noOptions(name: string): (argv: readonly string[]) => string[] {
  return (argv) => {
    if (argv.length > 0)
      throw new UsageError(`${name} takes no options, got "${argv[0]}" (see ${name} --help)`);
    return [];
  };
}

const SERVICE_ENV =
  'Settings come from the environment (README.md, "Configuration"): PORT, HOST, DATA_DIR, BACKEND, …';

const builtins: Command[] = [
  {
    name: 'serve',
    usage: 'serve                      webhook service (+ rtms-worker in-process on the embedded default)',
    help: [
      'usage: zoom-tracker serve',
      '',
      'Starts the webhook service (POST /webhook, GET /health, the live-state API and the dashboard).',
      'On the embedded default (BACKEND=local) it also runs the rtms-worker in-process, keeps its files',
      'under DATA_DIR, runs the daily jobs on BACKFILL_SCHEDULE, REPORT_SCHEDULE and EXPORT_SCHEDULE',
      '(catching up days missed while it was stopped), and runs the jobs other zoom-tracker commands',
      'hand it for the same DATA_DIR. One serve per DATA_DIR. Stops on SIGTERM or Ctrl-C.',
      '',
      'options:',
      '  -h, --help        this help',
      '',
      SERVICE_ENV,
    ].join('\n'),
    check: noOptions('serve'),
    run: (_a, ctx) => serve(ctx, { webhook: true, worker: ctx.config.BACKEND === 'local' }),
  },
  {
    name: 'worker',
    usage: 'worker                     rtms-worker service alone (Pub/Sub push endpoint)',
    help: [
      'usage: zoom-tracker worker',
      '',
      'Starts the rtms-worker alone: POST /pubsub/push takes RTMS start/stop messages, connects to',
      "Zoom's RTMS servers, captures and muxes the streams and uploads the recordings. Stops on",
      'SIGTERM (handing live streams over) or Ctrl-C.',
      '',
      'options:',
      '  -h, --help        this help',
      '',
      SERVICE_ENV,
    ].join('\n'),
    check: noOptions('worker'),
    run: (_a, ctx) => serve(ctx, { webhook: false, worker: true }),
  },
];

async function loadCommands(): Promise<Command[]> {
  const commands = [...builtins];
  const optional: [string, string, boolean][] = [
    ['../jobs/commands.ts', 'jobCommands', true],
    ['../demo/commands.ts', 'demoCommands', false],
  ];
  for (const [path, name, job] of optional) {
    try {
      const mod = (await import(path)) as Record<string, Command[] | undefined>;
      commands.push(...(mod[name] ?? []).map((c) => ({ ...c, job })));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return commands;
}

function usage(commands: Command[]): string {
  return [
    'usage: zoom-tracker <command> [options]',
    '       (through npm: npm exec zoom-tracker -- <command> [options], or npx zoom-tracker -- …)',
    '',
    ...commands.map((c) => `  ${c.usage}`),
    "  help [command]             this list, or a command's options",
    '',
    'zoom-tracker <command> --help shows what a command does and its options.',
    'Configuration comes from the environment (README.md, "Configuration").',
  ].join('\n');
}

const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

let logger: Logger | undefined;

async function main(input: string[]): Promise<number> {
  // `npx zoom-tracker -- --help` passes the `--` through; it separates nothing here.
  const argv = input[0] === '--' ? input.slice(1) : input;
  const commands = await loadCommands();
  const find = (name: string): Command => {
    const c = commands.find((x) => x.name === name);
    if (!c)
      throw new UsageError(`unknown command "${name}" (commands: ${commands.map((x) => x.name).join(', ')})`);
    return c;
  };
  const [name, ...rest] = argv;
  if (!name) {
    console.error(usage(commands));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    console.log(topic ? (find(topic).help ?? find(topic).usage) : usage(commands));
    return 0;
  }
  const command = find(name);
  if (wantsHelp(rest)) {
    console.log(command.help ?? `usage: zoom-tracker ${command.usage}`);
    return 0;
  }
  const args = command.check ? command.check(rest, process.cwd()) : rest;
  const config = parseConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, format: logFormatOf(config), name: command.name });
  logger = log;
  if (command.job && config.BACKEND === 'local') {
    const [{ findRunningServe, runInServe }, { createProgress }] = await Promise.all([
      import('./remote-job.ts'),
      import('../jobs/progress.ts'),
    ]);
    const running = await findRunningServe(config.DATA_DIR, log);
    if (running) {
      await runInServe(running, command.name, args, { log, progress: createProgress() });
      return 0;
    }
  }
  await command.run(args, { config, log, env: process.env });
  return 0;
}

/** Waits until the logger has written everything (the pretty logger writes from a worker thread). */
async function flushLogs(): Promise<void> {
  const log = logger;
  if (!log) return;
  await Promise.race([
    new Promise<void>((resolve) => log.flush(() => resolve())),
    new Promise<void>((resolve) => setTimeout(resolve, 1000).unref()),
  ]);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  async (err: unknown) => {
    await flushLogs();
    console.error(`zoom-tracker: ${reasonOf(err)}`);
    process.exitCode = ['UsageError', 'InvalidDateError'].includes((err as Error).name) ? 2 : 1;
  },
);
