// The RTMS simulator in its own process, driven over IPC (benchmarks keep Zoom's side off the
// worker's CPU): `{cmd:'streams'}` opens streams, `silence`, `stats`, `stop` act on all of them.
import { loadTestMedia, type TestMedia } from '../../demo/simulator/media.ts';
import { startRtmsSimulator, type SimStreamHandle } from '../../demo/simulator/rtms-simulator.ts';

export type SimCommand =
  | { cmd: 'streams'; prefix: string; count: number; meetingUuid: string; media: 'h264-720p25' | 'tiny' }
  | { cmd: 'silence'; on: boolean }
  | { cmd: 'stats' }
  | { cmd: 'stop'; reason: number }
  | { cmd: 'exit' };

export interface SimStreamStats {
  streamId: string;
  ready: boolean;
  sent: { audio: number; video: number; transcript: number };
  keepAliveTimeouts: number;
  reconnects: number;
}

async function main(): Promise<void> {
  const clientId = process.env.SIM_CLIENT_ID ?? 'sim-client-id';
  const clientSecret = process.env.SIM_CLIENT_SECRET ?? 'sim-client-secret';
  const sim = await startRtmsSimulator({ clientId, clientSecret });
  const streams: { h: SimStreamHandle; ready: boolean }[] = [];
  let media: TestMedia | undefined;
  const reply = (m: unknown) => process.send!(m);
  process.on('message', (raw) => {
    void (async () => {
      const m = raw as SimCommand;
      switch (m.cmd) {
        case 'streams': {
          if (m.media === 'h264-720p25') media ??= await loadTestMedia({ seconds: 4 });
          const urls: { streamId: string; serverUrls: string }[] = [];
          for (let i = 0; i < m.count; i++) {
            const h = sim.stream({
              meetingUuid: m.meetingUuid,
              streamId: `${m.prefix}-${i}`,
              ...(media && { media }),
            });
            const entry = { h, ready: false };
            void h.ready.then(() => (entry.ready = true));
            streams.push(entry);
            urls.push({ streamId: h.streamId, serverUrls: h.serverUrls });
          }
          return reply({ ok: 'streams', urls });
        }
        case 'silence':
          for (const s of streams) s.h.silence(m.on);
          return reply({ ok: 'silence' });
        case 'stats':
          return reply({
            ok: 'stats',
            cpu: process.cpuUsage(),
            streams: streams.map((s): SimStreamStats => ({
              streamId: s.h.streamId,
              ready: s.ready,
              sent: {
                audio: s.h.stats.sent.audio,
                video: s.h.stats.sent.video,
                transcript: s.h.stats.sent.transcript,
              },
              keepAliveTimeouts: s.h.stats.keepAliveTimeouts,
              reconnects: s.h.stats.signalingHandshakes + s.h.stats.mediaHandshakes - 2,
            })),
          });
        case 'stop':
          for (const s of streams.splice(0)) s.h.stop(m.reason);
          return reply({ ok: 'stop' });
        case 'exit':
          await sim.close();
          process.exit(0);
      }
    })();
  });
  reply({ ok: 'started', url: sim.url });
}

void main();
