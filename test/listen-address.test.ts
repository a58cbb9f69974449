// Where `npm start` listens: loopback only on the embedded default (a connection to this machine's
// other addresses is refused), HOST widens it only together with DASHBOARD_TOKEN (refused at start
// in one line otherwise), every interface on gcp; `zoom-tracker worker` binds loopback too.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { exposureProblem, isLoopbackHost, listenHost } from '../core/listen-address.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { isRunning, spawnService, type RunningService } from './helpers/spawn-serve.ts';

/** This machine's addresses that are not 127.0.0.1: its LAN IPv4 addresses, and 127.0.0.2 always. */
const OTHER_ADDRESSES = [
  ...Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address),
  '127.0.0.2',
];

function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const dirs: string[] = [];
const running: RunningService[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zt-listen-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const s of running) await s.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}, 30_000); // a stopping serve may take seconds on a busy machine

describe('listen address rules', () => {
  it.each([
    [{}, '127.0.0.1'],
    [{ HOST: '0.0.0.0' }, '0.0.0.0'],
    [{ HOST: '::1' }, '::1'],
    [{ BACKEND: 'gcp', GCP_PROJECT_ID: 'p', GCS_BUCKET: 'b', PUBSUB_TOPIC: 't' }, undefined],
  ])('%j listens on %s', (env, host) => {
    expect(listenHost(parseConfig(env))).toBe(host);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.2', false],
    ['128.0.0.1', false],
    ['example.org', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses a non-loopback HOST without DASHBOARD_TOKEN on the embedded default only', () => {
    expect(exposureProblem(parseConfig({}))).toBeUndefined();
    expect(exposureProblem(parseConfig({ HOST: '0.0.0.0' }))).toBe(
      "HOST=0.0.0.0 would open the dashboard's names and e-mails to the network: set DASHBOARD_TOKEN, or use a loopback HOST such as 127.0.0.1",
    );
    expect(exposureProblem(parseConfig({ HOST: '0.0.0.0', DASHBOARD_TOKEN: 't' }))).toBeUndefined();
    expect(
      exposureProblem(
        parseConfig({ BACKEND: 'gcp', GCP_PROJECT_ID: 'p', GCS_BUCKET: 'b', PUBSUB_TOPIC: 't' }),
      ),
    ).toBeUndefined();
    expect(() => parseConfig({ HOST: 'a b' })).toThrow(/HOST must be an IP address or a host name/);
  });
});

describe('zoom-tracker serve over real sockets', () => {
  it('binds 127.0.0.1 by default: this machine’s other addresses are refused', async () => {
    const s = await spawnService('serve', { DATA_DIR: await dataDir() });
    if (!isRunning(s)) throw new Error(`serve exited ${s.code}: ${s.stderr}`);
    running.push(s);
    expect(s.listening).toMatchObject({ host: '127.0.0.1', url: `http://127.0.0.1:${s.port}/webhook` });
    expect(await tryConnect('127.0.0.1', s.port)).toBe('connected');
    for (const address of OTHER_ADDRESSES)
      expect(await tryConnect(address, s.port), address).toBe('ECONNREFUSED');
  });

  it('refuses HOST=0.0.0.0 without DASHBOARD_TOKEN in one line, before writing anything', async () => {
    const dir = await dataDir();
    const s = await spawnService('serve', { DATA_DIR: dir, HOST: '0.0.0.0' });
    if (isRunning(s)) throw new Error('serve started on 0.0.0.0 without a token');
    expect(s.code).toBe(1);
    expect(s.stderr).toBe(
      "zoom-tracker: HOST=0.0.0.0 would open the dashboard's names and e-mails to the network: set DASHBOARD_TOKEN, or use a loopback HOST such as 127.0.0.1\n",
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('accepts HOST=0.0.0.0 with DASHBOARD_TOKEN: reachable on the other addresses, dashboard guarded', async () => {
    const s = await spawnService('serve', {
      DATA_DIR: await dataDir(),
      HOST: '0.0.0.0',
      DASHBOARD_TOKEN: 'tok',
    });
    if (!isRunning(s)) throw new Error(`serve exited ${s.code}: ${s.stderr}`);
    running.push(s);
    expect(s.listening['host']).toBe('0.0.0.0');
    for (const address of OTHER_ADDRESSES) {
      expect((await rawRequest(s.port, '/health', { host: address })).status, address).toBe(200);
      expect((await rawRequest(s.port, '/', { host: address })).status, address).toBe(401);
      expect(
        (await rawRequest(s.port, '/', { host: address, headers: { authorization: 'Bearer tok' } })).status,
      ).toBe(200);
    }
  });

  it('zoom-tracker worker binds 127.0.0.1 by default as well', async () => {
    const s = await spawnService('worker', { DATA_DIR: await dataDir() });
    if (!isRunning(s)) throw new Error(`worker exited ${s.code}: ${s.stderr}`);
    running.push(s);
    expect(s.listening['host']).toBe('127.0.0.1');
    expect(await tryConnect('127.0.0.1', s.port)).toBe('connected');
    for (const address of OTHER_ADDRESSES)
      expect(await tryConnect(address, s.port), address).toBe('ECONNREFUSED');
  });
});
