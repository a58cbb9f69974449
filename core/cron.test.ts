// Table tests of the cron parser and its fire times: fields, ranges, lists, steps, names, the
// day-of-month/day-of-week rule, and time zones across both DST changes (Europe/Berlin, New York).
import { describe, expect, it } from 'vitest';
import { CronError, instantOfWall, nextFire, parseCron, wallDate } from './cron.ts';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

describe('parseCron', () => {
  it.each([
    ['30 22 * * *', { minutes: [30], hours: [22] }],
    ['*/15 9-17/4 * * *', { minutes: [0, 15, 30, 45], hours: [9, 13, 17] }],
    ['5,10-12 0 * * *', { minutes: [5, 10, 11, 12], hours: [0] }],
    ['50/5 23 * * *', { minutes: [50, 55], hours: [23] }],
  ])('%s → minutes and hours', (text, want) => {
    const c = parseCron(text);
    expect([...c.minutes].sort((a, b) => a - b)).toEqual(want.minutes);
    expect([...c.hours].sort((a, b) => a - b)).toEqual(want.hours);
  });

  it('reads month and weekday names, and 7 as Sunday', () => {
    const c = parseCron('0 8 * jan-mar MON,Fri,7');
    expect([...c.months]).toEqual([1, 2, 3]);
    expect([...c.daysOfWeek].sort()).toEqual([0, 1, 5]);
  });

  it.each([
    ['0 23 * *', /needs 5 fields .* got 4/],
    ['60 23 * * *', /minute: 60 is outside 0-59/],
    ['0 24 * * *', /hour: 24 is outside 0-23/],
    ['0 0 0 * *', /day of month: 0 is outside 1-31/],
    ['0 0 * 13 *', /month: 13 is outside 1-12/],
    ['0 0 * * 8', /day of week: 8 is outside 0-7/],
    ['0 5-1 * * *', /hour: range "5-1" runs backwards/],
    ['*/0 * * * *', /minute: step must be at least 1/],
    ['0 x * * *', /hour: "x" is not a number/],
    ['0 0 30 2 *', /never fires/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCron(text)).toThrow(CronError);
    expect(() => parseCron(text)).toThrow(message);
  });
});

describe('nextFire', () => {
  it.each([
    // [expression, time zone, after, next]
    ['0 23 * * *', 'UTC', '2026-02-03T12:00:00Z', '2026-02-03T23:00:00.000Z'],
    ['0 23 * * *', 'UTC', '2026-02-03T23:00:00Z', '2026-02-04T23:00:00.000Z'],
    ['0 23 * * *', 'Europe/Berlin', '2026-02-03T12:00:00Z', '2026-02-03T22:00:00.000Z'],
    ['0 23 * * *', 'Europe/Berlin', '2026-07-03T12:00:00Z', '2026-07-03T21:00:00.000Z'],
    ['30 23 * * *', 'America/Los_Angeles', '2026-02-04T07:00:00Z', '2026-02-04T07:30:00.000Z'],
    ['*/20 * * * *', 'UTC', '2026-02-03T10:41:10Z', '2026-02-03T11:00:00.000Z'],
    ['0 0 1 * *', 'UTC', '2026-02-03T00:00:00Z', '2026-03-01T00:00:00.000Z'],
    ['0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    // 2026-02-06 is a Friday: day-of-month 1 OR Friday.
    ['0 9 1 * 5', 'UTC', '2026-02-03T00:00:00Z', '2026-02-06T09:00:00.000Z'],
    ['0 9 * * MON-FRI', 'UTC', '2026-02-06T10:00:00Z', '2026-02-09T09:00:00.000Z'],
    // Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist and fires at 03:30 CEST.
    ['30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T01:30:00.000Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-03-29T01:30:00Z', '2026-03-30T00:30:00.000Z'],
    // ... and an hourly job that day fires at 01:00 CET, then 03:00 CEST.
    ['0 * * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z', '2026-03-29T01:00:00.000Z'],
    // Berlin falls back at 03:00 on 2026-10-25: 02:30 happens twice and fires once, the first time.
    ['30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-25T00:30:00.000Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00.000Z'],
    // New York: 23:00 local is 04:00Z in winter and 03:00Z in summer, either side of 2026-03-08.
    ['0 23 * * *', 'America/New_York', '2026-03-07T05:00:00Z', '2026-03-08T04:00:00.000Z'],
    ['0 23 * * *', 'America/New_York', '2026-03-08T05:00:00Z', '2026-03-09T03:00:00.000Z'],
    ['0 23 * * *', 'America/New_York', '2026-03-07T03:00:00Z', '2026-03-07T04:00:00.000Z'],
  ])('%s in %s after %s → %s', (text, tz, after, want) => {
    expect(iso(nextFire(parseCron(text), Date.parse(after), tz))).toBe(want);
  });

  it('fires a daily schedule once per local day across a whole year of a DST zone', () => {
    const cron = parseCron('30 2 * * *');
    const days = new Set<string>();
    let t = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 365; i++) {
      t = nextFire(cron, t, 'Europe/Berlin') as number;
      days.add(wallDate(t, 'Europe/Berlin'));
    }
    expect(days.size).toBe(365);
    expect(wallDate(t, 'Europe/Berlin')).toBe('2026-12-31');
  });
});

describe('instantOfWall', () => {
  it('maps wall clock to instants around both changes', () => {
    const wall = (s: string): number => Date.parse(`${s}Z`);
    expect(iso(instantOfWall(wall('2026-03-29T01:59:00'), 'Europe/Berlin'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(instantOfWall(wall('2026-03-29T03:00:00'), 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(instantOfWall(wall('2026-10-25T02:00:00'), 'Europe/Berlin'))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(instantOfWall(wall('2026-10-25T03:00:00'), 'Europe/Berlin'))).toBe('2026-10-25T02:00:00.000Z');
  });
});
