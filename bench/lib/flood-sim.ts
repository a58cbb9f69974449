// An RTMS flood from the simulator in a child process (Zoom's side stays off the measured process's
// CPU): N streams of tiny audio and video frames at many times real time, falling silent (a gap
// with no end, the sockets kept open) once each has sent its share of `frames`.
// `startFloodSim()` forks this file; run as a child it serves the commands below over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRtmsSimulator, type SimStreamHandle } from '../../demo/simulator/rtms-simulator.ts';

export type FloodCommand =
  | { cmd: 'flood'; meetingUuid: string; streams: number; speed: number; frames: number }
  | { cmd: 'stats' }
  | { cmd: 'stop'; reason: number };

export interface FloodReply {
  urls?: { streamId: string; serverUrls: string }[];
  /** Frames sent over all streams (audio + video + transcript), and streams whose media flows. */
  sent?: number;
  ready?: number;
  /** Frames the flood sends in all (its streams' timelines up to their gap). */
  expected?: number;
}

export interface FloodSim {
  call(c: FloodCommand): Promise<FloodReply>;
  kill(): void;
}

export const FLOOD_CLIENT = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' };

export async function startFloodSim(): Promise<FloodSim> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const waiting: ((r: FloodReply) => void)[] = [];
  child.on('message', (m) => waiting.shift()?.(m as FloodReply));
  const next = () => new Promise<FloodReply>((r) => waiting.push(r));
  await next();
  return {
    call: (c) => {
      const p = next();
      child.send(c);
      return p;
    },
    kill: () => child.kill(),
  };
}

async function child(): Promise<void> {
  const sim = await startRtmsSimulator(FLOOD_CLIENT);
  const streams: SimStreamHandle[] = [];
  let ready = 0;
  let expected = 0;
  const sent = () =>
    streams.reduce((n, s) => n + s.stats.sent.audio + s.stats.sent.video + s.stats.sent.transcript, 0);
  const reply = (m: FloodReply) => process.send!(m);
  process.on('message', (raw) => {
    const m = raw as FloodCommand;
    if (m.cmd === 'flood') {
      // a stream's timeline has 50 audio + 25 video frames per second; past `untilMs` it is all gap
      const untilMs = Math.ceil(m.frames / m.streams / 75) * 1000;
      const gap = { fromMs: untilMs, toMs: Number.MAX_SAFE_INTEGER };
      for (let i = 0; i < m.streams; i++) {
        const h = sim.stream({
          meetingUuid: m.meetingUuid,
          streamId: `flood-${i}`,
          speed: m.speed,
          transcriptEveryMs: 0,
          gaps: [
            { kind: 'audio', ...gap },
            { kind: 'video', ...gap },
          ],
        });
        void h.ready.then(() => ready++);
        streams.push(h);
      }
      expected = m.streams * (untilMs / 20 + untilMs / 40);
      return reply({ urls: streams.map((s) => ({ streamId: s.streamId, serverUrls: s.serverUrls })) });
    }
    if (m.cmd === 'stats') return reply({ sent: sent(), ready, expected });
    for (const s of streams) s.stop(m.reason);
    reply({});
  });
  reply({});
}

if (process.argv.includes('--child')) void child();
