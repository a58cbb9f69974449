// The rtms-worker end to end against the RTMS simulator over real WebSockets, through the real
// capture and ffmpeg: recordings checked with ffprobe, events in DuckDB, drops, failover, bad input.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { createMemoryLeaseStore } from '../core/adapters/local/memory-lease-store.ts';
import { loadTestMedia, type TestMedia } from '../demo/simulator/media.ts';
import { SIM_CLIENT, startRtmsSimulator, type RtmsSimulator } from '../demo/simulator/rtms-simulator.ts';
import { ffprobe, startedMessage, startHarness, type Harness } from '../test/simulator/worker-harness.ts';

let sim: RtmsSimulator;
let h: Harness;
let media: TestMedia;
let n = 0;
const streamId = () => `stream-${process.pid}-${++n}`;
const MEETING = 'Zk2x+Qb62ED7Q/abc1==';

beforeAll(async () => {
  media = await loadTestMedia({ seconds: 4 });
  sim = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 1_000 });
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  await sim?.close();
});

function recordingDir(id: string): string {
  return join(h.mediaDir, meetingKeyOf(MEETING), id);
}

async function sessionDone(id: string) {
  const session = h.worker.manager.sessionOf(id);
  expect(session, 'a session was claimed').toBeDefined();
  const outcome = await session!.done;
  return { outcome, stats: session!.stats };
}

describe('a whole stream', () => {
  it('captures audio, video, transcript and events into mp4/wav/vtt/srt/txt/manifest, in sync across gaps', async () => {
    const id = streamId();
    const s = sim.stream({
      meetingUuid: MEETING,
      streamId: id,
      media,
      durationMs: 4_000,
      speed: 2,
      gaps: [
        { kind: 'audio', fromMs: 600, toMs: 1_000 },
        { kind: 'video', fromMs: 1_800, toMs: 2_600 },
      ],
      events: [
        { atMs: 1_800, eventType: 9, userIds: [16778240] },
        { atMs: 2_600, eventType: 8, userIds: [16778240] },
        { atMs: 3_000, eventType: 2, userIds: [33556610] },
        { atMs: 3_500, eventType: 4, userIds: [33556610] },
      ],
    });
    expect(await h.push(startedMessage(s))).toBe(204);
    const { outcome, stats } = await sessionDone(id);
    expect(outcome).toBe('finished');
    expect(await s.ended).toBe(6);
    expect(s.stats.subscriptions[0]).toEqual([2, 3, 4, 8, 9]);
    expect(s.stats.readyAcks).toBe(1);
    expect(s.stats.keepAliveTimeouts).toBe(0);
    expect(stats).toMatchObject({
      audio: s.stats.sent.audio,
      video: s.stats.sent.video,
      transcript: s.stats.sent.transcript,
    });

    const files = await h.storedFiles();
    const prefix = `${meetingKeyOf(MEETING)}/${id}/`;
    for (const f of [
      'recording.mp4',
      'audio.wav',
      'transcript.vtt',
      'transcript.srt',
      'transcript.txt',
      'manifest.json',
    ])
      expect(files).toContain(prefix + f);

    const probe = await ffprobe(join(recordingDir(id), 'recording.mp4'));
    const v = probe.streams.find((x) => x.codec_type === 'video')!;
    const a = probe.streams.find((x) => x.codec_type === 'audio')!;
    expect(v.codec_name).toBe('h264');
    expect(a.codec_name).toBe('aac');
    expect(Number(v.duration)).toBeCloseTo(4, 0);
    expect(Math.abs(Number(v.duration) - Number(a.duration))).toBeLessThan(0.04 + 0.03); // one frame (+ AAC priming)
    const wav = await stat(join(recordingDir(id), 'audio.wav'));
    expect(wav.size - 44).toBe(4 * 32_000);
    const vtt = await readFile(join(recordingDir(id), 'transcript.vtt'), 'utf8');
    expect(vtt).toMatch(/^WEBVTT/);
    expect(vtt).toContain('Utterance 1 from Ann Example');
    const manifest = JSON.parse(await readFile(join(recordingDir(id), 'manifest.json'), 'utf8')) as {
      meetingUuid: string;
      streamId: string;
    };
    expect(manifest).toMatchObject({ meetingUuid: MEETING, streamId: id });

    const rows = await h.rtmsRows(id);
    expect(rows.map((r) => `${r.action}:${r.participant_id}`)).toEqual([
      'JOIN:16778240',
      'JOIN:33556610',
      'VIDEO_OFF:16778240',
      'VIDEO_ON:16778240',
      'ACTIVE_SPEAKER:33556610',
      'LEAVE:33556610',
    ]);
    expect(rows.find((r) => r.action === 'LEAVE')!.participant_name).toBe('Bob Example');
  });
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('drops and failover', () => {
  it('media drop, signaling interruption and a socket cut mid-frame: reconnects, buffered audio replayed, recording covers the stream', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 12_000, speed: 1 });
    expect(await h.push(startedMessage(s))).toBe(204);
    await s.ready;
    const client = () => h.worker.manager.sessionOf(id)!.stats!;
    // a TCP cut loses what is in flight, as with Zoom: each fault waits until the client has caught up
    const caughtUp = () =>
      waitFor(
        () =>
          s.audioBacklogMs() < 100 &&
          client().audio === s.stats.sent.audio &&
          client().video === s.stats.sent.video,
      );
    await new Promise((r) => setTimeout(r, 500));
    await caughtUp();
    s.dropMedia();
    await waitFor(() => s.stats.readyAcks >= 2);
    await caughtUp();
    s.interrupt();
    expect(await h.push({ ...startedMessage(s), kind: 'interrupted', eventId: `int-${id}` })).toBe(204);
    await waitFor(() => s.stats.signalingHandshakes >= 2 && s.stats.readyAcks >= 3);
    await caughtUp();
    s.closeMidFrame('media');
    await waitFor(() => s.stats.readyAcks >= 4);
    const { outcome, stats } = await sessionDone(id);
    expect(outcome).toBe('finished');
    expect(stats!.reconnects).toBeGreaterThanOrEqual(3);
    expect(stats!.audio).toBe(s.stats.sent.audio);
    expect(stats!.audio).toBe(12_000 / 20); // audio buffered by the server during each outage is replayed
    expect(stats!.video).toBe(s.stats.sent.video);
    expect(s.stats.videoLostWhileDown).toBeGreaterThan(100); // video is not buffered: the mp4 holds the last frame
    const probe = await ffprobe(join(recordingDir(id), 'recording.mp4'));
    const v = probe.streams.find((x) => x.codec_type === 'video')!;
    const a = probe.streams.find((x) => x.codec_type === 'audio')!;
    expect(Number(v.duration)).toBeGreaterThan(11.5);
    expect(Math.abs(Number(v.duration) - Number(a.duration))).toBeLessThan(0.07);
    expect((await stat(join(recordingDir(id), 'audio.wav'))).size - 44).toBe(12 * 32_000);
  }, 40_000);

  it('a re-sent rtms_started fails over to the new server at once; a redelivered one changes nothing', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 3_000, speed: 1 });
    const first = startedMessage(s);
    expect(await h.push(first)).toBe(204);
    await s.ready;
    expect(await h.push(first)).toBe(204);
    await new Promise((r) => setTimeout(r, 500));
    const urls = s.failover();
    const t = Date.now();
    expect(await h.push({ ...startedMessage({ ...s, serverUrls: urls }), eventId: `restart-${id}` })).toBe(
      204,
    );
    await waitFor(() => s.stats.readyAcks === 2);
    expect(Date.now() - t).toBeLessThan(2_000); // no backoff on failover
    const { outcome } = await sessionDone(id);
    expect(outcome).toBe('finished');
    expect(s.stats.signalingHandshakes).toBe(2);
    expect(s.stats.refused).toEqual([]);
  }, 30_000);
});

describe('one capture per stream', () => {
  it('a duplicate start on a second worker sharing the lease store never opens a second capture', async () => {
    const leases = createMemoryLeaseStore();
    const a = await startHarness({ leases });
    const b = await startHarness({ leases });
    try {
      const id = streamId();
      const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 2_000, speed: 2 });
      const [ra, rb] = await Promise.all([a.push(startedMessage(s)), b.push(startedMessage(s))]);
      expect([ra, rb].sort()).toEqual([204, 503]); // the loser asks Pub/Sub to redeliver while the lease may be a dead worker's
      const owner = a.worker.manager.sessionOf(id) ? a : b;
      expect((a.worker.manager.sessionOf(id) ? 1 : 0) + (b.worker.manager.sessionOf(id) ? 1 : 0)).toBe(1);
      expect(await owner.worker.manager.sessionOf(id)!.done).toBe('finished');
      expect(s.stats.signalingHandshakes).toBe(1);
      expect(await leases.acquire(id, 'someone-else', 1_000)).toBe(true); // released after the stream
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});

describe('bad input', () => {
  it('a refused handshake fails only its own stream; a concurrent stream on the same worker is unaffected', async () => {
    const bad = sim.stream({
      meetingUuid: MEETING,
      streamId: streamId(),
      media,
      durationMs: 2_000,
      signalingStatus: 3,
    });
    const good = sim.stream({
      meetingUuid: MEETING,
      streamId: streamId(),
      media,
      durationMs: 2_000,
      speed: 2,
    });
    expect(await h.push(startedMessage(bad))).toBe(204);
    expect(await h.push(startedMessage(good))).toBe(204);
    const badSession = h.worker.manager.sessionOf(bad.streamId)!;
    const goodDone = sessionDone(good.streamId);
    expect(await badSession.done).toBe('failed');
    expect(bad.stats.refused).toEqual([3]);
    expect((await h.storedFiles()).filter((f) => f.includes(bad.streamId))).toEqual([]); // no empty recording
    expect((await goodDone).outcome).toBe('finished');
  }, 30_000);

  it('malformed JSON, unknown types, bad base64, binary frames and video starting without SPS/PPS: logged, skipped, recording valid', async () => {
    const id = streamId();
    const s = sim.stream({
      meetingUuid: MEETING,
      streamId: id,
      media,
      durationMs: 3_000,
      speed: 2,
      binaryFrames: true,
      videoStartFrame: 7,
    });
    expect(await h.push(startedMessage(s))).toBe(204);
    await s.ready;
    s.sendRaw('media', '{"msg_type": 14, "content": ');
    s.sendRaw('media', JSON.stringify({ msg_type: 77, hello: 'world' }));
    s.sendRaw(
      'media',
      JSON.stringify({
        msg_type: 14,
        content: { user_id: 0, data: '!!!not-base64!!!', timestamp: Date.now() },
      }),
    );
    s.sendRaw('signaling', JSON.stringify({ msg_type: 8, state: 'weird' }));
    const { outcome, stats } = await sessionDone(id);
    expect(outcome).toBe('finished');
    expect(stats!.badFrames).toBe(4);
    expect(stats!.audio).toBe(s.stats.sent.audio);
    const probe = await ffprobe(join(recordingDir(id), 'recording.mp4'));
    expect(probe.streams.map((x) => x.codec_name).sort()).toEqual(['aac', 'h264']);
  }, 30_000);

  it('a server that goes silent (no keep-alives, no media) is detected by the watchdog and reconnected', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 4_000, speed: 1 });
    expect(await h.push(startedMessage(s))).toBe(204);
    await s.ready;
    s.silence(true);
    await waitFor(() => (h.worker.manager.sessionOf(id)?.stats?.reconnects ?? 0) > 0, 10_000);
    s.silence(false);
    const { outcome } = await sessionDone(id);
    expect(outcome).toBe('finished');
    expect(s.stats.signalingHandshakes).toBe(2);
  }, 30_000);

  it('a full disk when the capture opens fails that stream cleanly: lease released, no connection to Zoom', async () => {
    const leases = createMemoryLeaseStore();
    const full = await startHarness({
      leases,
      openCapture: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, mkdir'), { code: 'ENOSPC' });
      },
    });
    try {
      const id = streamId();
      const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 1_000 });
      expect(await full.push(startedMessage(s))).toBe(204);
      await waitFor(() => full.worker.manager.activeStreams === 0);
      expect(s.stats.signalingHandshakes).toBe(0);
      expect(await leases.acquire(id, 'another-worker', 1_000)).toBe(true);
      s.stop(6);
    } finally {
      await full.close();
    }
  });

  it('a stale start after the stream finished never overwrites its recording', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, durationMs: 1_000, speed: 2 });
    expect(await h.push(startedMessage(s))).toBe(204);
    expect((await sessionDone(id)).outcome).toBe('finished');
    const before = await readFile(join(recordingDir(id), 'manifest.json'), 'utf8');
    expect(await h.push({ ...startedMessage(s), eventId: `late-${id}` })).toBe(204); // Zoom answers status 2: stream is over
    expect((await sessionDone(id)).outcome).toBe('failed');
    expect(await readFile(join(recordingDir(id), 'manifest.json'), 'utf8')).toBe(before);
    expect(
      await h.push({ ...startedMessage(s), kind: 'stopped', eventId: `stop-${id}`, stopReason: 6 }),
    ).toBe(204);
    expect(await readFile(join(recordingDir(id), 'manifest.json'), 'utf8')).toBe(before);
  }, 30_000);

  it('a revoked stream (stop reason 8) leaves nothing stored', async () => {
    const id = streamId();
    const s = sim.stream({ meetingUuid: MEETING, streamId: id, media, speed: 1 });
    expect(await h.push(startedMessage(s))).toBe(204);
    await s.ready;
    await new Promise((r) => setTimeout(r, 800));
    s.stop(8);
    const { outcome } = await sessionDone(id);
    expect(outcome).toBe('discarded');
    expect((await h.storedFiles()).filter((f) => f.includes(id))).toEqual([]);
  }, 30_000);
});

describe('keep-alive', () => {
  it('answers every keep-alive on both sockets over a long stream (150 ms keep-alive period, 3 s)', async () => {
    const fast = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 150 });
    try {
      const id = streamId();
      const s = fast.stream({
        meetingUuid: MEETING,
        streamId: id,
        media,
        durationMs: 3_000,
        speed: 1,
        transcriptEveryMs: 0,
      });
      expect(await h.push(startedMessage(s))).toBe(204);
      const { outcome, stats } = await sessionDone(id);
      expect(outcome).toBe('finished');
      expect(s.stats.keepAlivesSent).toBeGreaterThan(12);
      expect(s.stats.keepAlivesAnswered).toBeGreaterThanOrEqual(s.stats.keepAlivesSent - 2);
      expect(s.stats.keepAliveTimeouts).toBe(0);
      expect(stats!.reconnects).toBe(0);
    } finally {
      await fast.close();
    }
  }, 30_000);
});
