// The worker's push decoder refuses identifiers it could not turn into paths (the webhook refuses
// them first; this guards messages from anywhere else), and round-trips everything else.
import { describe, expect, it } from 'vitest';
import type { RtmsQueueMessage } from './types.ts';
import { decodePushEnvelope, encodePushEnvelope } from './push-envelope.ts';

const base: RtmsQueueMessage = {
  kind: 'started',
  eventId: 'e1',
  eventTs: 1_700_000_000_000,
  meetingUuid: 'hwkAADUySwyG3GyUkqc0vA==',
  rtmsStreamId: '03db704592624398931a588dd78200cb',
  serverUrls: 'wss://rtms-sjc1.zoom.us/x',
};
const envelope = (m: RtmsQueueMessage) => encodePushEnvelope(m, 'id-1', new Date(0));

describe('decodePushEnvelope', () => {
  it.each(['..', '03db704592624398931a588dd78200cb', '../x', 'é'])('round-trips rtmsStreamId %j', (id) => {
    expect(decodePushEnvelope(envelope({ ...base, rtmsStreamId: id })).message).toEqual({
      ...base,
      rtmsStreamId: id,
    });
  });

  it.each([
    [{ meetingUuid: '..' }, 'is not a Zoom meeting UUID'],
    [{ meetingUuid: '' }, 'is not a Zoom meeting UUID'],
    [{ rtmsStreamId: 'a\u0000b' }, 'cannot be encoded as a stream key'],
    [{ rtmsStreamId: 'x'.repeat(300) }, 'cannot be encoded as a stream key'],
    [{ rtmsStreamId: '' }, 'cannot be encoded as a stream key'],
  ])('refuses %j', (bad, why) => {
    expect(() => decodePushEnvelope(envelope({ ...base, ...bad }))).toThrow(why);
  });
});
