// The RTMS client against servers that misbehave (fake sockets, fake timers): handshakes answered
// with garbage or not at all time out and end in the existing backoff/give-up; URLs outside
// RTMS_ALLOWED_HOSTS are never opened; garbage is no sign of life for the watchdog.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIG_URL, setup } from './client-fakes.ts';

beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => vi.useRealTimers());

/** Advances in 250 ms steps until `done()` or `maxMs`; returns the time it took. */
function advanceUntil(done: () => boolean, maxMs: number): number {
  const t0 = Date.now();
  while (!done() && Date.now() - t0 < maxMs) vi.advanceTimersByTime(250);
  return Date.now() - t0;
}

describe('handshake timeouts', () => {
  it('a signaling handshake answered only with garbage is dropped after 10 s, retried with backoff, then the stream fails', () => {
    const { client, sockets, got } = setup();
    client.start();
    const opened: number[] = [];
    const t0 = Date.now();
    const seen = new Set<unknown>();
    const garbage = setInterval(() => {
      const s = sockets.at(-1)!;
      if (!seen.has(s)) {
        seen.add(s);
        opened.push(Date.now() - t0);
        s.emitOpen();
      }
      if (!s.closed) s.recv('HTTP/1.1 200 OK garbage \u0000\u0001');
    }, 100);
    advanceUntil(() => got.ended.length > 0, 300_000);
    clearInterval(garbage);
    // each attempt: 10 s handshake timeout, then 3 s, 6 s, 12 s, 24 s backoff (reconnect window 90 s)
    expect(opened).toEqual([0, 13_000, 29_000, 51_000, 85_000].map((t) => t + 100));
    expect(got.ended).toHaveLength(1);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toContain('signaling handshake not answered within 10000 ms');
    expect(client.stats.handshakeTimeouts).toBe(5);
    expect(sockets.every((s) => s.closed)).toBe(true);
    expect(client.state).toBe('ended');
  });

  it('a signaling socket that never opens (or never answers) times out the same way', () => {
    const { client, sockets, got } = setup({ handshakeTimeoutMs: 2_000 });
    client.start();
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1_999);
    expect(sockets[0]!.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(3_000);
    expect(sockets).toHaveLength(2);
    advanceUntil(() => got.ended.length > 0, 300_000);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
  });

  it('a media handshake never answered redoes only the media socket, then fails after the window', () => {
    const { client, sockets, got, last } = setup();
    client.start();
    const sig = last();
    sig.emitOpen();
    sig.recv({ msg_type: 2, status_code: 0, media_server: { server_urls: { all: 'wss://m.zoom.us/all' } } });
    last().emitOpen();
    vi.advanceTimersByTime(10_000);
    expect(client.stats.handshakeTimeouts).toBe(1);
    vi.advanceTimersByTime(2_999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    expect(sockets[1]!.closed).toBe(true);
    expect(sig.closed).toBe(false);
    expect(sockets[2]!.url).toBe('wss://m.zoom.us/all');
    // keep the signaling socket alive with keep-alives while media never answers
    advanceUntil(() => {
      sig.recv({ msg_type: 12, timestamp: Date.now() });
      for (const s of sockets.slice(1)) if (!s.closed && s.sent.length === 0) s.emitOpen();
      return got.ended.length > 0;
    }, 300_000);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toContain('handshake not answered');
    expect(sockets.slice(1).every((s) => s.url === 'wss://m.zoom.us/all')).toBe(true);
    expect(sockets.every((s) => s.closed)).toBe(true);
  });

  it('an answered handshake cancels the timeout: streaming survives past it', () => {
    const { client, got, handshake } = setup({ handshakeTimeoutMs: 1_000 });
    client.start();
    const [sig, media] = handshake();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1_000);
      sig.recv({ msg_type: 12, timestamp: i });
      media.recv({ msg_type: 12, timestamp: i });
    }
    expect(got.ended).toHaveLength(0);
    expect(client.state).toBe('streaming');
    expect(client.stats.handshakeTimeouts).toBe(0);
  });

  it('garbage is no sign of life: a streaming socket sending only garbage is redone by the watchdog', () => {
    const { client, sockets, handshake } = setup({ watchdogMs: 8_000 });
    client.start();
    const [sig, media] = handshake();
    for (let i = 0; i < 40; i++) {
      vi.advanceTimersByTime(250);
      sig.recv('{garbage');
      media.recv({ msg_type: 12, timestamp: i });
    }
    expect(sig.closed).toBe(true);
    expect(sockets).toHaveLength(2);
  });
});

describe('RTMS_ALLOWED_HOSTS', () => {
  it('never opens a server_urls host outside the list (default *.zoom.us)', () => {
    const { client, sockets, got } = setup({
      serverUrls: 'wss://rtms.evil.example/signal',
      allowedHosts: ['*.zoom.us'],
    });
    client.start();
    expect(sockets).toHaveLength(0);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toBe(
      'refusing signaling url: host rtms.evil.example is not in RTMS_ALLOWED_HOSTS (*.zoom.us)',
    );
  });

  it('ws:// to loopback only when loopback is listed (local use)', () => {
    const prod = setup({ serverUrls: 'ws://127.0.0.1:9/s', allowedHosts: ['*.zoom.us'] });
    prod.client.start();
    expect(prod.sockets).toHaveLength(0);
    const local = setup({ serverUrls: 'ws://127.0.0.1:9/s', allowedHosts: ['127.0.0.1'] });
    local.client.start();
    expect(local.sockets.map((s) => s.url)).toEqual(['ws://127.0.0.1:9/s']);
  });

  it('never opens a media url from the signaling answer outside the list', () => {
    const { client, sockets, got, last } = setup({ allowedHosts: ['*.zoom.us'] });
    client.start();
    last().emitOpen();
    last().recv({
      msg_type: 2,
      status_code: 0,
      media_server: { server_urls: { all: 'wss://169.254.169.254/latest/meta-data' } },
    });
    expect(sockets.map((s) => s.url)).toEqual([SIG_URL]);
    expect(got.ended[0]).toMatchObject({ outcome: 'failed' });
    expect(got.ended[0]!.detail).toContain(
      'refusing media url: host 169.254.169.254 is not in RTMS_ALLOWED_HOSTS',
    );
  });

  it('a failover to a host outside the list is ignored and the stream keeps streaming', () => {
    const { client, sockets, got, handshake } = setup({ allowedHosts: ['*.zoom.us'] });
    client.start();
    handshake();
    client.failover('wss://attacker.example/signal');
    expect(sockets).toHaveLength(2);
    expect(sockets.some((s) => s.closed)).toBe(false);
    expect(client.state).toBe('streaming');
    expect(got.ended).toHaveLength(0);
  });
});
