// The daily report's person rules (sql/README.md), as real Zoom behaves: a new participant_uuid on
// every rejoin, moves as same-second leave + join pairs with any reason and order, missing joins,
// unidentified rooms, meetings across midnight and a day still in progress. Executed on DuckDB.
import { describe, expect, it } from 'vitest';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import { row, type EventSpec } from '../test/jobs/event-rows.ts';
import { line, reportRows } from '../test/jobs/run-report.ts';

const START = '09:00';
const end = row({ at: '10:00', action: 'MEETING_END', start: START });
/** A webhook event of the meeting that started at 09:00 (every meeting event carries start_time). */
const ev = (spec: EventSpec): RawEventRow => row({ start: START, ...spec });
const PLAIN = 'left the meeting. Reason : left the meeting';
const TO_ROOM = 'left the meeting. Reason : left the meeting to join breakout room';

interface Case {
  rule: string;
  events: RawEventRow[];
  opts?: { date?: string; now?: string };
  expected: string[];
}

const cases: Case[] = [
  {
    rule: 'a reconnect (new participant_uuid) is the same person: one row, presence the union',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:20', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '09:22', action: 'JOIN', who: 'C2', name: 'Ann' }),
      ev({ at: '09:40', action: 'LEAVE', who: 'C2', name: 'Ann', reason: PLAIN }),
      end,
    ],
    // 20 + 18 minutes; the 2-minute gap is not presence.
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:00:00-09:40:00 38 | none'],
  },
  {
    rule: 'two connections of one person that overlap count once; names compare NFKC, trimmed, case-folded',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Eve  Li' }),
      ev({ at: '09:30', action: 'LEAVE', who: 'C1', name: 'Eve  Li' }),
      ev({ at: '09:10', action: 'JOIN', who: 'C2', name: ' ｅｖｅ li' }),
      ev({ at: '09:45', action: 'LEAVE', who: 'C2', name: ' ｅｖｅ li' }),
      end,
    ],
    expected: ['Eve  Li no-room on=- off=- pct=- next=- | 09:00:00-09:45:00 45 | none'],
  },
  {
    rule: 'a move (leave + join of one connection in one second) is never an exit, whatever the reason and order',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      // The join is stamped (event_ts) before the leave, as Zoom does now and then.
      ev({ at: '09:30', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN, lagMs: 2500 }),
      ev({ at: '09:30', action: 'JOIN', who: 'C1', name: 'Ann', lagMs: 1200 }),
      ev({ at: '09:50', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '09:05', action: 'JOIN', who: 'C2', name: 'Bob' }),
      ev({ at: '09:20', action: 'JOIN', who: 'C2', name: 'Bob', lagMs: 900 }),
      ev({ at: '09:20', action: 'LEAVE', who: 'C2', name: 'Bob', reason: PLAIN, lagMs: 1800 }),
      ev({ at: '09:35', action: 'LEAVE', who: 'C2', name: 'Bob', reason: PLAIN }),
      end,
    ],
    expected: [
      'Ann no-room on=- off=- pct=- next=- | 09:00:00-09:50:00 50 | none',
      'Bob no-room on=- off=- pct=- next=- | 09:05:00-09:35:00 30 | none',
    ],
  },
  {
    rule: "a connection whose first event is a move or a leave was present from the meeting's start (start_time)",
    events: [
      ev({ at: '10:00', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '10:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '10:30', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '09:45', action: 'LEAVE', who: 'C2', name: 'Bob', reason: PLAIN }),
    ],
    expected: [
      'Ann no-room on=- off=- pct=- next=- | 09:00:00-10:30:00 90 | none | meeting_start',
      'Bob no-room on=- off=- pct=- next=- | 09:00:00-09:45:00 45 | none | meeting_start',
    ],
  },
  {
    rule: 'a missing join with an earlier event of the connection (admitted) starts at that event',
    events: [
      ev({ at: '09:10', action: 'ADMITTED', who: 'C1', name: 'Ann' }),
      ev({ at: '09:40', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      end,
    ],
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:10:00-09:40:00 30 | none'],
  },
  {
    rule: 'with no start_time and no earlier event, a lone leave is an instant: never presence from midnight',
    events: [row({ at: '09:40', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN })],
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:40:00-09:40:00 0 | none'],
  },
  {
    rule: 'a meeting that started the day before: a lone leave after midnight is presence from 00:00',
    events: [
      row({
        at: '00:30',
        action: 'LEAVE',
        who: 'C1',
        name: 'Ann',
        reason: PLAIN,
        start: '2026-02-02T22:00:00Z',
      }),
    ],
    expected: ['Ann no-room on=- off=- pct=- next=- | 00:00:00-00:30:00 30 | none | meeting_start'],
  },
  {
    rule: "the day before's report of that meeting reads the next day's events and ends at midnight",
    events: [
      row({
        at: '2026-02-02T22:10:00Z',
        action: 'JOIN',
        who: 'C1',
        name: 'Ann',
        start: '2026-02-02T22:00:00Z',
      }),
      row({
        at: '00:30',
        action: 'LEAVE',
        who: 'C1',
        name: 'Ann',
        reason: PLAIN,
        start: '2026-02-02T22:00:00Z',
      }),
    ],
    opts: { date: '2026-02-02' },
    expected: ['Ann no-room on=- off=- pct=- next=- | 22:10:00-00:00:00 110 | none'],
  },
  {
    rule: 'without breakout-room events, a move "to join breakout room" visits an unidentified room until the next move or leave',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:10', action: 'LEAVE_TO_BREAKOUT', who: 'C1', name: 'Ann', reason: TO_ROOM }),
      ev({ at: '09:10', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:30', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:30', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '09:40', action: 'LEAVE_TO_BREAKOUT', who: 'C1', name: 'Ann', reason: TO_ROOM }),
      ev({ at: '09:40', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:50', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      end,
    ],
    expected: [
      'Ann Room-?#1 09:10:00-09:30:00 20 on=- off=- pct=- next=Room-? | 09:00:00-09:50:00 50 | none',
      'Ann Room-?#2 09:40:00-09:50:00 10 on=- off=- pct=- next=- | 09:00:00-09:50:00 50 | none',
    ],
  },
  {
    rule: 'a leave from a room the connection already left changes nothing',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann', room: 'R1' }),
      ev({ at: '09:15', action: 'JOIN', who: 'C1', name: 'Ann', room: 'R2' }),
      ev({ at: '09:16', action: 'LEAVE', who: 'C1', name: 'Ann', room: 'R1' }),
      ev({ at: '09:30', action: 'LEAVE', who: 'C1', name: 'Ann', room: 'R2' }),
      ev({ at: '09:30', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:40', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      ev({ at: '09:41', action: 'LEAVE', who: 'C1', name: 'Ann', reason: PLAIN }),
      end,
    ],
    expected: [
      'Ann Room-1#1 09:00:00-09:15:00 15 on=- off=- pct=- next=Room-2 | 09:00:00-09:40:00 40 | none',
      'Ann Room-2#2 09:15:00-09:30:00 15 on=- off=- pct=- next=- | 09:00:00-09:40:00 40 | none',
    ],
  },
  {
    rule: "open intervals end at meeting.ended; a participant's own leave after it stands",
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:00', action: 'JOIN', who: 'C2', name: 'Bob' }),
      ev({ at: '10:00:03', action: 'LEAVE', who: 'C2', name: 'Bob', reason: PLAIN }),
      end,
    ],
    expected: [
      'Ann no-room on=- off=- pct=- next=- | 09:00:00-10:00:00 60 | none',
      'Bob no-room on=- off=- pct=- next=- | 09:00:00-10:00:03 60.05 | none',
    ],
  },
  {
    rule: 'a day in progress ends open intervals at the run time, and nothing after it counts',
    events: [
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Ann' }),
      ev({ at: '09:45', action: 'JOIN', who: 'C2', name: 'Bob' }),
    ],
    opts: { now: '09:30' },
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:00:00-09:30:00 30 | none'],
  },
  {
    rule: 'the account user id is the key over email and name; emails compare case-insensitively',
    events: [
      ev({
        at: '09:00',
        action: 'JOIN',
        who: 'C1',
        name: 'Host',
        email: 'h@example.com',
        accountId: 'UID-7',
      }),
      ev({ at: '09:10', action: 'LEAVE', who: 'C1', name: 'Host', accountId: 'UID-7' }),
      ev({ at: '09:00', action: 'JOIN', who: 'C2', name: 'Dee', email: 'Dee@Example.com' }),
      ev({ at: '09:05', action: 'LEAVE', who: 'C2', name: 'Dee', email: 'Dee@Example.com' }),
      ev({ at: '09:06', action: 'JOIN', who: 'C3', name: 'Dee (phone)', email: 'dee@example.COM' }),
      ev({ at: '09:20', action: 'LEAVE', who: 'C3', name: 'Dee (phone)', email: 'dee@example.COM' }),
      end,
    ],
    expected: [
      'Dee@Example.com no-room on=- off=- pct=- next=- | 09:00:00-09:20:00 19 | none',
      'UID-7 no-room on=- off=- pct=- next=- | 09:00:00-09:10:00 10 | none',
    ],
  },
];

describe('daily report: persons, moves, missing joins, midnight', () => {
  it.each(cases.map((c) => [c.rule, c] as const))('%s', async (_rule, c) => {
    const rows = await reportRows(c.events, c.opts ?? {});
    expect(rows.map(line)).toEqual(c.expected);
  });

  it('a rename inside a connection never splits the person: key from the first event, name from the latest', async () => {
    const rows = await reportRows([
      ev({ at: '09:00', action: 'JOIN', who: 'C1', name: 'Cy' }),
      ev({ at: '09:20', action: 'LEAVE', who: 'C1', name: 'Cyrus', reason: PLAIN }),
      end,
    ]);
    expect(
      rows.map((r) => [r['participant_key'], r['participant_name'], r['meeting_duration_mins']]),
    ).toEqual([['Cy', 'Cyrus', 20]]);
  });

  it('an unidentified room has an empty room_uuid; every row carries join_time_source and the topic', async () => {
    const rows = await reportRows(cases[8]?.events ?? []);
    expect(rows.map((r) => [r['room_uuid'], r['join_time_source'], r['meeting_topic']])).toEqual([
      [null, 'event', 'Weekly sync'],
      [null, 'event', 'Weekly sync'],
    ]);
  });

  it('depends only on the set of distinct events: shuffled and delivered twice gives the same rows', async () => {
    const events = cases.slice(0, 4).flatMap((c) => c.events);
    const once = (await reportRows(events)).map(line);
    const twice = [...events, ...events.map((e) => ({ ...e }))].reverse();
    expect((await reportRows(twice)).map(line)).toEqual(once);
  });
});
