// Pseudonyms against vectors computed apart (openssl dgst -sha256 -hmac), who an erasure is about,
// and what the redactor changes in a webhook body shaped as Zoom sends them (real captures carry
// public_ip and private_ip beside the names): the person's record, their ids anywhere, nobody else's.
import { describe, expect, it } from 'vitest';
import { normalizeArchived } from '../zoom/archived-event.ts';
import { eventIdOf } from '../zoom/event-id.ts';
import { erasedEventId, markErased } from './erased-body.ts';
import { resolveTarget, type IdentityRow } from './erasure-target.ts';
import { createPseudonyms, isPseudonym } from './pseudonym.ts';
import { createRedactor } from './redactor.ts';

const SECRET = 'test-erasure-secret-0123';
const p = createPseudonyms(SECRET);

describe('pseudonyms', () => {
  it('are HMAC-SHA-256 of kind and compared value, checked against openssl', () => {
    // printf 'email\nalice@example.com' | openssl dgst -sha256 -hmac test-erasure-secret-0123
    expect(p.of('email', ' Alice@Example.com ')).toBe('erased-4fc06a96fd9a@erased.invalid');
    // printf 'name\nana garcía' | openssl …: names compare NFKC, trimmed, collapsed, case-folded
    expect(p.of('name', 'Ana  GARCÍA')).toBe('erased-bebba9b648c6');
    expect(p.of('account', 'uLoRgfbbTayCX6r2Q_qQsQ')).toBe('erased-bf0374ab82efe3af');
  });

  it('leave a pseudonym as it is and need a secret of 16 characters', () => {
    expect(p.of('name', 'erased-bebba9b648c6')).toBe('erased-bebba9b648c6');
    expect(isPseudonym('erased-4fc06a96fd9a@erased.invalid')).toBe(true);
    expect(() => createPseudonyms('short')).toThrow('ERASURE_SECRET must be at least 16 characters');
  });
});

const row = (o: Partial<IdentityRow>): IdentityRow => ({
  event_id: 'e',
  event_date: '2026-04-03',
  meeting_uuid: 'M1==',
  participant_uuid: null,
  participant_id: null,
  parent_participant_id: null,
  zoom_user_id: null,
  participant_name: null,
  participant_email: null,
  person_match: null,
  source: 'webhook',
  ...o,
});

const ROWS: IdentityRow[] = [
  // Dana: first connection with her e-mail, then a rejoin (new uuid) that carries the same person key.
  row({
    participant_uuid: 'U-1',
    participant_id: '16842752',
    participant_name: 'Dana K',
    participant_email: 'dana@example.com',
    person_match: 'e:dana@example.com',
  }),
  row({
    participant_uuid: 'U-1',
    participant_id: '16843776',
    parent_participant_id: '16842752',
    participant_name: 'Dana K',
    person_match: null,
  }),
  row({
    participant_uuid: 'U-2',
    participant_id: '16844800',
    participant_name: 'Dana (phone)',
    participant_email: 'DANA@example.com',
    person_match: 'e:dana@example.com',
  }),
  // RTMS knows her by name only.
  row({ source: 'rtms', participant_id: '16844800', participant_name: 'Dana (phone)' }),
  // Someone else of the same display name, without e-mail; and another meeting where Dana is absent.
  row({
    participant_uuid: 'U-3',
    participant_id: '16845824',
    participant_name: 'Dana K',
    person_match: 'n:dana k',
  }),
  row({
    meeting_uuid: 'M2==',
    participant_uuid: 'U-9',
    participant_name: 'Dana K',
    person_match: 'n:dana k',
  }),
];

describe('who an erasure is about', () => {
  it('follows connections and person keys within a meeting, and RTMS rows by id or name', () => {
    const t = resolveTarget(ROWS, { by: 'email', value: 'Dana@Example.com' });
    expect([...t.meetings.keys()]).toEqual(['M1==']);
    const m = t.meetings.get('M1==')!;
    expect([...m.connections].sort()).toEqual(['U-1', 'U-2']);
    expect([...m.participantIds].sort()).toEqual(['16842752', '16843776', '16844800']);
    expect([...m.names].sort()).toEqual(['Dana (phone)', 'Dana K']);
    expect([...t.emails]).toEqual(['dana@example.com']);
  });

  it('by name: everyone of that name (the dry run shows it), per meeting', () => {
    const t = resolveTarget(ROWS, { by: 'name', value: 'dana  k' });
    expect([...t.meetings.keys()].sort()).toEqual(['M1==', 'M2==']);
    expect([...t.meetings.get('M2==')!.connections]).toEqual(['U-9']);
  });
});

const body = (participant: Record<string, unknown>, hostId = 'HOST-1'): Record<string, unknown> => ({
  event: 'meeting.participant_joined',
  event_ts: 1775235987114,
  payload: {
    account_id: 'ACCOUNT',
    object: { uuid: 'M1==', id: '10000000001', topic: 'Chemistry', host_id: hostId, participant },
  },
});

describe('the redactor', () => {
  const target = resolveTarget(ROWS, { by: 'email', value: 'dana@example.com' });
  target.accountIds.add('HOST-1'); // as if Dana were the host with this account id
  const r = createRedactor(target, p);

  it("replaces the person's record in a webhook body, and her ids anywhere", () => {
    const dana = {
      public_ip: '203.0.113.1',
      private_ip: '172.30.1.9',
      user_id: '16842752',
      user_name: 'Dana K',
      email: 'dana@example.com',
      participant_uuid: 'U-1',
      join_time: '2026-04-03T17:06:25Z',
    };
    const out = r.rewriteJson(body(dana), 'M1==');
    expect(out.changed).toBe(true);
    expect(out.value).toEqual(
      body(
        {
          public_ip: p.of('detail', '203.0.113.1'),
          private_ip: p.of('detail', '172.30.1.9'),
          user_id: p.of('participant', '16842752'),
          user_name: p.of('name', 'Dana K'),
          email: p.of('email', 'dana@example.com'),
          participant_uuid: p.of('connection', 'U-1'),
          join_time: '2026-04-03T17:06:25Z',
        },
        p.of('account', 'HOST-1'),
      ),
    );
    // Again: nothing left to change.
    expect(r.rewriteJson(out.value, 'M1==').changed).toBe(false);
  });

  it('replaces her names inside a leave reason of hers, as whole words in any case', () => {
    const left = {
      participant_uuid: 'U-1',
      user_name: 'Dana K',
      leave_reason: 'dana k left the meeting. Reason : Dana Kx left',
    };
    expect(r.rewriteJson(body(left), 'M1==').value).toEqual(
      body(
        {
          participant_uuid: p.of('connection', 'U-1'),
          user_name: p.of('name', 'Dana K'),
          leave_reason: `${p.of('name', 'Dana K')} left the meeting. Reason : Dana Kx left`,
        },
        p.of('account', 'HOST-1'),
      ),
    );
  });

  it('leaves someone else of the same display name as they are (only her account id as host goes)', () => {
    const other = {
      user_id: '16845824',
      user_name: 'Dana K',
      email: '',
      participant_uuid: 'U-3',
      public_ip: '198.51.100.7',
    };
    const out = r.rewriteJson(body(other), 'M1==');
    expect(out.value).toEqual(body(other, p.of('account', 'HOST-1')));
    const notHost = body(other, 'HOST-2');
    expect(r.rewriteJson(notHost, 'M1==')).toEqual({ value: notHost, changed: false });
  });

  it('rewrites RTMS payloads by per-meeting id (a number there) and live-state events', () => {
    const rtms = {
      msg_type: 6,
      event: { event_type: 8, participants: [{ user_id: 16844800, user_name: 'Dana (phone)' }] },
    };
    expect(r.rewriteJson(rtms, 'M1==').value).toEqual({
      msg_type: 6,
      event: {
        event_type: 8,
        participants: [{ user_id: p.of('participant', '16844800'), user_name: p.of('name', 'Dana (phone)') }],
      },
    });
    const e = {
      eventId: 'x',
      type: 't',
      action: 'JOIN',
      at: 1,
      ts: 1,
      meetingUuid: 'M1==',
      participantUuid: 'U-2',
      participantKey: 'U-2',
      name: 'Dana (phone)',
      userId: '16844800',
    };
    expect(r.rewriteStateEvent(e)).toEqual({
      ...e,
      participantUuid: p.of('connection', 'U-2'),
      participantKey: p.of('connection', 'U-2'),
      name: p.of('name', 'Dana (phone)'),
      userId: p.of('participant', '16844800'),
    });
    const other = { ...e, participantUuid: 'U-3', participantKey: 'U-3', name: 'Dana K', userId: '16845824' };
    expect(r.rewriteStateEvent(other)).toBe(other);
  });
});

describe('an erased archived body', () => {
  const original = body({ user_name: 'Dana K', participant_uuid: 'U-1', user_id: '16842752' });
  const id = eventIdOf(original);
  const key = `raw/2026-04-03/${id}.json`;

  it('reads back under its original event id', () => {
    const erased = markErased(
      createRedactor(resolveTarget(ROWS, { by: 'email', value: 'dana@example.com' }), p).rewriteJson(
        original,
        'M1==',
      ).value,
      id,
    );
    expect(erasedEventId(erased)).toEqual({ eventId: id });
    const read = normalizeArchived(key, Buffer.from(JSON.stringify(erased)), '2026-04-03T17:06:29.000Z');
    expect(read.ok && read.normalized.row.event_id).toBe(id);
    expect(read.ok && read.normalized.row.participant_name).toBe(p.of('name', 'Dana K'));
  });

  it('is refused when changed after its erasure', () => {
    const erased = markErased(original, id);
    const changed = { ...erased, event_ts: 1 };
    expect(normalizeArchived(key, Buffer.from(JSON.stringify(changed)), '')).toEqual({
      ok: false,
      reason:
        'erased body refused: body changed after its erasure (zoom_tracker_erasure.body_sha256 differs)',
    });
  });
});
