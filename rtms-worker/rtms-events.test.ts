// Table tests: RTMS EVENT_UPDATE messages become raw_events rows (source rtms) and camera state events.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordsOfEvent, type StreamContext } from './rtms-events.ts';
import { MAX_USERS, NameBook } from './capture/name-book.ts';

const ctx = (): StreamContext => ({
  meetingUuid: 'abc+/==',
  meetingId: '93201235621',
  streamId: 's1',
  names: new NameBook(),
});
const NOW = Date.UTC(2026, 1, 3, 9, 0, 0);
const INS = '2026-02-03T09:00:01.000Z';

describe('recordsOfEvent', () => {
  it.each([
    [2, 'rtms.active_speaker_change', 'ACTIVE_SPEAKER', 0],
    [3, 'rtms.participant_join', 'JOIN', 0],
    [4, 'rtms.participant_leave', 'LEAVE', 0],
    [8, 'rtms.participant_video_on', 'VIDEO_ON', 1],
    [9, 'rtms.participant_video_off', 'VIDEO_OFF', 1],
  ])('event %i -> %s / %s', (eventType, type, action, stateCount) => {
    const r = recordsOfEvent(
      ctx(),
      { event_type: eventType, timestamp: NOW, participants: [{ user_id: 16778240, user_name: 'Ann' }] },
      0,
      INS,
    );
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      event_type: type,
      action,
      source: 'rtms',
      participant_id: '16778240',
      participant_name: 'Ann',
      meeting_uuid: 'abc+/==',
      meeting_id: '93201235621',
      rtms_stream_id: 's1',
      event_timestamp: '2026-02-03T09:00:00.000Z',
      event_date: '2026-02-03',
      event_ts: NOW,
    });
    expect(r.state).toHaveLength(stateCount);
    if (stateCount)
      expect(r.state[0]).toMatchObject({ action, userId: '16778240', meetingUuid: 'abc+/==', at: NOW });
    expect(r.state[0]?.participantKey).toBeUndefined();
  });

  it('names leaves from earlier joins, one row per participant, single user_id shape too', () => {
    const c = ctx();
    recordsOfEvent(
      c,
      {
        event_type: 3,
        timestamp: NOW,
        participants: [
          { user_id: 1, user_name: 'Ann' },
          { user_id: 2, user_name: 'Bob' },
        ],
      },
      0,
      INS,
    );
    const leave = recordsOfEvent(
      c,
      { event_type: 4, timestamp: NOW + 1, participants: [{ user_id: 1 }, { user_id: 2 }] },
      0,
      INS,
    );
    expect(leave.rows.map((r) => r.participant_name)).toEqual(['Ann', 'Bob']);
    const on = recordsOfEvent(c, { event_type: 8, timestamp: NOW + 2, user_id: 2 }, 0, INS);
    expect(on.rows.map((r) => [r.participant_id, r.participant_name])).toEqual([['2', 'Bob']]);
  });

  it('event ids are deterministic and differ per user and per event', () => {
    const e = { event_type: 8, timestamp: NOW, participants: [{ user_id: 1 }, { user_id: 2 }] };
    const a = recordsOfEvent(ctx(), e, 0, INS).rows.map((r) => r.event_id);
    const b = recordsOfEvent(ctx(), { ...e }, 5, 'later').rows.map((r) => r.event_id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(2);
    expect(recordsOfEvent(ctx(), { ...e, timestamp: NOW + 1 }, 0, INS).rows[0]!.event_id).not.toBe(a[0]);
  });

  it('event_id = first 32 hex of SHA-256("<stream>\\n<canonical event>\\n<user>"), per user of the event', () => {
    const e = {
      event_type: 3,
      timestamp: NOW,
      participants: [{ user_id: 7, user_name: 'A' }, { user_id: 8 }],
    };
    const want = (user: string) =>
      createHash('sha256')
        .update(
          `s1\n{"event_type":3,"participants":[{"user_id":7,"user_name":"A"},{"user_id":8}],"timestamp":${NOW}}\n${user}`,
        )
        .digest('hex')
        .slice(0, 32);
    expect(recordsOfEvent(ctx(), e, 0, INS).rows.map((r) => r.event_id)).toEqual([want('7'), want('8')]);
  });

  it('a row keeps only its own participant in raw_payload, names cut to 128 characters, users capped per event', () => {
    const participants = Array.from({ length: MAX_USERS + 3 }, (_, i) => ({
      user_id: i,
      user_name: 'n'.repeat(9000),
    }));
    const r = recordsOfEvent(ctx(), { event_type: 3, timestamp: NOW, participants }, 0, INS);
    expect(r.rows).toHaveLength(MAX_USERS);
    expect(r.droppedUsers).toBe(3);
    expect(JSON.parse(r.rows[1]!.raw_payload)).toEqual({
      msg_type: 6,
      event: { event_type: 3, timestamp: NOW, participants: [{ user_id: 1, user_name: 'n'.repeat(128) }] },
    });
    expect(r.rows[1]!.participant_name).toBe('n'.repeat(128));
  });

  it('ignores first-packet, sharing and unknown events; uses receive time when the event has none', () => {
    expect(recordsOfEvent(ctx(), { event_type: 1, timestamp: NOW }, 0, INS).rows).toEqual([]);
    expect(recordsOfEvent(ctx(), { event_type: 42, user_id: 1 }, 0, INS).rows).toEqual([]);
    expect(recordsOfEvent(ctx(), { event_type: 9, user_id: 1 }, NOW, INS).rows[0]!.event_ts).toBe(NOW);
  });
});
