// Identifiers that would become paths are checked at normalisation: an RTMS event whose meeting_uuid
// or rtms_stream_id cannot be encoded, or any event whose meeting UUID cannot be a meeting key, is a
// MalformedEventError (400 + quarantine at the webhook), never a queue message.
import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../errors.ts';
import { MEETING, PEOPLE, zoom } from '../../demo/simulator/zoom-events.ts';
import { normalizeEvent } from './normalize.ts';

const ctx = { eventId: 'e1', gcsPath: 'raw/x.json', insertedAt: '2026-02-03T10:00:00.000Z' };
const t0 = Date.parse(MEETING.startTime);
const URLS = 'wss://rtms-sjc1.zoom.us/signal';

describe('rtms identifiers', () => {
  it.each([
    ['..', 'gcs', 'payload.meeting_uuid has characters outside base64'],
    ['.', 'x', 'payload.meeting_uuid has characters outside base64'],
    [
      MEETING.uuid,
      'a\u0000b',
      'payload.rtms_stream_id holds a control character, NUL or an unpaired surrogate',
    ],
    [MEETING.uuid, 'x'.repeat(300), 'payload.rtms_stream_id is longer than 128 bytes'],
    [MEETING.uuid, '\n', 'payload.rtms_stream_id holds a control character'],
  ])('meeting_uuid %j, rtms_stream_id %j: refused (%s)', (uuid, streamId, why) => {
    for (const body of [
      zoom.rtmsStarted({ ...MEETING, uuid }, streamId, URLS, t0),
      zoom.rtmsStopped({ ...MEETING, uuid }, streamId, t0),
    ]) {
      expect(() => normalizeEvent(body, ctx)).toThrow(MalformedEventError);
      expect(() => normalizeEvent(body, ctx)).toThrow(why);
    }
  });

  it.each(['..', '.', '../x', 'gcs', '03db704592624398931a588dd78200cb'])(
    'rtms_stream_id %j is accepted as given (encoded only where it becomes a key)',
    (streamId) => {
      const n = normalizeEvent(zoom.rtmsStarted(MEETING, streamId, URLS, t0), ctx);
      expect(n.rtms).toMatchObject({ kind: 'started', rtmsStreamId: streamId, meetingUuid: MEETING.uuid });
      expect(n.row.rtms_stream_id).toBe(streamId);
    },
  );
});

describe('meeting uuids of other events', () => {
  it.each(['..', 'a.b', '//x//', 'x'.repeat(129)])('payload.object.uuid %j is refused', (uuid) => {
    for (const body of [
      zoom.meetingStarted({ ...MEETING, uuid }, t0),
      zoom.joined({ ...MEETING, uuid }, PEOPLE[0]!, t0),
      { event: 'meeting.something_new', event_ts: t0, payload: { object: { uuid } } },
    ]) {
      expect(() => normalizeEvent(body, ctx)).toThrow(MalformedEventError);
      expect(() => normalizeEvent(body, ctx)).toThrow('payload.object.uuid');
    }
  });

  it('an unknown event without a meeting object is still kept as a row', () => {
    const n = normalizeEvent({ event: 'account.updated', event_ts: t0, payload: { x: 1 } }, ctx);
    expect(n.row).toMatchObject({ action: 'OTHER', meeting_uuid: null });
  });
});
