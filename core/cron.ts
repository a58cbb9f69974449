// Five-field cron expressions (minute hour day-of-month month day-of-week, as Cloud Scheduler reads
// them) and their fire times in an IANA time zone, through Intl. Pure. DST: a wall time the clock
// skips fires once, shifted by the gap (02:30 → 03:30); a repeated wall time fires once, the first.

export class CronError extends Error {
  override name = 'CronError';
}

export interface Cron {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday (7 is read as 0). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matching either fires. */
  readonly dayOr: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new CronError(`${spec.name}: "${text}" is not a number`);
  const n = Number(text);
  if (n < spec.min || n > spec.max)
    throw new CronError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: FieldSpec): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m?.[1]) throw new CronError(`${spec.name}: "${item}" is not a value, range or step`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new CronError(`${spec.name}: step must be at least 1 in "${item}"`);
    let from: number;
    let to: number;
    if (m[1] === '*') [from, to] = [spec.min, spec.max];
    else if (m[1].includes('-')) {
      const [a = '', b = ''] = m[1].split('-');
      [from, to] = [value(a, spec), value(b, spec)];
      if (from > to) throw new CronError(`${spec.name}: range "${m[1]}" runs backwards`);
    } else {
      from = value(m[1], spec);
      to = m[2] === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, star: text === '*' };
}

/** Parses a 5-field expression; the error names the field and what is wrong with it. */
export function parseCron(source: string): Cron {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronError(`needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [min, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec)) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  const daysOfWeek = new Set([...dow.values].map((d) => d % 7));
  const cron: Cron = {
    source: parts.join(' '),
    minutes: min.values,
    hours: hour.values,
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek,
    dayOr: !dom.star && !dow.star,
  };
  if (nextFire(cron, Date.UTC(2000, 0, 1), 'UTC', 8 * 366) === undefined)
    throw new CronError(`"${cron.source}" never fires (no such day)`);
  return cron;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall clock at an instant, as if it were UTC (ms). */
function wallAt(instantMs: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instantMs)) p[part.type] = Number(part.value);
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second);
}

const offsetAt = (instantMs: number, timeZone: string): number =>
  wallAt(instantMs, timeZone) - Math.floor(instantMs / 1000) * 1000;

/** The instant of a wall-clock time (ms as if UTC) in a zone; skipped times shift by the gap, repeated ones take the first. */
export function instantOfWall(wallMs: number, timeZone: string): number {
  const before = offsetAt(wallMs - 86_400_000, timeZone);
  const after = offsetAt(wallMs + 86_400_000, timeZone);
  if (before === after) return wallMs - before;
  const valid = [wallMs - before, wallMs - after].filter((t) => wallAt(t, timeZone) === wallMs);
  return valid.length > 0 ? Math.min(...valid) : wallMs - before;
}

const DAY = 86_400_000;

function dayMatches(cron: Cron, wallDay: Date): boolean {
  if (!cron.months.has(wallDay.getUTCMonth() + 1)) return false;
  const dom = cron.daysOfMonth.has(wallDay.getUTCDate());
  const dow = cron.daysOfWeek.has(wallDay.getUTCDay());
  return cron.dayOr ? dom || dow : dom && dow;
}

/** The first fire strictly after `afterMs`, or undefined when none within `maxDays`. */
export function nextFire(
  cron: Cron,
  afterMs: number,
  timeZone: string,
  maxDays = 5 * 366,
): number | undefined {
  const startDay = Math.floor(wallAt(afterMs, timeZone) / DAY) * DAY;
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  // A day's fires are compared by instant: a time shifted past a DST gap may come after a later wall time.
  for (let d = -1; d <= maxDays; d++) {
    const day = startDay + d * DAY;
    if (!dayMatches(cron, new Date(day))) continue;
    let best: number | undefined;
    for (const h of hours)
      for (const m of minutes) {
        const t = instantOfWall(day + h * 3_600_000 + m * 60_000, timeZone);
        if (t > afterMs && (best === undefined || t < best)) best = t;
      }
    if (best !== undefined) return best;
  }
  return undefined;
}

/** The zone's calendar date (YYYY-MM-DD) of an instant. */
export function wallDate(instantMs: number, timeZone: string): string {
  return new Date(wallAt(instantMs, timeZone)).toISOString().slice(0, 10);
}
