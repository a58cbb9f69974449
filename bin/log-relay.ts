// A job's JSON log lines carried from `serve` to the CLI that asked for the job: written again on
// the receiving side's own logger at their own level (already redacted where they were made).
import type { Logger } from '../core/log.ts';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Level = (typeof LEVELS)[number];
const DROP = new Set(['time', 'severity', 'level', 'message', 'msg', 'pid', 'hostname', 'name']);

/** Logs one record (as the JSON logger writes it) on `log`. */
export function relayLog(record: Record<string, unknown>, log: Logger): void {
  const level = (LEVELS as readonly unknown[]).includes(record.level) ? (record.level as Level) : 'info';
  const fields = Object.fromEntries(Object.entries(record).filter(([k]) => !DROP.has(k)));
  const message = typeof record.message === 'string' ? record.message : String(record.msg ?? '');
  log[level](fields, message);
}
