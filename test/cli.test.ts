// The `zoom-tracker` command speaks for itself, run as a user runs it: help for the whole command
// and for every command (nothing starts), a taken port as the last line on screen, a DATA_DIR
// without zoom-tracker data named by serve and refused by the jobs, one-line reasons, non-zero exits.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliInterleaved } from './helpers/run-cli.ts';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zt-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('zoom-tracker help', () => {
  let commands: string[] = [];

  it('`--help`, `help` and the npx form `-- --help` list every command and exit 0', async () => {
    const outputs = await Promise.all([runCli(['--help']), runCli(['help']), runCli(['--', '--help'])]);
    for (const r of outputs) {
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('usage: zoom-tracker <command> [options]');
      expect(r.stdout).toBe(outputs[0]?.stdout);
    }
    commands = lines(outputs[0]?.stdout ?? '')
      .map((l) => /^ {2}([a-z-]+)\b/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined && c !== 'help');
    expect(commands).toEqual([
      'serve',
      'worker',
      'report',
      'export',
      'backfill-camera',
      'replay',
      'attendance',
      'retention',
      'erase',
      'demo',
    ]);
  }, 60_000);

  it('`<command> --help` explains every command and starts nothing (serve and worker included)', async () => {
    const dataDir = join(tmp, 'help-data');
    for (const command of commands) {
      const r = await runCli([command, '--help'], { DATA_DIR: dataDir }, 20_000);
      expect(r.code, command).toBe(0);
      expect(r.stdout.split('\n')[0], command).toMatch(new RegExp(`^usage: zoom-tracker ${command}\\b`));
      expect(r.stdout, command).toMatch(/-h, --help/);
      expect(r.stdout + r.stderr, command).not.toMatch(/unknown option|listening|"level"/);
      expect(r.stderr, command).toBe('');
    }
    // Nothing ran: no data folder was created.
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
    const one = await runCli(['help', 'report']);
    expect(one.stdout.split('\n')[0]).toBe('usage: zoom-tracker report [--date D]');
  }, 120_000);

  it('an unknown command or option is one line and exit 2', async () => {
    const bad = await runCli(['reprot']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([
      'zoom-tracker: unknown command "reprot" (commands: serve, worker, report, export, backfill-camera, replay, attendance, retention, erase, demo)',
    ]);
    const option = await runCli(['report', '--dat', '2026-02-03']);
    expect(option.code).toBe(2);
    expect(lines(option.stderr)).toEqual(['zoom-tracker: unknown option "--dat" (options: --date)']);
    const serve = await runCli(['serve', '--port', '9']);
    expect(serve.code).toBe(2);
    expect(lines(serve.stderr)).toEqual([
      'zoom-tracker: serve takes no options, got "--port" (see serve --help)',
    ]);
  }, 60_000);
});

describe('zoom-tracker serve and the jobs on a wrong DATA_DIR or port', () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('a port in use is the last line on screen, after the DATA_DIR warning, and exits 1', async () => {
    const dataDir = join(tmp, 'not-zoom-tracker');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'notes.txt'), 'someone else’s folder\n');
    const r = await runCliInterleaved(
      ['serve'],
      { DATA_DIR: dataDir, PORT: String(port), LOG_FORMAT: 'pretty' },
      join(tmp, 'port-output.txt'),
    );
    expect(r.code).toBe(1);
    const out = lines(r.output);
    expect(out.at(-1)).toBe(
      `zoom-tracker: 127.0.0.1:${port} is already in use: stop the program listening there, or set PORT to a free port`,
    );
    expect(r.output).toContain(
      `DATA_DIR ${dataDir} holds no zoom-tracker data (no gcs/ folder or warehouse.duckdb): starting a new, empty store there`,
    );
    // Nothing else started, and the folder did not become a store.
    expect(r.output).not.toMatch(/service listening|recovered|secret/);
    expect((await readdir(dataDir)).sort()).toEqual(['notes.txt']);
  }, 60_000);

  it('the demo says when it serves on another port than the one asked for', async () => {
    const dataDir = join(tmp, 'demo');
    const child = spawn(
      process.execPath,
      ['bin/zoom-tracker.js', 'demo', '--data-dir', dataDir, '--port', String(port)],
      {
        env: { ...process.env, LOG_LEVEL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no dashboard line:\n${out}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/^dashboard: /m.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', () => reject(new Error(`demo exited:\n${out}`)));
      });
    } finally {
      child.kill('SIGKILL');
    }
    const said = lines(out);
    const moved = /^port (\d+) is in use: serving on (http:\/\/127\.0\.0\.1:(\d+)) instead$/.exec(
      said[1] ?? '',
    );
    expect(said[0]).toBe(`data directory: ${dataDir}`);
    expect(moved?.[1]).toBe(String(port));
    expect(moved?.[3]).not.toBe(String(port));
    expect(said[2]).toBe(`dashboard: ${moved?.[2]}/  (open it now to watch the meeting live)`);
  }, 90_000);

  it.each(['report', 'export', 'replay'])(
    '%s on a DATA_DIR without an archive exits 1 with "no archive under …" and creates nothing',
    async (command) => {
      const dataDir = join(tmp, `empty-${command}`);
      await mkdir(dataDir, { recursive: true });
      const r = await runCli([command, '--date', '2026-02-03'], { DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([
        `zoom-tracker: no archive under ${dataDir} (no gcs/ folder or warehouse.duckdb): set DATA_DIR to the folder \`zoom-tracker serve\` uses`,
      ]);
      expect(await readdir(dataDir)).toEqual([]);
    },
    60_000,
  );

  it('a missing setting is one line naming it, exit 1', async () => {
    await mkdir(join(tmp, 'creds', 'gcs'), { recursive: true });
    const r = await runCli(['backfill-camera', '--date', '2026-02-03'], {
      DATA_DIR: join(tmp, 'creds'),
      ZOOM_ACCOUNT_ID: '',
      ZOOM_CLIENT_ID: '',
      ZOOM_CLIENT_SECRET: '',
    });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      'zoom-tracker: invalid configuration: ZOOM_ACCOUNT_ID is required for backfill-camera (Server-to-Server OAuth app); ZOOM_CLIENT_ID is required for backfill-camera (Server-to-Server OAuth app); ZOOM_CLIENT_SECRET is required for backfill-camera (Server-to-Server OAuth app)',
    ]);
  }, 60_000);
});
