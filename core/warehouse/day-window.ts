// Report dates: parsing `--date`, "yesterday" in REPORT_TIMEZONE, and a day's [start, end) as UTC
// instants (23 or 25 hours on DST changes) plus the UTC partitions it overlaps and the wider window
// of events the report reads. Pure.

export interface DayWindow {
  date: string;
  startMs: number;
  endMs: number;
  /** First and last UTC event_date partitions the day overlaps. */
  scanFrom: string;
  scanTo: string;
  /**
   * The events the report reads: the day and one day on each side, so a meeting that crosses
   * midnight is computed from all its events ([windowStartMs, windowEndMs), partitions windowFrom..windowTo).
   */
  windowStartMs: number;
  windowEndMs: number;
  windowFrom: string;
  windowTo: string;
}

/** How far before and after the day the report reads events. */
export const WINDOW_MARGIN_MS = 24 * 60 * 60 * 1000;

export class InvalidDateError extends Error {
  override name = 'InvalidDateError';
}

/** Validates a calendar date YYYY-MM-DD (rejects 2026-02-30, 2026-2-3, "yesterday"). */
export function parseDate(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d) return text.trim();
  }
  throw new InvalidDateError(`--date must be a calendar date YYYY-MM-DD, got "${text}"`);
}

/** The local calendar date of an instant in a time zone. */
export function localDate(instantMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instantMs);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Yesterday in the report time zone, relative to `nowMs`. */
export function defaultReportDate(nowMs: number, timeZone: string): string {
  return addDays(localDate(nowMs, timeZone), -1);
}

/** Offset of the zone from UTC at an instant, in ms (local wall clock − UTC). */
function offsetMs(instantMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instantMs);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The UTC instant of local midnight starting `date` in `timeZone`. */
export function startOfDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(guess, timeZone);
  if (second !== guess) guess = second;
  return guess;
}

export function dayWindow(date: string, timeZone: string): DayWindow {
  const startMs = startOfDay(date, timeZone);
  const endMs = startOfDay(addDays(date, 1), timeZone);
  const windowStartMs = startMs - WINDOW_MARGIN_MS;
  const windowEndMs = endMs + WINDOW_MARGIN_MS;
  return {
    date,
    startMs,
    endMs,
    scanFrom: new Date(startMs).toISOString().slice(0, 10),
    scanTo: new Date(endMs - 1).toISOString().slice(0, 10),
    windowStartMs,
    windowEndMs,
    windowFrom: new Date(windowStartMs).toISOString().slice(0, 10),
    windowTo: new Date(windowEndMs - 1).toISOString().slice(0, 10),
  };
}

/** The UTC event_date partitions the report of a day reads (what `report` reconciles first). */
export function windowDates(w: DayWindow): string[] {
  const dates: string[] = [];
  for (let d = w.windowFrom; d <= w.windowTo; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/**
 * The named parameters of the report queries for a day. `nowMs` is the run time: for a day still in
 * progress, open intervals end there (default: the day is over).
 */
export function reportParams(w: DayWindow, nowMs: number = w.endMs): Record<string, string | number> {
  return {
    report_date: w.date,
    day_start_ms: w.startMs,
    day_end_ms: w.endMs,
    scan_from: w.scanFrom,
    scan_to: w.scanTo,
    window_start_ms: w.windowStartMs,
    window_end_ms: w.windowEndMs,
    window_from: w.windowFrom,
    window_to: w.windowTo,
    now_ms: nowMs,
  };
}

/** Whether a report run at `nowMs` sees day `w` still in progress. */
export function inProgress(w: DayWindow, nowMs: number): boolean {
  return nowMs < w.endMs;
}
