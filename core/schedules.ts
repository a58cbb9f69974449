// The daily jobs' schedules: setting names and defaults, one place for the config schema (the
// running `serve` on the embedded default) and the Terraform stack (Cloud Scheduler in production).
import { CronError, parseCron } from './cron.ts';

export const SCHEDULE_DEFAULTS = {
  BACKFILL_SCHEDULE: '30 22 * * *',
  REPORT_SCHEDULE: '0 23 * * *',
  EXPORT_SCHEDULE: '30 23 * * *',
  /** `serve` only: in production the platform's own rules enforce retention (README, "Personal data"). */
  RETENTION_SCHEDULE: '15 3 * * *',
} as const;

export type ScheduleSetting = keyof typeof SCHEDULE_DEFAULTS;

/** The scheduled jobs in the order one day's runs go: camera data, the report, its CSV, then retention. */
export const SCHEDULED_JOBS = [
  { command: 'backfill-camera', setting: 'BACKFILL_SCHEDULE' },
  { command: 'report', setting: 'REPORT_SCHEDULE' },
  { command: 'export', setting: 'EXPORT_SCHEDULE' },
  { command: 'retention', setting: 'RETENTION_SCHEDULE' },
] as const satisfies readonly { command: string; setting: ScheduleSetting }[];

export type ScheduledCommand = (typeof SCHEDULED_JOBS)[number]['command'];

/** Why a cron text is not a schedule, or undefined when it is one. */
export function cronProblem(text: string): string | undefined {
  try {
    parseCron(text);
    return undefined;
  } catch (err) {
    if (err instanceof CronError) return `must be a 5-field cron expression: ${err.message}`;
    throw err;
  }
}

/** One run of a scheduled job, as `serve` remembers it across restarts. */
export interface RunRecord {
  /** The schedule's fire time the run belongs to (ISO). */
  firedAt: string;
  startedAt: string;
  finishedAt: string;
  days: string[];
  outcome: 'ok' | 'failed';
  error?: string;
}

/** A scheduled job as `serve` reports it (the dashboard's Schedule page, /schedule.json). */
export interface JobStatus {
  command: string;
  setting: string;
  schedule: string;
  timeZone: string;
  off?: string;
  running: boolean;
  nextRun?: string;
  lastRun?: RunRecord;
  /** Every fire up to this instant ran without error (a restart catches up from here). */
  doneUntil?: string;
}
