// Options of the job commands: `--date D`, `--roster FILE`, `--out FILE`, `--force`, checked before
// anything starts, and the days a run covers (one --date, else the scheduled pair yesterday + today).
import { isAbsolute, resolve } from 'node:path';
import { addDays, defaultReportDate, localDate, parseDate } from '../core/warehouse/day-window.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface JobArgs {
  date?: string;
  roster?: string;
  out?: string;
  force?: boolean;
}

export type JobOption = keyof JobArgs;

/** `--date D`, `--date=D`, `--roster FILE`, `--out FILE`, `--force`; anything else is a usage error. */
export function parseJobArgs(argv: readonly string[], allowed: readonly JobOption[]): JobArgs {
  const args: JobArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1] as JobOption | undefined;
    if (!m || !name || !allowed.includes(name)) {
      const known = allowed.length > 0 ? allowed.map((a) => `--${a}`).join(', ') : 'none';
      throw new UsageError(`unknown option "${arg}" (options: ${known})`);
    }
    if (name === 'force') {
      args.force = true;
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    args[name] = value;
  }
  if (args.date !== undefined) args.date = parseDate(args.date);
  return args;
}

/**
 * Validates argv and returns it with file paths made absolute, so the same argv means the same
 * thing in a running `serve` (another working directory) as here.
 */
export function normalizeJobArgv(
  argv: readonly string[],
  allowed: readonly JobOption[],
  cwd: string,
): string[] {
  const args = parseJobArgs(argv, allowed);
  const out: string[] = [];
  if (args.date !== undefined) out.push('--date', args.date);
  for (const key of ['roster', 'out'] as const) {
    const path = args[key];
    if (path !== undefined) out.push(`--${key}`, isAbsolute(path) ? path : resolve(cwd, path));
  }
  if (args.force) out.push('--force');
  return out;
}

/** The days a scheduled run covers: the day it fires in (in `timeZone`), after the previous day again. */
export function scheduledDays(nowMs: number, timeZone: string): [string, string] {
  const today = localDate(nowMs, timeZone);
  return [addDays(today, -1), today];
}

/** `--date D`, else the scheduled pair (report, export, backfill-camera). */
export function runDays(args: JobArgs, nowMs: number, timeZone: string): string[] {
  return args.date !== undefined ? [args.date] : scheduledDays(nowMs, timeZone);
}

/** `--date D`, else yesterday (replay, attendance: one finished day). */
export function oneDay(args: JobArgs, nowMs: number, timeZone: string): string {
  return args.date ?? defaultReportDate(nowMs, timeZone);
}
