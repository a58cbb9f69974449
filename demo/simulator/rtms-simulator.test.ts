// The RTMS simulator itself, driven by a raw WebSocket client: status codes for bad handshakes and
// dropping a client that never answers keep-alives (what Zoom does after 3 unanswered).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rtmsSignature } from '../../rtms-worker/protocol/messages.ts';
import { startRtmsSimulator, type RtmsSimulator, type SimStreamHandle } from './rtms-simulator.ts';

const CLIENT = { clientId: 'cid', clientSecret: 'secret' };
let sim: RtmsSimulator;
const interrupted: string[] = [];
beforeAll(async () => {
  sim = await startRtmsSimulator({
    ...CLIENT,
    keepAliveIntervalMs: 50,
    onInterrupted: (s: SimStreamHandle) => interrupted.push(s.streamId),
  });
});
afterAll(() => sim.close());

function connect(
  url: string,
): Promise<{ ws: WebSocket; next(): Promise<Record<string, unknown>>; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () =>
      resolve({
        ws,
        closed,
        next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))),
      }),
    );
    ws.on('error', reject);
  });
}

const hello = (meetingUuid: string, streamId: string, secret = CLIENT.clientSecret) =>
  JSON.stringify({
    msg_type: 1,
    protocol_version: 1,
    sequence: 1,
    meeting_uuid: meetingUuid,
    rtms_stream_id: streamId,
    signature: rtmsSignature(CLIENT.clientId, secret, meetingUuid, streamId),
  });

describe('rtms simulator', () => {
  it('answers a bad signature with status 3 and an unknown stream with status 2', async () => {
    const s = sim.stream({ meetingUuid: 'm1', streamId: 'sig-1' });
    const c = await connect(s.serverUrls);
    c.ws.send(hello('m1', 'sig-1', 'wrong'));
    expect(await c.next()).toMatchObject({ msg_type: 2, status_code: 3 });
    expect(await c.closed).toBe(1000);
    const d = await connect(s.serverUrls);
    d.ws.send(hello('m1', 'nope'));
    expect(await d.next()).toMatchObject({ msg_type: 2, status_code: 2 });
  });

  it('refuses a media handshake asking H.264 above 30 fps with status 30', async () => {
    const s = sim.stream({ meetingUuid: 'm2', streamId: 'fps-1' });
    const sig = await connect(s.serverUrls);
    sig.ws.send(hello('m2', 'fps-1'));
    const resp = (await sig.next()) as { media_server: { server_urls: { all: string } } };
    const media = await connect(resp.media_server.server_urls.all);
    media.ws.send(
      JSON.stringify({
        msg_type: 3,
        meeting_uuid: 'm2',
        rtms_stream_id: 'fps-1',
        signature: rtmsSignature(CLIENT.clientId, CLIENT.clientSecret, 'm2', 'fps-1'),
        media_type: 2,
        media_params: { video: { codec: 7, fps: 60 } },
      }),
    );
    expect(await media.next()).toMatchObject({ msg_type: 4, status_code: 30 });
  });

  it('drops a client that never answers keep-alives after 3 of them and reports the interruption', async () => {
    const s = sim.stream({ meetingUuid: 'm3', streamId: 'ka-1' });
    const c = await connect(s.serverUrls);
    c.ws.send(hello('m3', 'ka-1'));
    expect(await c.next()).toMatchObject({ msg_type: 2, status_code: 0 });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) seen.push((await c.next()).msg_type);
    expect(seen).toEqual([12, 12, 12]);
    await c.closed;
    expect(s.stats.keepAliveTimeouts).toBe(1);
    expect(interrupted).toContain('ka-1');
  });
});
