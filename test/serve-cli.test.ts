// `zoom-tracker serve` as a newcomer runs it (`npm start`): starts on the embedded default with no
// configuration, answers /health, and stops promptly on SIGTERM even with a dashboard stream open.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('zoom-tracker serve', () => {
  it('starts with no configuration and shuts down on SIGTERM with an open event stream', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'zt-serve-'));
    const child = spawn(process.execPath, ['bin/zoom-tracker.js', 'serve'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_FORMAT: 'json', BACKEND: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/webhook"/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');

    // A dashboard tab: a long-lived server-sent events stream.
    const stream = await new Promise<IncomingMessage>((resolve) => get(`${url}/events`, resolve));
    expect(stream.statusCode).toBe(200);

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    stream.destroy();
  });
});
