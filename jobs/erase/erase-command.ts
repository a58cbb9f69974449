// `zoom-tracker erase`: a person's personal data replaced by pseudonyms in every store (README,
// "Personal data"). On the embedded default a running `serve` runs it (its live state included); on
// Google Cloud it is the `erase` Cloud Run job, which waits out BigQuery's streaming buffer.
import { jobMediaStore } from '../../core/adapters/create-backends.ts';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import type { Selector } from '../../core/privacy/erasure-target.ts';
import { resolveErasureSecret } from '../../core/privacy/erasure-secret.ts';
import { createPseudonyms } from '../../core/privacy/pseudonym.ts';
import { addDays, parseDate, startOfDay } from '../../core/warehouse/day-window.ts';
import { openJobBackends } from '../job-backends.ts';
import { UsageError } from '../job-args.ts';
import type { JobCommand, JobContext } from '../job-command.ts';
import { runErase, type EraseRequest } from './run-erase.ts';
import type { BufferRetry } from './warehouse-erasure.ts';

const HELP = `usage: zoom-tracker erase (--email E | --user-id ID | --name N | --key K)
                          [--meeting UUID] [--from D] [--to D] [--dry-run] [--delete-recordings]
                          [--wait-minutes N]

Replaces one person's personal data by stable pseudonyms (a keyed hash with ERASURE_SECRET) in every
store: the raw archive (rewritten at the same keys), QoS pages, quarantine (bodies naming them are
deleted), the warehouse (raw_events, camera_minutes, daily_reports, attendance, recordings, roster),
exported CSVs, live state, and recordings (their transcript lines and manifest entries). Everyone
else's rows stay as they were. Writes a receipt without personal data to erasures/ and the log.
Running it again finds nothing and changes no data (it writes its receipt).

The person: every connection in a meeting that shares a person key (account user id, else e-mail,
else display name) with the events the selector finds.

options:
  --email E            events carrying this e-mail (case-insensitive)
  --user-id ID         events carrying this Zoom account user id
  --name N             events carrying this display name (compared as the report compares names;
                       everyone of that name: narrow with --meeting, check with --dry-run)
  --key K              a participant_key of the daily report (account user id, e-mail or name)
  --meeting UUID       only this meeting instance
  --from D, --to D     only meetings with such an event between these days (YYYY-MM-DD in
                       REPORT_TIMEZONE, inclusive)
  --dry-run            change nothing: count what would change, per store
  --delete-recordings  also delete whole recordings (audio, video, transcripts) of meetings the
                       person spoke or appeared in; by default they are kept, with the person's
                       transcript lines and manifest entries redacted, and counted in the receipt
  --wait-minutes N     BigQuery: how long to wait for rows still in the streaming buffer (default 90)
  -h, --help           this help

On the embedded default a running \`zoom-tracker serve\` on the same DATA_DIR runs the job itself
(this command hands it over); otherwise it runs here.`;

export interface EraseArgs extends Omit<EraseRequest, 'from' | 'to'> {
  fromDay?: string;
  toDay?: string;
  waitMinutes: number;
}

const SELECTORS: Record<string, Selector['by']> = {
  '--email': 'email',
  '--user-id': 'user-id',
  '--name': 'name',
  '--key': 'key',
};
const VALUED = new Set([...Object.keys(SELECTORS), '--meeting', '--from', '--to', '--wait-minutes']);
const FLAGS = new Set(['--dry-run', '--delete-recordings']);

export function parseEraseArgs(argv: readonly string[]): EraseArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (name && FLAGS.has(name) && m?.[2] === undefined) {
      flags.add(name);
      continue;
    }
    if (!name || !VALUED.has(name))
      throw new UsageError(
        `unknown option "${arg}" (options: --email, --user-id, --name, --key, --meeting, --from, --to, --dry-run, --delete-recordings, --wait-minutes)`,
      );
    const value = m?.[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--') || value.trim() === '')
      throw new UsageError(`${name} needs a value`);
    if (values.has(name)) throw new UsageError(`${name} given twice`);
    values.set(name, value);
  }
  const chosen = Object.keys(SELECTORS).filter((k) => values.has(k));
  if (chosen.length !== 1)
    throw new UsageError('name the person with exactly one of --email, --user-id, --name, --key');
  const by = chosen[0] as string;
  const fromDay = values.has('--from') ? parseDate(values.get('--from') as string) : undefined;
  const toDay = values.has('--to') ? parseDate(values.get('--to') as string) : undefined;
  if (fromDay && toDay && fromDay > toDay) throw new UsageError(`--from ${fromDay} is after --to ${toDay}`);
  const wait = values.get('--wait-minutes') ?? '90';
  if (!/^\d+$/.test(wait)) throw new UsageError('--wait-minutes needs a whole number of minutes');
  const meeting = values.get('--meeting');
  return {
    selector: { by: SELECTORS[by] as Selector['by'], value: values.get(by) as string },
    ...(meeting !== undefined && { meeting }),
    ...(fromDay !== undefined && { fromDay }),
    ...(toDay !== undefined && { toDay }),
    dryRun: flags.has('--dry-run'),
    deleteRecordings: flags.has('--delete-recordings'),
    waitMinutes: Number(wait),
  };
}

/** The UTC dates covering local days [from, to] in `timeZone`. */
export function utcRange(a: EraseArgs, timeZone: string): { from?: string; to?: string } {
  const utc = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  return {
    ...(a.fromDay && { from: utc(startOfDay(a.fromDay, timeZone)) }),
    ...(a.toDay && { to: utc(startOfDay(addDays(a.toDay, 1), timeZone) - 1) }),
  };
}

async function bufferRetry(
  config: Config,
  log: Logger,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
  minutes: number,
): Promise<BufferRetry | undefined> {
  if (config.BACKEND !== 'gcp') return undefined;
  const { retryWhileStreamingBuffer } = await import('../../core/adapters/gcp/streaming-buffer.ts');
  return (work) =>
    retryWhileStreamingBuffer(work, {
      waitMs: 5 * 60_000,
      deadlineMs: minutes * 60_000, // from the first refusal
      now,
      sleep,
      log,
    });
}

async function liveStateOf(ctx: JobContext): Promise<{ live?: LiveState; close?: () => Promise<void> }> {
  if (ctx.liveState) return { live: ctx.liveState };
  if (ctx.config.BACKEND !== 'gcp') return {}; // no serve: the in-process state is rebuilt from the archive at start
  const { createFirestoreLiveState } = await import('../../core/adapters/gcp/firestore-live-state.ts');
  const live = createFirestoreLiveState(ctx.config, ctx.log, {
    now: ctx.now ?? Date.now,
    lateAfterMins: ctx.config.ATTENDANCE_LATE_AFTER_MINS,
  });
  return { live, close: () => live.close() };
}

/** What the command waits with between BigQuery's streaming-buffer refusals (tests pass a fake). */
export interface EraseCommandDeps {
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createEraseCommand(deps: EraseCommandDeps = {}): JobCommand {
  return {
    name: 'erase',
    usage:
      "erase --email E|--user-id ID|--name N|--key K   a person's data replaced by pseudonyms everywhere",
    help: HELP,
    options: [],
    check(argv) {
      parseEraseArgs(argv);
      return [...argv];
    },
    async run(argv, ctx) {
      const args = parseEraseArgs(argv);
      const { config, log } = ctx;
      const now = ctx.now ?? Date.now;
      const pseudonyms = createPseudonyms(await resolveErasureSecret(config));
      const backends = await (ctx.backends ?? (() => openJobBackends(config, log)))();
      const { live, close } = await liveStateOf(ctx);
      const media = await jobMediaStore(config, log);
      const retry = await bufferRetry(config, log, now, deps.sleep ?? realSleep, args.waitMinutes);
      try {
        const { fromDay: _f, toDay: _t, waitMinutes: _w, ...request } = args;
        const receipt = await runErase(
          {
            engine: backends.engine,
            archive: backends.archive,
            pseudonyms,
            log,
            now,
            ...(backends.dataset !== undefined && { dataset: backends.dataset }),
            ...(live && { liveState: live }),
            ...(media && { media }),
            ...(retry && { retry }),
          },
          { ...request, ...utcRange(args, config.REPORT_TIMEZONE) },
        );
        if (!receipt.complete)
          throw new Error(`erasure incomplete (${receipt.pending.join('; ')}); run the same erase again`);
      } finally {
        await backends.engine.close();
        await close?.();
      }
    },
  };
}

export const eraseCommand: JobCommand = createEraseCommand();
