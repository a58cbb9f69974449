// The RTMS client state machine against fake sockets and vitest fake timers (unit tier: no network).
// The fake socket records what the client sends; the test plays the Zoom side message by message.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rtmsSignature } from './messages.ts';
import { MEDIA_URL, SIG_URL, setup } from './client-fakes.ts';

beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => vi.useRealTimers());

describe('handshakes', () => {
  it('signs msg 1, subscribes, requests 16 kHz L16 + H.264 + transcript on the all socket, and acks on signaling', () => {
    const { client, sockets, handshake } = setup();
    client.start();
    const [sig, media] = handshake();
    expect(sockets.map((s) => s.url)).toEqual([SIG_URL, MEDIA_URL]);
    expect(sig.sent[0]).toMatchObject({
      msg_type: 1,
      meeting_uuid: 'm+uuid==',
      rtms_stream_id: 'stream-1',
      signature: rtmsSignature('cid', 'csecret', 'm+uuid==', 'stream-1'),
    });
    expect(sig.sent[1]).toEqual({
      msg_type: 5,
      events: [2, 3, 4, 8, 9].map((event_type) => ({ event_type, subscribe: true })),
    });
    expect(media.sent[0]).toMatchObject({
      msg_type: 3,
      media_type: 11,
      media_params: {
        audio: { content_type: 2, sample_rate: 1, channel: 1, codec: 1, send_rate: 20 },
        video: { codec: 7, resolution: 2, fps: 25 },
        transcript: { content_type: 5 },
      },
    });
    expect(sig.sent[2]).toEqual({ msg_type: 7, rtms_stream_id: 'stream-1' });
    expect(media.types()).not.toContain(7);
    expect(client.state).toBe('streaming');
  });

  it.each([
    [3, 'ZM_CLIENT_SECRET'],
    [2, 'status 2'],
    [7, 'status 7'],
  ])('a signaling refusal with status %i fails the stream without retrying', (status, text) => {
    const { client, sockets, got, last } = setup();
    client.start();
    last().emitOpen();
    last().recv({ msg_type: 2, status_code: status, reason: 'nope' });
    expect(got.ended).toHaveLength(1);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toContain(text);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
  });

  it('without an all url, opens one media socket per type, each asking for its own type, and streams when all are ready', () => {
    const { client, sockets, last } = setup();
    client.start();
    const sig = last();
    sig.emitOpen();
    sig.recv({
      msg_type: 2,
      status_code: 0,
      media_server: { server_urls: { audio: 'wss://z/a', video: 'wss://z/v', transcript: 'wss://z/t' } },
    });
    const media = sockets.slice(1);
    expect(media.map((m) => m.url)).toEqual(['wss://z/a', 'wss://z/v', 'wss://z/t']);
    for (const m of media) m.emitOpen();
    expect(media.map((m) => m.sent[0]!.media_type)).toEqual([1, 2, 8]);
    expect(Object.keys(media[1]!.sent[0]!.media_params as object)).toEqual(['video']);
    media[0]!.recv({ msg_type: 4, status_code: 0 });
    media[1]!.recv({ msg_type: 4, status_code: 0 });
    expect(client.state).toBe('connecting');
    media[2]!.recv({ msg_type: 4, status_code: 0 });
    expect(client.state).toBe('streaming');
    expect(sig.sent.filter((m) => m.msg_type === 7)).toHaveLength(3);
  });

  it('a media refusal fails the stream', () => {
    const { client, got, last } = setup();
    client.start();
    last().emitOpen();
    last().recv({ msg_type: 2, status_code: 0, media_server: { server_urls: { all: MEDIA_URL } } });
    last().emitOpen();
    last().recv({ msg_type: 4, status_code: 25, reason: 'INVALID_MEDIA_VIDEO_PARAMS' });
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toContain('INVALID_MEDIA_VIDEO_PARAMS');
  });

  it('duplicate signal (status 8) backs off 3 s and retries', () => {
    const { client, sockets, got, last } = setup();
    client.start();
    last().emitOpen();
    last().recv({ msg_type: 2, status_code: 8, reason: 'duplicate signal request' });
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(2_999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[0]!.closed).toBe(true);
    expect(got.ended).toHaveLength(0);
  });

  it('refuses ws:// to a non-loopback host and accepts it for 127.0.0.1', () => {
    const bad = setup({ serverUrls: 'ws://rtms.example.com/x' });
    bad.client.start();
    expect(bad.sockets).toHaveLength(0);
    expect(bad.got.ended[0]!.detail).toContain('loopback');
    const good = setup({ serverUrls: 'ws://127.0.0.1:9/x' });
    good.client.start();
    expect(good.sockets).toHaveLength(1);
  });
});

describe('keep-alive and frames', () => {
  it('answers msg 12 with msg 13 on the same socket, echoing the timestamp, including binary frames', () => {
    const { client, handshake } = setup();
    client.start();
    const [sig, media] = handshake();
    sig.recv({ msg_type: 12, timestamp: 111 });
    media.recv(Buffer.from(JSON.stringify({ msg_type: 12, timestamp: 222 })));
    expect(sig.sent.at(-1)).toEqual({ msg_type: 13, timestamp: 111 });
    expect(media.sent.at(-1)).toEqual({ msg_type: 13, timestamp: 222 });
  });

  it('decodes audio, video and transcript frames and keeps their timestamps', () => {
    const { client, got, handshake } = setup();
    client.start();
    const [, media] = handshake();
    media.recv({
      msg_type: 14,
      content: { user_id: 0, data: Buffer.alloc(640, 1).toString('base64'), timestamp: 1000 },
    });
    media.recv(
      Buffer.from(
        JSON.stringify({
          msg_type: 15,
          content: {
            user_id: 16778240,
            user_name: 'Ann',
            data: Buffer.from([0, 0, 0, 1, 0x67]).toString('base64'),
            timestamp: 1040,
          },
        }),
      ),
    );
    media.recv({
      msg_type: 17,
      content: {
        user_id: 16778240,
        user_name: 'Ann',
        data: 'hello',
        timestamp: 1100,
        start_time: 1000,
        end_time: 1100,
        language: 9,
      },
    });
    expect(got.audio).toEqual([{ userId: 0, timestamp: 1000, data: Buffer.alloc(640, 1) }]);
    expect(got.video[0]).toMatchObject({ userId: 16778240, userName: 'Ann', timestamp: 1040 });
    expect(got.transcript[0]).toMatchObject({ text: 'hello', startTime: 1000, endTime: 1100, language: 9 });
  });

  it('survives malformed JSON, unknown types, bad base64 and invalid shapes', () => {
    const { client, got, handshake } = setup();
    client.start();
    const [sig, media] = handshake();
    media.recv('{not json');
    media.recv({ msg_type: 99, foo: 1 });
    media.recv({ msg_type: 14, content: { user_id: 0, data: '@@not base64@@', timestamp: 1 } });
    sig.recv({ msg_type: 8 });
    media.recv({ msg_type: 14, content: { user_id: 0, data: 'AAAA', timestamp: 2 } });
    expect(got.audio.map((f) => f.timestamp)).toEqual([2]);
    expect(client.stats.badFrames).toBe(4);
    expect(got.ended).toHaveLength(0);
  });
});

describe('reconnection', () => {
  it('event 7 redoes only the media socket after 3 s, with a new msg 7', () => {
    const { client, sockets, handshake } = setup();
    client.start();
    const [sig] = handshake();
    sig.recv({ msg_type: 6, event: { event_type: 7, timestamp: 1 } });
    vi.advanceTimersByTime(3_000);
    expect(sockets).toHaveLength(3);
    expect(sockets[2]!.url).toBe(MEDIA_URL);
    sockets[2]!.emitOpen();
    sockets[2]!.recv({ msg_type: 4, status_code: 0 });
    expect(sig.sent.filter((m) => m.msg_type === 7)).toHaveLength(2);
    expect(client.state).toBe('streaming');
  });

  it('a dropped signaling socket redoes both with backoff 3 s, 6 s, 12 s and gives up after the window', () => {
    const { client, sockets, got, handshake } = setup();
    client.start();
    const [sig] = handshake();
    sig.emitClose(1006);
    const opened: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) {
      const before = sockets.length;
      while (sockets.length === before && got.ended.length === 0) vi.advanceTimersByTime(500);
      if (got.ended.length) break;
      opened.push(Date.now() - t0);
      sockets.at(-1)!.emitClose(1006);
    }
    expect(opened).toEqual([3_000, 9_000, 21_000, 45_000, 75_000]);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
  });

  it('re-sent rtms_started fails over to the new URL at once, and backoff resets after success', () => {
    const { client, sockets, handshake } = setup();
    client.start();
    handshake();
    client.failover('wss://rtms-other.zoom.us/signal');
    expect(sockets.at(-1)!.url).toBe('wss://rtms-other.zoom.us/signal');
    expect(sockets[0]!.closed && sockets[1]!.closed).toBe(true);
    handshake();
    expect(client.state).toBe('streaming');
  });

  it('a silent signaling socket (no keep-alive, no data for 65 s) is redone', () => {
    const { client, sockets, handshake } = setup();
    client.start();
    const [, media] = handshake();
    for (let i = 0; i < 14; i++) {
      vi.advanceTimersByTime(5_000);
      media.recv({ msg_type: 12, timestamp: i });
    }
    expect(sockets[0]!.closed).toBe(false);
    vi.advanceTimersByTime(12_000); // the watchdog checks every 65/4 s
    expect(sockets).toHaveLength(2);
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(3_000);
    expect(sockets).toHaveLength(3);
    expect(sockets.at(-1)!.url).toBe(SIG_URL);
  });

  it('keeps a stream alive through an hour of keep-alives', () => {
    const { client, got, handshake } = setup();
    client.start();
    const [sig, media] = handshake();
    for (let t = 0; t < 3600; t += 10) {
      vi.advanceTimersByTime(10_000);
      sig.recv({ msg_type: 12, timestamp: t });
      media.recv({ msg_type: 12, timestamp: t });
    }
    expect(client.stats.keepAlives).toBe(720);
    expect(sig.sent.filter((m) => m.msg_type === 13)).toHaveLength(360);
    expect(got.ended).toHaveLength(0);
    expect(client.state).toBe('streaming');
  });
});

describe('stopping', () => {
  it.each([
    [{ msg_type: 8, state: 4, reason: 6 }, 6],
    [{ msg_type: 9, state: 5, stop_reason: 8 }, 8],
  ])('%j ends the stream with its stop reason and never reconnects', (msg, reason) => {
    const { client, sockets, got, handshake } = setup();
    client.start();
    const [sig] = handshake();
    sig.recv(msg);
    sig.emitClose(1000);
    vi.advanceTimersByTime(120_000);
    expect(got.ended).toEqual([expect.objectContaining({ outcome: 'stopped', stopReason: reason })]);
    expect(sockets).toHaveLength(2);
  });

  it('rtms_stopped from the webhook waits 2 s for the last frames unless the server stops first; revoked ends at once', () => {
    const a = setup();
    a.client.start();
    const [, media] = a.handshake();
    a.client.stopped(6);
    media.recv({ msg_type: 14, content: { user_id: 0, data: 'AAAA', timestamp: 9 } });
    expect(a.got.ended).toHaveLength(0);
    vi.advanceTimersByTime(2_000);
    expect(a.got.ended).toEqual([expect.objectContaining({ outcome: 'stopped', stopReason: 6 })]);
    expect(a.got.audio).toHaveLength(1);
    const b = setup();
    b.client.start();
    b.handshake();
    b.client.stopped(8);
    expect(b.got.ended).toEqual([expect.objectContaining({ stopReason: 8 })]);
  });

  it('a stop on signaling still takes the last media frames, and ends as soon as the media socket closes', () => {
    const { client, got, handshake, sockets } = setup();
    client.start();
    const [sig, media] = handshake();
    sig.recv({ msg_type: 8, state: 4, reason: 6 });
    sig.emitClose(1000);
    media.recv({ msg_type: 14, content: { user_id: 0, data: 'AAAA', timestamp: 42 } });
    expect(got.ended).toHaveLength(0);
    media.emitClose(1000);
    expect(got.ended).toEqual([expect.objectContaining({ outcome: 'stopped', stopReason: 6 })]);
    expect(got.audio.map((f) => f.timestamp)).toEqual([42]);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2); // no reconnection while draining
  });

  it('close() sends msg 21 on signaling and ends on msg 22', () => {
    const { client, got, handshake } = setup();
    client.start();
    const [sig] = handshake();
    client.close();
    expect(sig.sent.at(-1)).toEqual({ msg_type: 21, rtms_stream_id: 'stream-1' });
    sig.recv({ msg_type: 22, status_code: 0, reason: 'OK' });
    expect(got.ended[0]).toMatchObject({ outcome: 'stopped', stopReason: 20 });
  });

  it('handOver() drops the sockets without msg 21 so another worker can take over', () => {
    const { client, got, handshake } = setup();
    client.start();
    const [sig, media] = handshake();
    client.handOver();
    expect(sig.types()).not.toContain(21);
    expect(sig.closed && media.closed).toBe(true);
    expect(got.ended[0]).toMatchObject({ outcome: 'handed-over' });
  });
});
