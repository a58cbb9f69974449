// The shared message pump: a flood of RTMS frames on real sockets is handled in bounded slices (the
// event loop keeps turning), in order, none lost, with the close reported after the last frame.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { MessagePump } from './message-pump.ts';
import { createWsSocketFactory } from './socket.ts';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('message pump', () => {
  it('a flood of 2,000 frames read at once never blocks the event loop for more than 150 ms; every frame arrives in order, the close after the last', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const frames = 2_000;
    const payload = 'x'.repeat(900);
    wss.on('connection', (ws) => {
      // written in one go: the receiving side finds ~2 MB waiting on its socket
      for (let i = 0; i < frames; i++) ws.send(JSON.stringify({ msg_type: 14, seq: i, data: payload }));
      ws.close(1000);
    });
    const pump = new MessagePump({ sliceMs: 5, pauseBytes: 64 * 1024 });
    const socket = createWsSocketFactory(pump)(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const seen: number[] = [];
    let closedAfter = -1;
    socket.onMessage((data) => {
      busy(0.2); // what parsing and capturing one frame costs, roughly
      seen.push((JSON.parse(String(data)) as { seq: number }).seq);
    });
    const closed = new Promise<void>((resolve) =>
      socket.onClose(() => {
        closedAfter = seen.length;
        resolve();
      }),
    );
    let last = performance.now();
    let maxGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 1);
    await closed;
    clearInterval(tick);
    wss.close();
    expect(seen).toEqual(Array.from({ length: frames }, (_, i) => i));
    expect(closedAfter).toBe(frames);
    expect(pump.yields).toBeGreaterThan(10);
    expect(maxGap).toBeLessThan(150);
  });

  it('pauses a socket whose queue is over its byte bound and resumes it at half, delivering everything', async () => {
    const pump = new MessagePump({ sliceMs: 1_000, pauseBytes: 100 });
    const flow: string[] = [];
    const got: string[] = [];
    const inbox = pump.inbox(
      (b) => got.push(b.toString()),
      (err) => {
        throw err;
      },
      { pause: () => flow.push('pause'), resume: () => flow.push(`resume at ${got.length}`) },
    );
    for (let i = 0; i < 5; i++) inbox.push(Buffer.from(`${i}`.repeat(30)), false);
    expect(inbox.paused).toBe(true);
    expect(flow).toEqual(['pause']);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['0', '1', '2', '3', '4'].map((c) => c.repeat(30)));
    // 150 bytes queued -> paused at the 4th push (120 > 100); resumed once 50 or fewer remain
    expect(flow).toEqual(['pause', 'resume at 3']);
    expect(inbox.queuedBytes).toBe(0);
  });
});
