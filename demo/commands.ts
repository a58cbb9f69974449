// `zoom-tracker demo [--data-dir DIR] [--port N] [--speed X] [--exit]`: the offline demo as a CLI
// command (loaded by bin/main.ts). Prints where everything is, then serves the dashboard until Ctrl-C.
import type { Command, CommandContext } from '../core/command.ts';
import { createLogger, logFormatOf } from '../core/log.ts';
import { runDemo } from './run-demo.ts';

export interface DemoArgs {
  dataDir?: string;
  port?: number;
  speed: number;
  exit: boolean;
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { speed: 24, exit: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--exit') args.exit = true;
    else if (flag === '--data-dir') args.dataDir = value();
    else if (flag === '--port')
      args.port = toNumber(flag, value(), (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
    else if (flag === '--speed') args.speed = toNumber(flag, value(), (n) => n >= 1 && n <= 120);
    else
      throw new Error(
        `unknown option "${arg}" (options: --data-dir DIR, --port N, --speed X (1-120), --exit)`,
      );
  }
  return args;
}

function toNumber(flag: string, text: string, ok: (n: number) => boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${flag}: bad value "${text}"`);
  return n;
}

export const demoCommands: Command[] = [
  {
    name: 'demo',
    usage:
      'demo [--data-dir DIR] [--port N] [--speed X] [--exit]   a simulated meeting end to end, offline (about a minute)',
    help: [
      'usage: zoom-tracker demo [--data-dir DIR] [--port N] [--speed X] [--exit]',
      '',
      'Plays a simulated 18-minute meeting end to end, offline: signed webhooks and an RTMS stream from',
      'the simulator into the webhook service and the rtms-worker, then report, export and attendance;',
      'prints where every file is and serves the dashboard until Ctrl-C.',
      '',
      'options:',
      '  --data-dir DIR    where to write (default: a new folder under the system temp dir, printed',
      '                    first; DATA_DIR is not used, so the demo never mixes with real data)',
      '  --port N          dashboard port (default: PORT, 8080; another free port if taken, and says so)',
      '  --speed X         meeting minutes per real minute, 1-120 (default 24)',
      '  --exit            stop when done instead of serving the dashboard',
      '  -h, --help        this help',
    ].join('\n'),
    check: (argv: readonly string[]): string[] => (parseDemoArgs(argv), [...argv]),
    async run(argv: string[], ctx: CommandContext): Promise<void> {
      const args = parseDemoArgs(argv);
      // Quiet unless asked: the demo prints its own progress lines.
      const level = ctx.env['LOG_LEVEL'] ? ctx.config.LOG_LEVEL : 'warn';
      const log = createLogger({
        level: level as 'warn',
        // The demo always runs on the embedded default, whatever BACKEND says.
        format: logFormatOf({ LOG_FORMAT: ctx.config.LOG_FORMAT, BACKEND: 'local' }),
        name: 'demo',
      });
      const say = (line: string): void => console.log(line);
      const result = await runDemo({
        ...(args.dataDir !== undefined && { dataDir: args.dataDir }),
        port: args.port ?? ctx.config.PORT,
        speed: args.speed,
        env: ctx.env,
        log,
        say,
      });
      const f = result.files;
      const at = (p: string): string => `${result.dataDir}/${p}`;
      say('');
      say(`raw archive         ${at(`gcs/raw/${result.date}/`)}  (${f.raw} events, exactly as delivered)`);
      say(`warehouse           ${at('warehouse.duckdb')}`);
      say(`daily report CSV    ${at(f.reportCsv)}  (${f.reportRows} rows)`);
      say(`attendance CSV      ${at(f.attendanceCsv)}`);
      say(`recording           ${at(f.recording[0]?.file.replace(/[^/]+$/, '') ?? 's3/')}`);
      for (const r of f.recording)
        say(`                      ${r.file.split('/').pop()} (${(r.bytes / 1024).toFixed(0)} KiB)`);
      say(`live dashboard      ${result.url}/`);
      say(`report view         ${result.url}/reports/${result.date}`);
      if (args.exit) {
        await result.stop();
        return;
      }
      say('');
      say('serving the dashboard; Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await result.stop();
    },
  },
];
