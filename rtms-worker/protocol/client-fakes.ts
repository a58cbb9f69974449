// Test fakes for the RTMS client state machine: a socket that records what the client sends and lets
// a test play the Zoom side message by message, and a client wired to such sockets.
import { silentLogger } from '../../core/log.ts';
import type { RtmsEvent } from './messages.ts';
import {
  RtmsClient,
  type RtmsClientOptions,
  type RtmsEnd,
  type RtmsFrame,
  type RtmsTranscript,
} from './rtms-client.ts';
import type { RtmsSocket } from './socket.ts';

export class FakeSocket implements RtmsSocket {
  sent: Record<string, unknown>[] = [];
  closed = false;
  private handlers: Record<string, ((...a: never[]) => void)[]> = {};
  constructor(readonly url: string) {}
  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close() {
    this.closed = true;
  }
  terminate() {
    this.closed = true;
  }
  onOpen(cb: () => void) {
    (this.handlers.open ??= []).push(cb);
  }
  onMessage(cb: (d: string | Buffer) => void) {
    (this.handlers.message ??= []).push(cb as never);
  }
  onClose(cb: (c: number, r: string) => void) {
    (this.handlers.close ??= []).push(cb as never);
  }
  onError(cb: (e: Error) => void) {
    (this.handlers.error ??= []).push(cb as never);
  }
  emitOpen() {
    for (const h of this.handlers.open ?? []) (h as () => void)();
  }
  recv(msg: object | string | Buffer) {
    const data = typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg);
    for (const h of this.handlers.message ?? []) (h as (d: string | Buffer) => void)(data);
  }
  emitClose(code = 1006) {
    for (const h of this.handlers.close ?? []) (h as (c: number, r: string) => void)(code, '');
  }
  types() {
    return this.sent.map((m) => m.msg_type);
  }
}

export const SIG_URL = 'wss://rtms.example.zoom.us/signal';
export const MEDIA_URL = 'wss://rtms.example.zoom.us/all';

export function setup(
  overrides: { serverUrls?: string; allowedHosts?: string[] } & Partial<
    Pick<RtmsClientOptions, 'handshakeTimeoutMs' | 'watchdogMs'>
  > = {},
) {
  const sockets: FakeSocket[] = [];
  const got = {
    audio: [] as RtmsFrame[],
    video: [] as RtmsFrame[],
    transcript: [] as RtmsTranscript[],
    events: [] as RtmsEvent[],
    ended: [] as RtmsEnd[],
  };
  const client = new RtmsClient({
    meetingUuid: 'm+uuid==',
    streamId: 'stream-1',
    serverUrls: overrides.serverUrls ?? SIG_URL,
    allowedHosts: overrides.allowedHosts ?? ['*.zoom.us', 'x', 'z', '127.0.0.1'],
    clientId: 'cid',
    clientSecret: 'csecret',
    media: { videoFps: 25, resolution: 'hd' },
    socketFactory: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    handlers: {
      audio: (f) => got.audio.push(f),
      video: (f) => got.video.push(f),
      transcript: (t) => got.transcript.push(t),
      event: (e) => got.events.push(e),
      ended: (e) => got.ended.push(e),
    },
    log: silentLogger(),
    ...(overrides.handshakeTimeoutMs !== undefined && { handshakeTimeoutMs: overrides.handshakeTimeoutMs }),
    ...(overrides.watchdogMs !== undefined && { watchdogMs: overrides.watchdogMs }),
  });
  const last = () => sockets[sockets.length - 1]!;
  /** Drives both handshakes to the streaming state; returns [signaling, media]. */
  const handshake = () => {
    const sig = last();
    sig.emitOpen();
    sig.recv({
      msg_type: 2,
      status_code: 0,
      media_server: { server_urls: { all: MEDIA_URL, audio: 'wss://x/a' } },
    });
    const media = last();
    media.emitOpen();
    media.recv({ msg_type: 4, status_code: 0, media_params: {} });
    return [sig, media] as const;
  };
  return { client, sockets, got, last, handshake };
}
