// The rtms-worker against a misbehaving RTMS server (the real simulator over real WebSockets):
// handshakes answered with garbage or nothing end the stream and free its lease and slot; a media
// URL off RTMS_ALLOWED_HOSTS is never opened; an 11 MiB audio frame is dropped, the recording kept.
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createMemoryLeaseStore } from '../core/adapters/local/memory-lease-store.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { loadTestMedia, type TestMedia } from '../demo/simulator/media.ts';
import { SIM_CLIENT, startRtmsSimulator, type RtmsSimulator } from '../demo/simulator/rtms-simulator.ts';
import { ffprobe, startedMessage, startHarness, type Harness } from '../test/simulator/worker-harness.ts';

const MEETING = 'h0stile+Server/abc==';
const leases = createMemoryLeaseStore();
let sim: RtmsSimulator;
let h: Harness;
let media: TestMedia;
let n = 0;
const streamId = () => `hostile-${process.pid}-${++n}`;

beforeAll(async () => {
  media = await loadTestMedia({ seconds: 4 });
  sim = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 1_000 });
  // handshake timeout and reconnect window shortened from 10 s / 90 s so a give-up takes seconds
  h = await startHarness({ leases, settings: { handshakeTimeoutMs: 1_000, reconnectWindowMs: 5_000 } });
});
afterAll(async () => {
  await h?.close();
  await sim?.close();
});

async function outcomeOf(id: string): Promise<string> {
  const session = h.worker.manager.sessionOf(id);
  expect(session, 'a session was claimed').toBeDefined();
  return session!.done;
}

describe('broken handshakes', () => {
  it.each([
    ['signaling', 'garbage'],
    ['signaling', 'silent'],
    ['media', 'garbage'],
    ['media', 'silent'],
  ] as const)(
    'a %s handshake answered with %s: retried, then the stream fails and frees its lease and slot',
    async (which, how) => {
      const id = streamId();
      const s = sim.stream({
        meetingUuid: MEETING,
        streamId: id,
        media,
        ...(which === 'signaling' ? { signalingReply: how } : { mediaReply: how }),
      });
      expect(await h.push(startedMessage(s))).toBe(204);
      const started = Date.now();
      expect(await outcomeOf(id)).toBe('failed');
      expect(Date.now() - started).toBeLessThan(15_000);
      // 1 s timeout, 3 s backoff, 1 s timeout, then the 5 s window is spent; media alone is redone
      expect([s.stats.signalingHandshakes, s.stats.mediaHandshakes]).toEqual(
        which === 'signaling' ? [2, 0] : [1, 2],
      );
      expect(h.worker.manager.activeStreams).toBe(0);
      expect(await leases.acquire(id, 'another-worker', 30_000)).toBe(true);
    },
    20_000,
  );
});

describe('RTMS_ALLOWED_HOSTS', () => {
  it('a media url in the signaling answer on a host off the list is never connected to', async () => {
    const trap = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => trap.once('listening', r));
    let connections = 0;
    trap.on('connection', (ws) => {
      connections++;
      ws.close();
    });
    try {
      const id = streamId();
      // loopback, but named `localhost`, which the harness's list (127.0.0.1) does not hold
      const mediaUrl = `ws://localhost:${(trap.address() as AddressInfo).port}/media`;
      const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, mediaUrl });
      expect(await h.push(startedMessage(s))).toBe(204);
      expect(await outcomeOf(id)).toBe('failed');
      expect(s.stats.signalingHandshakes).toBe(1);
      expect(connections).toBe(0);
      expect(await leases.acquire(id, 'another-worker', 30_000)).toBe(true);
    } finally {
      await new Promise((r) => trap.close(r));
    }
  });
});

describe('oversized frames', () => {
  it('an 11 MiB audio frame (msg 14) mid-stream: dropped, counted in the manifest, full recording stored', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 4_000, speed: 2 });
    expect(await h.push(startedMessage(s))).toBe(204);
    await s.ready;
    const data = Buffer.alloc(11 * 1024 * 1024, 7).toString('base64');
    s.sendRaw(
      'media',
      JSON.stringify({
        msg_type: 14,
        content: { user_id: 0, data, length: 11 * 1024 * 1024, timestamp: s.t0 + 1_000 },
      }),
    );
    expect(await outcomeOf(id)).toBe('finished');
    const dir = join(h.mediaDir, meetingKeyOf(MEETING), id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      status: 'incomplete',
      framesDropped: { oversized: 1 },
      durationMs: 4_000,
      audio: { durationMs: 4_000 },
    });
    expect(manifest.problems).toEqual(['1 frames over the size limits dropped']);
    expect((await stat(join(dir, 'audio.wav'))).size - 44).toBe(4 * 32_000);
    const probe = await ffprobe(join(dir, 'recording.mp4'));
    const v = probe.streams.find((x) => x.codec_type === 'video')!;
    const a = probe.streams.find((x) => x.codec_type === 'audio')!;
    expect(Number(v.duration)).toBeCloseTo(4, 0);
    expect(Math.abs(Number(v.duration) - Number(a.duration))).toBeLessThan(0.07);
  }, 30_000);
});
