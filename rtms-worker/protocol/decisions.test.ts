// Table tests of the pure RTMS decisions (rtms-worker/README.md, Protocol).
import { describe, expect, it } from 'vitest';
import {
  checkSocketUrl,
  chooseServerUrl,
  isSilent,
  judgeHandshake,
  onConnectionLost,
  onSessionState,
  onStreamState,
  pickMediaUrls,
  reconnectDelay,
} from './decisions.ts';

describe('reconnectDelay', () => {
  it.each([
    [0, 3_000],
    [1, 6_000],
    [2, 12_000],
    [3, 24_000],
    [4, 30_000],
    [50, 30_000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(reconnectDelay(attempt)).toBe(ms));
});

describe('urls', () => {
  it.each([
    ['wss://a.zoom.us/x', 'wss://a.zoom.us/x'],
    ['https://a.zoom.us/x, wss://b.zoom.us/y', 'wss://b.zoom.us/y'],
    ['ws://127.0.0.1:5/x, wss://c.zoom.us/z', 'wss://c.zoom.us/z'],
    ['ws://127.0.0.1:5/x', 'ws://127.0.0.1:5/x'],
  ])('chooseServerUrl(%j) = %j', (given, want) =>
    expect(chooseServerUrl(given, ['*.zoom.us', '127.0.0.1'])).toEqual({ ok: true, url: want }),
  );

  const LOCAL = ['*.zoom.us', '127.0.0.1', 'localhost', '::1'];
  it.each([
    ['wss://rtms.zoom.us/a', true],
    ['wss://rtms-sjc1.zoom.us/a', true],
    ['wss://a.b.ZOOM.US./a', true],
    ['ws://127.0.0.1:8000/a', true],
    ['ws://localhost:8000/a', true],
    ['ws://[::1]:8000/a', true],
    ['ws://rtms.zoom.us/a', false],
    ['ws://10.0.0.1/a', false],
    ['ws://127.0.0.2/a', false],
    ['wss://zoom.us/a', false],
    ['wss://evilzoom.us/a', false],
    ['wss://rtms.zoom.us.evil.example/a', false],
    ['wss://rtms.zoom.us@evil.example/a', false],
    ['wss://evil.example/a', false],
    ['http://rtms.zoom.us/a', false],
    ['garbage', false],
  ])('checkSocketUrl(%s) with a local allow list: ok=%s', (url, ok) =>
    expect(checkSocketUrl(url, LOCAL).ok).toBe(ok),
  );

  it.each([
    ['wss://rtms-sjc1.zoom.us/a', true],
    ['ws://127.0.0.1:8000/a', false],
    ['wss://127.0.0.1:8000/a', false],
    ['wss://rtms.example.com/a', false],
  ])('checkSocketUrl(%s) with the default allow list *.zoom.us: ok=%s', (url, ok) =>
    expect(checkSocketUrl(url, ['*.zoom.us']).ok).toBe(ok),
  );

  it('chooseServerUrl takes the first allowed url of server_urls, wss first, and says why none is', () => {
    expect(chooseServerUrl('wss://evil.example/s, wss://rtms.zoom.us/s', ['*.zoom.us'])).toEqual({
      ok: true,
      url: 'wss://rtms.zoom.us/s',
    });
    expect(chooseServerUrl('ws://127.0.0.1:9/s,wss://a.zoom.us/s', ['*.zoom.us', '127.0.0.1'])).toEqual({
      ok: true,
      url: 'wss://a.zoom.us/s',
    });
    expect(chooseServerUrl('wss://evil.example/s', ['*.zoom.us'])).toEqual({
      ok: false,
      why: 'host evil.example is not in RTMS_ALLOWED_HOSTS (*.zoom.us)',
    });
    expect(chooseServerUrl(' , ', ['*.zoom.us'])).toEqual({ ok: false, why: 'no server url' });
  });

  it('prefers the all socket, else one per requested type', () => {
    expect(pickMediaUrls({ all: 'wss://a', audio: 'wss://b' })).toEqual({ all: 'wss://a' });
    expect(pickMediaUrls({ audio: 'wss://b', video: 'wss://c', chat: 'wss://d' })).toEqual({
      audio: 'wss://b',
      video: 'wss://c',
    });
  });
});

describe('judgeHandshake', () => {
  it.each([
    [0, 0, 'ok'],
    [8, 0, 'retry'],
    [8, 4, 'retry'],
    [8, 5, 'fatal'],
    [16, 0, 'retry'],
    [3, 0, 'fatal'],
    [2, 0, 'fatal'],
    [25, 0, 'fatal'],
  ])('status %i after %i duplicate retries: %s', (status, retries, kind) =>
    expect(judgeHandshake(status, 'r', retries).kind).toBe(kind),
  );
});

describe('state updates', () => {
  it.each([
    [4, 6, { kind: 'stop', stopReason: 6 }],
    [4, undefined, { kind: 'stop' }],
    [2, 14, { kind: 'reconnect-media' }],
    [2, 16, { kind: 'reconnect-media' }],
    [2, 13, { kind: 'reconnect-all' }],
    [1, undefined, { kind: 'none' }],
    [3, 6, { kind: 'none' }],
    [5, undefined, { kind: 'none' }],
  ])('stream state %i reason %s -> %j', (state, reason, want) =>
    expect(onStreamState(state, reason)).toEqual(want),
  );

  it.each([
    [5, 8, { kind: 'stop', stopReason: 8 }],
    [2, undefined, { kind: 'none' }],
    [3, undefined, { kind: 'none' }],
  ])('session state %i stop %s -> %j', (state, reason, want) =>
    expect(onSessionState(state, reason)).toEqual(want),
  );
});

describe('onConnectionLost', () => {
  it.each([
    [0, 0, { kind: 'retry', delayMs: 3_000, attempt: 1 }],
    [3, 40_000, { kind: 'retry', delayMs: 24_000, attempt: 4 }],
    [4, 70_000, { kind: 'give-up' }],
  ])('attempt %i, %i ms lost', (attempt, elapsed, want) =>
    expect(onConnectionLost(attempt, 1_000, 1_000 + elapsed)).toMatchObject(want),
  );
});

it('isSilent', () => {
  expect(isSilent(0, 65_000, 65_000)).toBe(false);
  expect(isSilent(0, 65_001, 65_000)).toBe(true);
});

describe('frames', async () => {
  const { decodeBase64, parseFrame } = await import('./messages.ts');
  it.each([
    ['AAAA', 3],
    ['AAA=', 2],
    ['AA==', 1],
    ['', 0],
    ['data:image/jpeg;base64,AAAA', 3],
  ])('decodeBase64(%j) has %i bytes', (text, n) => expect(decodeBase64(text)?.length).toBe(n));
  it.each(['A', 'AAA', '!!!!', 'AA!A', 'A===', 'AAAA AAA'])('decodeBase64(%j) is refused', (text) =>
    expect(decodeBase64(text)).toBeUndefined(),
  );
  it('media frames take the fast path with the same rules as the schema', () => {
    expect(parseFrame('{"msg_type":14,"content":{"data":"AAAA","timestamp":5}}')).toMatchObject({
      ok: true,
      msg: { content: { user_id: 0 } },
    });
    expect(
      parseFrame('{"msg_type":15,"content":{"user_id":"16778240","data":"AAAA","timestamp":5}}'),
    ).toMatchObject({ ok: true, msg: { content: { user_id: 16778240 } } });
    expect(parseFrame('{"msg_type":14,"content":{"data":5,"timestamp":5}}')).toMatchObject({
      ok: false,
      kind: 'invalid',
    });
    expect(parseFrame('{"msg_type":17,"content":{"data":"hi","timestamp":5,"language":"en"}}')).toMatchObject(
      { ok: false, kind: 'invalid' },
    );
    expect(parseFrame(Buffer.from('{"msg_type":12,"timestamp":7}'))).toEqual({
      ok: true,
      msg: { msg_type: 12, timestamp: 7 },
    });
  });
});
