// Frame translation: Zoom's msg 14/15/17 contents into the capture's shapes, bytes for bytes.
import { describe, expect, it } from 'vitest';
import { toMediaFrame, toTranscriptItem } from './translate-frame.ts';

describe('toMediaFrame', () => {
  it('decodes the base64 payload to its exact bytes and keeps user and timestamp', () => {
    const frame = toMediaFrame({
      user_id: 16778240,
      user_name: 'Ana',
      timestamp: 1_700_000_000_123,
      data: 'AAH/gA==',
    });
    expect(frame).toEqual({
      userId: 16778240,
      userName: 'Ana',
      timestamp: 1_700_000_000_123,
      data: Buffer.from([0x00, 0x01, 0xff, 0x80]),
    });
  });

  it('leaves userName out when Zoom sends none, and refuses a payload that is not base64', () => {
    expect(toMediaFrame({ user_id: 1, timestamp: 5, data: 'AQI=' })).toEqual({
      userId: 1,
      timestamp: 5,
      data: Buffer.from([1, 2]),
    });
    expect(toMediaFrame({ user_id: 1, timestamp: 5, data: 'AB*=' })).toBeUndefined();
  });
});

describe('toTranscriptItem', () => {
  it('takes the text from data and every optional field present, and no other', () => {
    expect(
      toTranscriptItem({
        user_id: 7,
        user_name: 'Bo',
        timestamp: 10,
        data: 'hello',
        start_time: 8,
        end_time: 9,
        language: 9,
        attribute: 1,
      }),
    ).toEqual({
      userId: 7,
      userName: 'Bo',
      timestamp: 10,
      text: 'hello',
      startTime: 8,
      endTime: 9,
      language: 9,
      attribute: 1,
    });
    expect(toTranscriptItem({ user_id: 7, timestamp: 10, data: 'x' })).toEqual({
      userId: 7,
      timestamp: 10,
      text: 'x',
    });
  });
});
