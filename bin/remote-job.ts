// The CLI side of the job channel: finds the `serve` running on DATA_DIR (its lock file), hands it
// the job, and shows the job's log lines and progress here as they come; fails with its reason.
import { request, type IncomingMessage } from 'node:http';
import type { Logger } from '../core/log.ts';
import type { Progress } from '../jobs/progress.ts';
import type { ChannelLine } from './job-channel.ts';
import { relayLog } from './log-relay.ts';
import { readServeLock, type ServeLockInfo } from './serve-lock.ts';

export type RunningServe = ServeLockInfo & Required<Pick<ServeLockInfo, 'url' | 'jobs'>>;

/** The serve holding DATA_DIR, once it takes jobs; undefined when none runs. Waits while it starts. */
export async function findRunningServe(
  dataDir: string,
  log: Logger,
  waitMs = 120_000,
): Promise<RunningServe | undefined> {
  const until = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const info = await readServeLock(dataDir);
    if (!info) return undefined;
    if (info.url && info.jobs) return info as RunningServe;
    if (Date.now() > until)
      throw new Error(`zoom-tracker serve (pid ${info.pid}) holds ${dataDir} but did not finish starting`);
    if (!told) log.info({ pid: info.pid }, 'waiting for the running serve to finish starting');
    told = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs `command argv` inside the running serve; resolves when it succeeded, throws its reason otherwise. */
export async function runInServe(
  serve: RunningServe,
  command: string,
  argv: readonly string[],
  io: { log: Logger; progress: Progress },
): Promise<void> {
  io.log.info({ pid: serve.pid, url: serve.url }, `${command}: handed to the running serve`);
  const body = JSON.stringify({ command, argv });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${serve.jobs.url}/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${serve.jobs.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.once('response', resolve);
    req.once('error', (err) =>
      reject(
        new Error(`cannot reach the running serve (pid ${serve.pid}) at ${serve.jobs.url}: ${err.message}`),
      ),
    );
    req.end(body);
  });
  if (res.statusCode !== 200) {
    let text = '';
    for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString();
    throw new Error(`the running serve (pid ${serve.pid}) refused the job: ${res.statusCode} ${text.trim()}`);
  }
  let end: { ok: boolean; error?: string } | undefined;
  let buffered = '';
  const handle = (text: string): void => {
    if (!text.trim()) return;
    const line = JSON.parse(text) as ChannelLine;
    if ('log' in line) relayLog(line.log, io.log);
    else if ('waiting' in line)
      io.log.info({ running: line.waiting }, 'waiting for the job under way to finish');
    else if ('progress' in line) {
      const p = line.progress;
      if (p.start) io.progress.start(p.start.total, p.start.label);
      if (p.tick) io.progress.tick(p.tick);
      if (p.done) io.progress.done();
    } else if ('end' in line) end = line.end;
  };
  for await (const chunk of res as AsyncIterable<Buffer>) {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      handle(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  }
  handle(buffered);
  if (!end) throw new Error(`the running serve (pid ${serve.pid}) stopped before ${command} finished`);
  if (!end.ok) throw new Error(end.error ?? `${command} failed`);
}
