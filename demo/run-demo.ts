// `zoom-tracker demo`: the whole product offline in about a minute. Starts the embedded stack
// (webhook service + in-process rtms-worker) in a DATA_DIR, plays the demo meeting through signed
// webhooks and the RTMS simulator with time compressed, runs report, export and attendance, and
// serves the dashboard and report view of the result.
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseConfig, type Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import { jobCommands } from '../jobs/commands.ts';
import { localDate } from '../core/warehouse/day-window.ts';
import { createRtmsWorkerService } from '../rtms-worker/create-rtms-worker.ts';
import { createWebhookService, type WebhookService } from '../webhook/create-webhook.ts';
import { listen, urlOf } from '../core/http-server.ts';
import { loadTestMedia } from './simulator/media.ts';
import { SIM_ALLOWED_HOSTS, SIM_CLIENT, startRtmsSimulator } from './simulator/rtms-simulator.ts';
import { createWebhookSender, type WebhookSender } from './simulator/webhook-sender.ts';
import { createDemoClock, type DemoClock } from './demo-clock.ts';
import { demoMeeting, type DemoMeeting } from './demo-meeting.ts';

export const DEMO_SECRET = 'demo-webhook-secret';

export interface DemoOptions {
  dataDir?: string;
  port: number;
  /** Meeting minutes per real minute. */
  speed: number;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Progress lines (the CLI prints them). */
  say(line: string): void;
}

export interface DemoResult {
  dataDir: string;
  url: string;
  date: string;
  config: Config;
  /** What the demo produced, relative to dataDir. */
  files: {
    raw: number;
    reportCsv: string;
    reportRows: number;
    attendanceCsv: string;
    recording: { file: string; bytes: number }[];
  };
  /** Stops the dashboard service that stays up after the demo. */
  stop(): Promise<void>;
}

interface Running {
  service: WebhookService;
  server: Server;
  stopWorker?: () => Promise<void>;
}

async function startStack(
  config: Config,
  log: Logger,
  port: number,
  clock: DemoClock,
  worker: boolean,
  say: (line: string) => void,
): Promise<Running> {
  const service = await createWebhookService(config, log, clock.now);
  const running: Running = { service, server: await listenSomewhere(service, port, say) };
  if (worker) running.stopWorker = (await createRtmsWorkerService(config, log, service.backends)).stop;
  return running;
}

/** The asked port, else a free one, and the demo says so. */
async function listenSomewhere(
  service: WebhookService,
  port: number,
  say: (line: string) => void,
): Promise<Server> {
  try {
    return await listen(service.listener, port, '127.0.0.1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const server = await listen(service.listener, 0, '127.0.0.1');
    say(`port ${port} is in use: serving on ${urlOf(server)} instead`);
    return server;
  }
}

/** No new connections, worker handed off, backends closed (ends the event streams), sockets cut. */
async function stopStack(r: Running): Promise<void> {
  const closed = new Promise<void>((resolve) => r.server.close(() => resolve()));
  await r.stopWorker?.();
  await r.service.close();
  r.server.closeAllConnections();
  await closed;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'zoom-tracker-demo-')));
  const config = parseConfig({
    ...opts.env,
    DATA_DIR: dataDir,
    BACKEND: 'local',
    ZOOM_WEBHOOK_SECRET_TOKEN: DEMO_SECRET,
    ZM_CLIENT_ID: SIM_CLIENT.clientId,
    ZM_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    RTMS_ALLOWED_HOSTS: SIM_ALLOWED_HOSTS,
    RTMS_VIDEO_FPS: '10',
    S3_BUCKET: '',
  });
  const { log, say } = opts;
  say(`data directory: ${dataDir}`);
  const media = await loadTestMedia({ seconds: 4, fps: 10, width: 320, height: 240, kbps: 40 });
  const sim = await startRtmsSimulator({ ...SIM_CLIENT, keepAliveIntervalMs: 5_000 });
  const clock = createDemoClock(opts.speed);
  const demo = demoMeeting(clock.now());
  let stack = await startStack(config, log, opts.port, clock, true, say);
  const url = urlOf(stack.server);
  say(`dashboard: ${url}/  (open it now to watch the meeting live)`);
  try {
    const sender = createWebhookSender(`${url}/webhook`, DEMO_SECRET, clock.now);
    await playMeeting(demo, sim, sender, clock, media, say);
    say('waiting for the rtms-worker to finish the recording…');
    await waitForFile(
      join(dataDir, 's3', meetingKeyOf(demo.meeting.uuid), demo.rtms.streamId, 'manifest.json'),
      120_000,
    );
  } finally {
    await stopStack(stack);
    await sim.close();
  }
  clock.relax();

  const date = localDate(Date.parse(demo.meeting.startTime), config.REPORT_TIMEZONE);
  const rosterFile = join(dataDir, 'roster.csv');
  await writeFile(rosterFile, demo.rosterCsv);
  // The jobs run on the demo's clock: a report of a day in progress ends at its "now", which is
  // meeting time here (ahead of the wall clock by the compressed minutes).
  const ctx = { config, log, env: opts.env, now: clock.now };
  for (const [name, argv] of [
    ['report', ['--date', date]],
    ['export', ['--date', date]],
    ['attendance', ['--date', date, '--roster', rosterFile]],
  ] as const) {
    say(`zoom-tracker ${name} ${argv.join(' ')}`);
    const command = jobCommands.find((c) => c.name === name);
    if (!command) throw new Error(`no ${name} job`);
    await command.run([...argv], ctx);
  }

  stack = await startStack(config, log, opts.port, clock, false, say);
  const files = await inventory(dataDir, date, demo);
  say(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  const running = stack;
  return { dataDir, url: urlOf(stack.server), date, config, files, stop: () => stopStack(running) };
}

async function playMeeting(
  demo: DemoMeeting,
  sim: Awaited<ReturnType<typeof startRtmsSimulator>>,
  sender: WebhookSender,
  clock: DemoClock,
  media: Awaited<ReturnType<typeof loadTestMedia>>,
  say: (l: string) => void,
): Promise<void> {
  const t0 = Date.parse(demo.meeting.startTime);
  const minute = 60_000;
  const userOf = (userId: string) => Number(userId);
  let stopped: Promise<unknown> = Promise.resolve();
  for (const step of demo.steps) {
    await clock.until(t0 + step.at * minute);
    say(
      `  ${String(Math.floor(step.at)).padStart(2, '0')}:${String(Math.round((step.at % 1) * 60)).padStart(2, '0')}  ${step.say}`,
    );
    for (const body of step.deliveries) await deliver(sender, body);
    if (step.rtms) {
      const r = demo.rtms;
      const stream = sim.stream({
        meetingUuid: demo.meeting.uuid,
        streamId: r.streamId,
        media,
        durationMs: r.minutes * minute,
        speed: clock.speed,
        users: demo.people.map((p) => ({ userId: userOf(p.userId), userName: p.name })),
        events: r.camera.map((c) => ({
          atMs: (c.atMin - r.fromMin) * minute,
          eventType: c.on ? 8 : 9,
          userIds: [userOf(c.who.userId)],
        })),
        gaps: cameraGaps(r),
        transcriptEveryMs: 20_000,
      });
      await expectOk(
        await sender.rtmsStarted({
          meetingUuid: demo.meeting.uuid,
          meetingId: demo.meeting.id,
          streamId: r.streamId,
          serverUrls: stream.serverUrls,
          eventTs: clock.now(),
        }),
      );
      stopped = stream.ended.then(async (reason) => {
        await expectOk(
          await sender.rtmsStopped({
            meetingUuid: demo.meeting.uuid,
            meetingId: demo.meeting.id,
            streamId: r.streamId,
            stopReason: reason,
            eventTs: clock.now(),
          }),
        );
      });
    }
  }
  await stopped;
}

/** The stream's video is absent while nobody has the camera on (first on event). */
function cameraGaps(r: DemoMeeting['rtms']): { kind: 'video'; fromMs: number; toMs: number }[] {
  const first = Math.min(...r.camera.filter((c) => c.on).map((c) => c.atMin));
  return [{ kind: 'video', fromMs: 0, toMs: (first - r.fromMin) * 60_000 }];
}

async function deliver(sender: WebhookSender, body: Record<string, unknown>): Promise<void> {
  await expectOk(await sender.send(body));
}

async function expectOk(res: { status: number; text: string }): Promise<void> {
  if (res.status !== 200 && res.status !== 204)
    throw new Error(`the webhook service answered ${res.status}: ${res.text.slice(0, 200)}`);
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await stat(path).catch(() => undefined))) {
    if (Date.now() > until) throw new Error(`no ${path} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function inventory(dataDir: string, date: string, demo: DemoMeeting): Promise<DemoResult['files']> {
  const rawDir = join(dataDir, 'gcs', 'raw', date);
  const reportCsv = join('gcs', 'reports', `DAILY_REPORT_${date}_000000000000.csv`);
  const recDir = join(dataDir, 's3', meetingKeyOf(demo.meeting.uuid), demo.rtms.streamId);
  const csv = await readFile(join(dataDir, reportCsv), 'utf8');
  const recording = await Promise.all(
    (await readdir(recDir)).sort().map(async (f) => ({
      file: relative(dataDir, join(recDir, f)),
      bytes: (await stat(join(recDir, f))).size,
    })),
  );
  return {
    raw: (await readdir(rawDir)).length,
    reportCsv,
    reportRows: csv.trim().split('\n').length - 1,
    attendanceCsv: join('gcs', 'reports', `ATTENDANCE_${date}.csv`),
    recording,
  };
}
