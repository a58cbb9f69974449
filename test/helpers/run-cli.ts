// Runs the real `zoom-tracker` command (bin/zoom-tracker.js) as a child process, as a user would:
// to completion (exit code and output), or `serve` in the background until it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/zoom-tracker.js', import.meta.url));

const BASE_ENV = { BACKEND: '', HOST: '', DASHBOARD_TOKEN: '', LOG_FORMAT: 'json', PORT: '0' };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...BASE_ENV, ...env },
      ...(cwd && { cwd }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`zoom-tracker ${args.join(' ')} did not exit in ${timeoutMs} ms:\n${stdout}${stderr}`),
      );
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs to completion with stdout and stderr in one file, so the output reads in the order it was written. */
export async function runCliInterleaved(
  args: string[],
  env: Record<string, string>,
  file: string,
): Promise<{ code: number | null; output: string }> {
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...BASE_ENV, ...env },
      stdio: ['ignore', fd, fd],
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, output: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

export interface BackgroundServe {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `serve` and resolves once it logs that it listens. */
export function startServeCli(env: Record<string, string>): Promise<BackgroundServe> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${output}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/webhook"/.exec(output);
      if (!m?.[1]) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1],
        output: () => output,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${output}`));
    });
  });
}
