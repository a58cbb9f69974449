import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../errors.ts';
import { MEETING, PEOPLE, zoom } from '../../demo/simulator/zoom-events.ts';
import { eventIdOf } from './event-id.ts';
import { normalizeEvent } from './normalize.ts';

const ctx = { eventId: 'e1', gcsPath: 'raw/x.json', insertedAt: '2026-02-03T10:00:00.000Z' };
const t0 = Date.parse(MEETING.startTime);
const [ana, bjorn] = PEOPLE as [(typeof PEOPLE)[0], (typeof PEOPLE)[0]];

describe('normalizeEvent', () => {
  const cases: {
    name: string;
    body: Record<string, unknown>;
    expect: Record<string, unknown>;
    state?: Record<string, unknown>;
  }[] = [
    {
      name: 'meeting.started',
      body: zoom.meetingStarted(MEETING, t0),
      expect: {
        action: 'MEETING_START',
        meeting_id: MEETING.id,
        meeting_uuid: MEETING.uuid,
        event_timestamp: '2026-02-03T09:00:00.000Z',
        event_date: '2026-02-03',
      },
      state: { topic: MEETING.topic, hostId: MEETING.hostId },
    },
    {
      name: 'meeting.ended',
      body: zoom.meetingEnded(MEETING, t0 + 3_600_000),
      expect: { action: 'MEETING_END', event_timestamp: '2026-02-03T10:00:00.000Z' },
    },
    {
      name: 'participant joined',
      body: zoom.joined(MEETING, ana, t0 + 60_000),
      expect: {
        action: 'JOIN',
        participant_uuid: ana.uuid,
        participant_id: ana.userId,
        participant_name: 'Ana García',
        participant_email: 'ana@example.com',
        breakout_room_uuid: null,
      },
      state: { participantKey: ana.uuid, userId: ana.userId },
    },
    {
      name: 'participant left',
      body: zoom.left(MEETING, ana, t0),
      expect: { action: 'LEAVE', leave_reason: 'left the meeting. Reason : left the meeting' },
    },
    {
      name: 'left to join a breakout room is a move, not a leave',
      body: zoom.leftToBreakout(MEETING, ana, t0),
      expect: { action: 'LEAVE_TO_BREAKOUT' },
    },
    {
      name: 'joined breakout room',
      body: zoom.joinedRoom(MEETING, ana, 'ROOM-1', t0),
      expect: {
        action: 'JOIN',
        breakout_room_uuid: 'ROOM-1',
        parent_participant_id: ana.userId,
        participant_id: `${ana.userId}9`,
      },
      state: { roomUuid: 'ROOM-1', participantKey: ana.uuid },
    },
    {
      name: 'left breakout room',
      body: zoom.leftRoom(MEETING, ana, 'ROOM-1', t0),
      expect: { action: 'LEAVE', breakout_room_uuid: 'ROOM-1' },
    },
    {
      name: 'waiting room',
      body: zoom.waitingRoom(MEETING, ana, t0),
      expect: { action: 'WAITING_ROOM_JOIN' },
    },
    { name: 'admitted', body: zoom.admitted(MEETING, ana, t0), expect: { action: 'ADMITTED' } },
    {
      name: 'put in waiting room',
      body: zoom.putInWaitingRoom(MEETING, ana, t0),
      expect: { action: 'PUT_IN_WAITING_ROOM' },
    },
    {
      name: 'join before host waiting has only a name',
      body: zoom.jbhWaiting(MEETING, 'Walk-in', t0),
      expect: { action: 'JBH_WAITING', participant_name: 'Walk-in', participant_id: null },
      state: { participantKey: 'Walk-in' },
    },
    {
      name: 'sharing started',
      body: zoom.sharing(MEETING, bjorn, t0, true),
      expect: { action: 'SHARE_START', participant_name: 'Björn 🦊 Ek' },
      state: { shareContent: 'desktop' },
    },
    { name: 'sharing ended', body: zoom.sharing(MEETING, bjorn, t0, false), expect: { action: 'SHARE_END' } },
    {
      name: 'recording started with a numeric meeting id',
      body: zoom.recording(MEETING, 'started', t0),
      expect: { action: 'RECORDING_START', meeting_id: MEETING.id },
    },
    {
      name: 'recording paused',
      body: zoom.recording(MEETING, 'paused', t0),
      expect: { action: 'RECORDING_PAUSE' },
    },
    {
      name: 'role changed',
      body: zoom.roleChanged(MEETING, bjorn, t0, 'co-host'),
      expect: { action: 'ROLE_CHANGE' },
      state: { role: 'co-host' },
    },
    {
      name: 'QoS carries only the meeting UUID',
      body: zoom.qos(MEETING, bjorn, t0, '863 kbps'),
      expect: {
        action: 'QOS',
        meeting_id: null,
        meeting_uuid: MEETING.uuid,
        event_timestamp: '2026-02-03T09:00:00.000Z',
      },
    },
    {
      name: 'rtms started (flat payload)',
      body: zoom.rtmsStarted(MEETING, 'stream-1', 'wss://rtms.example/x', t0),
      expect: { action: 'RTMS_START', rtms_stream_id: 'stream-1', meeting_uuid: MEETING.uuid },
    },
    {
      name: 'rtms stopped',
      body: zoom.rtmsStopped(MEETING, 'stream-1', t0, 6),
      expect: { action: 'RTMS_STOP' },
    },
    {
      name: 'rtms started nested under payload.object (wrong docs) is still read',
      body: {
        event: 'meeting.rtms_started',
        event_ts: t0,
        payload: { object: { meeting_uuid: 'U', rtms_stream_id: 'S', server_urls: 'wss://x' } },
      },
      expect: { action: 'RTMS_START', rtms_stream_id: 'S' },
    },
    {
      name: 'an unknown event is kept as OTHER without state',
      body: {
        event: 'meeting.chat_message_sent',
        event_ts: t0,
        payload: { object: { uuid: MEETING.uuid, id: MEETING.id } },
      },
      expect: { action: 'OTHER', meeting_uuid: MEETING.uuid },
    },
    {
      name: 'an unknown event without an object',
      body: { event: 'app.deauthorized', event_ts: t0, payload: { user_id: 'x' } },
      expect: { action: 'OTHER', meeting_uuid: null },
    },
  ];

  it.each(cases)('$name', ({ body, expect: fields, state }) => {
    const n = normalizeEvent(body, ctx);
    expect(n.row).toMatchObject({ event_id: 'e1', gcs_path: 'raw/x.json', source: 'webhook', ...fields });
    expect(JSON.parse(n.row.raw_payload)).toEqual(body);
    if (state) expect(n.state).toMatchObject(state);
  });

  it('publishes RTMS lifecycle messages with the stream and server URLs', () => {
    const n = normalizeEvent(zoom.rtmsStarted(MEETING, 'stream-1', 'wss://a,wss://b', t0), ctx);
    expect(n.rtms).toEqual({
      kind: 'started',
      eventId: 'e1',
      eventTs: t0,
      meetingUuid: MEETING.uuid,
      meetingId: MEETING.id,
      rtmsStreamId: 'stream-1',
      serverUrls: 'wss://a,wss://b',
      operatorId: MEETING.hostId,
    });
    expect(normalizeEvent(zoom.rtmsStopped(MEETING, 's', t0, 8), ctx).rtms).toMatchObject({
      kind: 'stopped',
      stopReason: 8,
    });
  });

  const bad: { name: string; body: unknown; message: RegExp }[] = [
    { name: 'no event', body: { event_ts: 1, payload: {} }, message: /event/ },
    {
      name: 'event_ts as text',
      body: { event: 'meeting.started', event_ts: 'yesterday', payload: {} },
      message: /event_ts/,
    },
    {
      name: 'participant event without participant',
      body: { event: 'meeting.participant_joined', event_ts: 1, payload: { object: { uuid: 'u' } } },
      message: /participant/,
    },
    {
      name: 'meeting event without uuid',
      body: { event: 'meeting.started', event_ts: 1, payload: { object: { id: '1' } } },
      message: /payload\.object\.uuid/,
    },
    {
      name: 'join time that is not a time',
      body: {
        event: 'meeting.participant_joined',
        event_ts: 1,
        payload: { object: { uuid: 'u', participant: { user_name: 'x', join_time: 'soon' } } },
      },
      message: /join_time/,
    },
    {
      name: 'rtms without stream id',
      body: { event: 'meeting.rtms_started', event_ts: 1, payload: { meeting_uuid: 'u' } },
      message: /rtms_stream_id/,
    },
    { name: 'a JSON array', body: [1, 2], message: /invalid Zoom event/ },
  ];
  it.each(bad)('refuses $name with a clear MalformedEventError', ({ body, message }) => {
    expect(() => normalizeEvent(body, ctx)).toThrow(MalformedEventError);
    expect(() => normalizeEvent(body, ctx)).toThrow(message);
  });

  it('gives the same event id to the same event however it is serialised', () => {
    const body = zoom.joined(MEETING, ana, t0);
    const reverse = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reverse(x)]),
          )
        : v;
    const reordered = JSON.parse(JSON.stringify(reverse(body), null, 2)) as unknown;
    expect(eventIdOf(reordered)).toBe(eventIdOf(body));
    expect(eventIdOf(zoom.joined(MEETING, ana, t0 + 1000))).not.toBe(eventIdOf(body));
  });
});
