// Runs `zoom-tracker serve|worker` as a child process (as `npm start` does) on a temp DATA_DIR with
// JSON logs, and waits until it logs that it listens (its URL and port) or until it exits.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningService {
  child: ChildProcess;
  url: string;
  port: number;
  /** The listen log line, parsed. */
  listening: Record<string, unknown>;
  output: () => string;
  alive(): boolean;
  stop(): Promise<number | null>;
}

export interface ExitedService {
  code: number | null;
  stderr: string;
  stdout: string;
}

export async function spawnService(
  command: 'serve' | 'worker',
  env: Record<string, string>,
): Promise<RunningService | ExitedService> {
  const child = spawn(process.execPath, ['bin/zoom-tracker.js', command], {
    env: {
      ...process.env,
      PORT: '0',
      LOG_FORMAT: 'json',
      BACKEND: '',
      HOST: '',
      DASHBOARD_TOKEN: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const message = command === 'serve' ? 'webhook service listening' : 'rtms-worker listening';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start:\n${stdout}${stderr}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const line of stdout.split('\n')) {
        if (!line.includes(message)) continue;
        const listening = JSON.parse(line) as Record<string, unknown>;
        const url = String(listening['url']).replace(/\/(webhook|pubsub\/push)$/, '');
        clearTimeout(timer);
        resolve({
          child,
          url,
          port: Number(new URL(url).port),
          listening,
          output: () => stdout + stderr,
          alive: () => child.exitCode === null && child.signalCode === null,
          async stop() {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
        return;
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

export function isRunning(s: RunningService | ExitedService): s is RunningService {
  return 'child' in s;
}
