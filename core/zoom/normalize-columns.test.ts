// The narrow raw_events columns the daily report reads instead of raw_payload: meeting_start_time,
// meeting_topic and person_match (the person key that groups a participant's connections).
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from './normalize.ts';

const ctx = { eventId: 'e1', gcsPath: 'raw/x.json', insertedAt: '2026-04-03T10:00:00.000Z' };

function left(participant: Record<string, unknown>, object: Record<string, unknown> = {}): unknown {
  return {
    event: 'meeting.participant_left',
    event_ts: 1_775_235_987_071,
    payload: {
      account_id: 'acct',
      object: {
        id: '10000000009',
        uuid: 'syn-meeting-1==',
        topic: 'Weekly =sync',
        start_time: '2026-04-03T10:56:58Z',
        ...object,
        participant: {
          user_id: '16841728',
          participant_uuid: 'AAAA0000-0000-0000-0000-000000000001',
          leave_time: '2026-04-03T17:06:25Z',
          leave_reason: 'left the meeting. Reason : left the meeting',
          email: '',
          id: '',
          participant_user_id: '',
          ...participant,
        },
      },
    },
  };
}

describe('normalizeEvent: report columns', () => {
  it.each([
    [
      'a display name only: NFKC, trimmed, inner spaces collapsed, case-folded',
      { user_name: '  Ｐｅｒｓｏｎ   Zeta ' },
      'n:person zeta',
    ],
    [
      'an email wins over the name, lower-cased',
      { user_name: 'Zeta', email: ' Zeta@Example.COM ' },
      'e:zeta@example.com',
    ],
    [
      'the account user id wins over email and name',
      { user_name: 'Zeta', email: 'z@example.com', participant_user_id: 'UsEr-9' },
      'u:UsEr-9',
    ],
    ['`id` when participant_user_id is empty', { user_name: 'Zeta', id: 'host-1' }, 'u:host-1'],
    ['nobody named: no key', { user_name: '  ' }, null],
  ])('person_match: %s', (_name, participant, expected) => {
    expect(normalizeEvent(left(participant), ctx).row.person_match).toBe(expected);
  });

  it('meeting_start_time is payload.object.start_time and meeting_topic the topic, on participant events', () => {
    const { row } = normalizeEvent(left({ user_name: 'Zeta' }), ctx);
    expect(row.meeting_start_time).toBe('2026-04-03T10:56:58.000Z');
    expect(row.meeting_topic).toBe('Weekly =sync');
    expect(row.event_timestamp).toBe('2026-04-03T17:06:25.000Z');
  });

  it('a meeting event carries the start time and topic but no person', () => {
    const { row } = normalizeEvent(
      {
        event: 'meeting.ended',
        event_ts: 1_775_245_677_484,
        payload: {
          object: {
            id: '1',
            uuid: 'syn-meeting-1==',
            topic: 'T',
            start_time: '2026-04-03T10:56:58Z',
            end_time: '2026-04-03T19:47:57Z',
          },
        },
      },
      ctx,
    );
    expect([row.meeting_start_time, row.meeting_topic, row.person_match]).toEqual([
      '2026-04-03T10:56:58.000Z',
      'T',
      null,
    ]);
  });

  it('no start_time, an empty one or one outside 0001-9999: NULL', () => {
    expect(
      normalizeEvent(left({ user_name: 'Z' }, { start_time: undefined }), ctx).row.meeting_start_time,
    ).toBe(null);
    expect(normalizeEvent(left({ user_name: 'Z' }, { start_time: '' }), ctx).row.meeting_start_time).toBe(
      null,
    );
    expect(
      normalizeEvent(left({ user_name: 'Z' }, { start_time: '0000-12-31T00:00:00Z' }), ctx).row
        .meeting_start_time,
    ).toBe(null);
  });
});
