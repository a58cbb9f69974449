// Table tests of the daily report (sql/README.md), one case per rule, on hand-built event sets: the
// BigQuery SQL of sql/queries/daily_report.sql, translated, executed on an in-memory DuckDB. The person
// rules (reconnects, moves, missing joins, midnight, a day in progress) are in daily-report-persons.test.ts.
import { describe, expect, it } from 'vitest';
import type { RawEventRow } from '../core/warehouse/raw-events.ts';
import type { CameraMinuteRow } from '../core/warehouse/sql-engine.ts';
import { moves, row } from '../test/jobs/event-rows.ts';
import { line, qosMinute, reportRows } from '../test/jobs/run-report.ts';

const start = row({ at: '09:00', action: 'MEETING_START' });
const end = row({ at: '10:00', action: 'MEETING_END' });

interface Case {
  rule: string;
  events: RawEventRow[];
  qos?: CameraMinuteRow[];
  expected: string[];
}

const cases: Case[] = [
  {
    rule: 'one connection (participant_uuid) across breakout hops, user_id re-issued; the key is the name as sent',
    events: [
      start,
      row({ at: '09:00', action: 'JOIN', who: 'U1', name: 'Ann', userId: '100' }),
      row({ at: '09:10', action: 'LEAVE_TO_BREAKOUT', who: 'U1', name: 'Ann', userId: '100' }),
      row({
        at: '09:10',
        action: 'JOIN',
        who: 'U1',
        name: 'Ann',
        userId: '200',
        parentUserId: '100',
        room: 'R1',
      }),
      row({
        at: '09:40',
        action: 'LEAVE',
        who: 'U1',
        name: 'Ann',
        userId: '200',
        parentUserId: '100',
        room: 'R1',
      }),
      row({ at: '09:40', action: 'JOIN', who: 'U1', name: 'Ann', userId: '300' }),
      row({ at: '09:50', action: 'LEAVE', who: 'U1', name: 'Ann', userId: '300' }),
      end,
    ],
    expected: ['Ann Room-1#1 09:10:00-09:40:00 30 on=- off=- pct=- next=- | 09:00:00-09:50:00 50 | none'],
  },
  {
    rule: 'without a uuid the email is the key, else the name (as Zoom sent it)',
    events: [
      start,
      row({ at: '09:00', action: 'JOIN', email: 'Bo@Example.com', name: 'Bo' }),
      row({ at: '09:30', action: 'LEAVE', email: 'Bo@Example.com', name: 'Bo' }),
      row({ at: '09:05', action: 'JOIN', name: 'Phone Guest' }),
      row({ at: '09:20', action: 'LEAVE', name: 'Phone Guest' }),
      end,
    ],
    expected: [
      'Bo@Example.com no-room on=- off=- pct=- next=- | 09:00:00-09:30:00 30 | none',
      'Phone Guest no-room on=- off=- pct=- next=- | 09:05:00-09:20:00 15 | none',
    ],
  },
  {
    rule: 'time in the waiting room is not presence',
    events: [
      start,
      row({ at: '08:50', action: 'WAITING_ROOM_JOIN', who: 'U1' }),
      row({ at: '09:02', action: 'WAITING_ROOM_LEAVE', who: 'U1' }),
      ...moves('U1', 'Ann', [
        ['09:02', 'JOIN'],
        ['09:32', 'LEAVE'],
      ]),
      end,
    ],
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:02:00-09:32:00 30 | none'],
  },
  {
    rule: 'a leave to join a breakout room does not end presence (the hop is transit); duration is the union of intervals',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE_TO_BREAKOUT'],
        ['09:10:30', 'JOIN', 'R1'],
        ['09:20', 'LEAVE', 'R1'],
        ['09:20', 'JOIN'],
        ['09:30', 'LEAVE'],
        ['09:45', 'JOIN'],
        ['09:55', 'LEAVE'],
      ]),
      end,
    ],
    // The 30 s between the leave "to join breakout room" and the room join are presence (in transit),
    // not the visit. Presence 09:00-09:30 plus 09:45-09:55: 30 + 10.
    expected: ['Ann Room-1#1 09:10:30-09:20:00 9.5 on=- off=- pct=- next=- | 09:00:00-09:55:00 40 | none'],
  },
  {
    rule: 'a visit without its leave ends at the next join elsewhere',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN', 'R1'],
        ['09:15', 'JOIN', 'R2'],
        ['09:30', 'LEAVE', 'R2'],
        ['09:30', 'JOIN'],
        ['09:40', 'LEAVE'],
      ]),
      end,
    ],
    expected: [
      'Ann Room-1#1 09:00:00-09:15:00 15 on=- off=- pct=- next=Room-2 | 09:00:00-09:40:00 40 | none',
      'Ann Room-2#2 09:15:00-09:30:00 15 on=- off=- pct=- next=- | 09:00:00-09:40:00 40 | none',
    ],
  },
  {
    rule: 'a visit without its leave ends at the leave from the meeting',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:05', 'LEAVE_TO_BREAKOUT'],
        ['09:05', 'JOIN', 'R1'],
        ['09:25', 'LEAVE'],
      ]),
      end,
    ],
    expected: ['Ann Room-1#1 09:05:00-09:25:00 20 on=- off=- pct=- next=- | 09:00:00-09:25:00 25 | none'],
  },
  {
    rule: 'rooms closed by the host (no per-person events): the visit ends at the meeting end',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:05', 'LEAVE_TO_BREAKOUT'],
        ['09:05', 'JOIN', 'R1'],
      ]),
      end,
    ],
    expected: ['Ann Room-1#1 09:05:00-10:00:00 55 on=- off=- pct=- next=- | 09:00:00-10:00:00 60 | none'],
  },
  {
    rule: 'an interval with no end at all and no meeting end ends at the end of the day',
    events: [row({ at: '23:00', action: 'JOIN', who: 'U1', name: 'Ann' })],
    expected: ['Ann no-room on=- off=- pct=- next=- | 23:00:00-00:00:00 60 | none'],
  },
  {
    rule: 'room_number is the visit order; Room-K by first entry of anyone (ties by uuid); next_room',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:10', 'JOIN', 'rB'],
        ['09:20', 'LEAVE', 'rB'],
        ['09:20', 'JOIN', 'rA'],
        ['09:30', 'LEAVE', 'rA'],
        ['09:30', 'JOIN', 'rB'],
        ['09:40', 'LEAVE', 'rB'],
      ]),
      ...moves('U2', 'Bob', [
        ['09:05', 'JOIN', 'rC'],
        ['09:06', 'LEAVE', 'rC'],
        ['09:10', 'JOIN', 'rA'],
        ['09:11', 'LEAVE', 'rA'],
      ]),
      end,
    ],
    // First entries: rC 09:05, then rA and rB both 09:10 (tie broken by uuid: rA before rB).
    expected: [
      'Ann Room-3#1 09:10:00-09:20:00 10 on=- off=- pct=- next=Room-2 | 09:10:00-09:40:00 30 | none',
      'Ann Room-2#2 09:20:00-09:30:00 10 on=- off=- pct=- next=Room-3 | 09:10:00-09:40:00 30 | none',
      'Ann Room-3#3 09:30:00-09:40:00 10 on=- off=- pct=- next=- | 09:10:00-09:40:00 30 | none',
      'Bob Room-1#1 09:05:00-09:06:00 1 on=- off=- pct=- next=Room-2 | 09:05:00-09:11:00 2 | none',
      'Bob Room-2#2 09:10:00-09:11:00 1 on=- off=- pct=- next=- | 09:05:00-09:11:00 2 | none',
    ],
  },
  {
    rule: 'RTMS video on/off (user_id = parent id of the room events) overlaps each visit; off = duration - on; % to 1 decimal',
    events: [
      start,
      row({ at: '09:00', action: 'JOIN', who: 'U1', name: 'Ann', userId: '16778240' }),
      row({ at: '09:00', action: 'LEAVE_TO_BREAKOUT', who: 'U1', name: 'Ann', userId: '16778240' }),
      row({
        at: '09:00',
        action: 'JOIN',
        who: 'U1',
        name: 'Ann',
        userId: '33556610',
        parentUserId: '16778240',
        room: 'R1',
      }),
      row({
        at: '09:30',
        action: 'LEAVE',
        who: 'U1',
        name: 'Ann',
        userId: '33556610',
        parentUserId: '16778240',
        room: 'R1',
      }),
      row({ at: '09:30', action: 'LEAVE', who: 'U1', name: 'Ann', userId: '16778240' }),
      row({ at: '09:05', action: 'VIDEO_ON', source: 'rtms', userId: '16778240', name: 'Ann (iPad)' }),
      row({ at: '09:15', action: 'VIDEO_OFF', source: 'rtms', userId: '16778240' }),
      row({ at: '09:20', action: 'VIDEO_ON', source: 'rtms', userId: '16778240' }),
      end,
    ],
    // on 09:05-09:15 and 09:20-09:30 (the leave from the meeting ends it): 20 of 30 min.
    expected: [
      'Ann Room-1#1 09:00:00-09:30:00 30 on=20 off=10 pct=66.7 next=- | 09:00:00-09:30:00 30 | rtms',
    ],
  },
  {
    rule: 'RTMS video resolved by name when no user id matches',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE'],
      ]),
      row({ at: '09:02', action: 'VIDEO_ON', source: 'rtms', userId: '999', name: 'Ann' }),
      end,
    ],
    expected: ['Ann no-room on=8 off=2 pct=80 next=- | 09:00:00-09:10:00 10 | rtms'],
  },
  {
    rule: 'a sharing event (no participant_uuid: its key is the name) never takes RTMS camera events from the person',
    events: [
      start,
      row({ at: '09:00', action: 'JOIN', who: 'U1', name: 'Ann', userId: '16778240' }),
      // Sorts before the UUID-based key 'U1' would lose to it; the name key 'Aaa' would win MIN().
      {
        ...row({ at: '09:01', action: 'SHARE_START', name: 'Aaa', userId: '16778240' }),
        participant_uuid: null,
        event_type: 'meeting.sharing_started',
      },
      row({ at: '09:02', action: 'VIDEO_ON', source: 'rtms', userId: '16778240', name: 'Ann' }),
      row({ at: '09:10', action: 'LEAVE', who: 'U1', name: 'Ann', userId: '16778240' }),
      end,
    ],
    expected: ['Ann no-room on=8 off=2 pct=80 next=- | 09:00:00-09:10:00 10 | rtms'],
  },
  {
    rule: 'QoS minutes with bitrate > 0 cover [t, t+60 s); a minute without video data is not camera data',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE'],
      ]),
      end,
    ],
    qos: [
      qosMinute('U1', '09:01', 800.5),
      qosMinute('U1', '09:02', 0),
      qosMinute('U1', '09:03', 120),
      qosMinute('U1', '09:09:30', 50),
    ],
    expected: ['Ann no-room on=2.5 off=7.5 pct=25 next=- | 09:00:00-09:10:00 10 | qos'],
  },
  {
    rule: 'camera-on is the union of RTMS and QoS (no double counting); camera_source rtms+qos',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE'],
      ]),
      row({ at: '09:01', action: 'VIDEO_ON', source: 'rtms', name: 'Ann' }),
      row({ at: '09:03', action: 'VIDEO_OFF', source: 'rtms', name: 'Ann' }),
      end,
    ],
    qos: [qosMinute('U1', '09:02', 300), qosMinute('U1', '09:03', 300)],
    expected: ['Ann no-room on=3 off=7 pct=30 next=- | 09:00:00-09:10:00 10 | rtms+qos'],
  },
  {
    rule: 'minutes round to 2 places, the percentage to 1 (half up)',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:00:10', 'LEAVE'],
      ]),
      row({ at: '09:00:01', action: 'VIDEO_ON', source: 'rtms', name: 'Ann' }),
      row({ at: '09:00:04', action: 'VIDEO_OFF', source: 'rtms', name: 'Ann' }),
      end,
    ],
    // 10 s = 0.1667 → 0.17; on 3 s = 0.05; off 0.12; 30.0 %.
    expected: ['Ann no-room on=0.05 off=0.12 pct=30 next=- | 09:00:00-09:00:10 0.17 | rtms'],
  },
  {
    rule: "a breakout leave without its join starts at the participant's previous event",
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:10', 'LEAVE_TO_BREAKOUT'],
        ['09:30', 'LEAVE', 'R1'],
        ['09:30', 'JOIN'],
        ['09:40', 'LEAVE'],
      ]),
      end,
    ],
    expected: ['Ann Room-1#1 09:10:00-09:30:00 20 on=- off=- pct=- next=- | 09:00:00-09:40:00 40 | none'],
  },
  {
    rule: 'a meeting crossing midnight is computed from its events of the day before too, then clipped to the day',
    events: [
      row({ at: '2026-02-02T23:50:00Z', action: 'JOIN', who: 'U1', name: 'Ann' }),
      row({ at: '00:30', action: 'LEAVE_TO_BREAKOUT', who: 'U1', name: 'Ann' }),
      row({ at: '00:30', action: 'JOIN', who: 'U1', name: 'Ann', room: 'R1' }),
      row({ at: '00:45', action: 'LEAVE', who: 'U1', name: 'Ann', room: 'R1' }),
      row({ at: '00:45', action: 'LEAVE', who: 'U1', name: 'Ann' }),
    ],
    expected: ['Ann Room-1#1 00:30:00-00:45:00 15 on=- off=- pct=- next=- | 00:00:00-00:45:00 45 | none'],
  },
  {
    rule: 'a repeated join and a repeated leave change nothing',
    events: [
      start,
      ...moves('U1', 'Ann', [
        ['09:00', 'JOIN'],
        ['09:01', 'JOIN'],
        ['09:10', 'LEAVE'],
        ['09:11', 'LEAVE'],
      ]),
      end,
    ],
    expected: ['Ann no-room on=- off=- pct=- next=- | 09:00:00-09:10:00 10 | none'],
  },
];

describe('daily report rules (sql/README.md)', () => {
  it.each(cases.map((c) => [c.rule, c] as const))('%s', async (_rule, c) => {
    const rows = await reportRows(c.events, c.qos ? { qos: c.qos } : {});
    expect(rows.map(line)).toEqual(c.expected);
  });

  it('depends only on the set of distinct events: shuffled and delivered twice gives the same rows', async () => {
    const c = cases[8] as Case;
    const once = await reportRows(c.events);
    const twice = [...c.events, ...c.events.map((e) => ({ ...e }))].reverse();
    expect((await reportRows(twice)).map(line)).toEqual(once.map(line));
  });

  it('a day with no events gives no rows', async () => {
    expect(await reportRows([])).toEqual([]);
  });

  it("the day is the report time zone's day: Europe/Berlin 2026-02-03 is 23:00Z-23:00Z", async () => {
    const events = [
      row({ at: '2026-02-02T23:30:00Z', action: 'JOIN', who: 'U1', name: 'Ann' }),
      row({ at: '2026-02-03T22:30:00Z', action: 'LEAVE', who: 'U1', name: 'Ann' }),
      row({ at: '2026-02-03T23:30:00Z', action: 'JOIN', who: 'U2', name: 'Late' }),
    ];
    const rows = await reportRows(events, { timeZone: 'Europe/Berlin' });
    expect(rows.map(line)).toEqual(['Ann no-room on=- off=- pct=- next=- | 23:30:00-22:30:00 1380 | none']);
  });
});
