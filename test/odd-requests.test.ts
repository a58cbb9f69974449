// `zoom-tracker serve` (a child process, as `npm start` runs it) against odd request targets and
// cookies written raw on a socket: every one is answered 4xx and the process stays up; the
// `?token=` sign-in redirects only to a path of this origin, never to `//host`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw-http.ts';
import { isRunning, spawnService, type RunningService } from './helpers/spawn-serve.ts';

const TOKEN = 'odd-requests-token';

const LONG = `/${'a'.repeat(8_000)}`;
const DEEP = `/${'a/'.repeat(4_000)}?${'q=1&'.repeat(500)}`;
const HUGE = `/${'a'.repeat(20_000)}`; // beyond Node's 16 KiB header limit: 431 from the HTTP parser

// [target, status with DASHBOARD_TOKEN (no credentials sent), status without one]
const ODD_TARGETS: [string, number, number][] = [
  ['//', 401, 404],
  ['//?x=1', 401, 404],
  ['///', 401, 404],
  ['/%', 401, 404],
  ['/%E0%A4%A', 401, 404],
  ['/reports/%E0%A4%A.csv', 401, 400],
  ['http://x//evil.example/', 401, 404],
  // absolute-form is valid HTTP (RFC 9112 §3.2.2): routed by its path, here the dashboard page
  ['http://x/', 401, 200],
  ['https://[::1', 400, 400],
  ['*', 400, 400],
  ['x', 400, 400],
  ['/\\evil', 401, 404],
  [LONG, 401, 404],
  [DEEP, 401, 404],
  [HUGE, 431, 431],
];

const label = (t: string): string => (t.length > 60 ? `${t.slice(0, 12)}… (${t.length} chars)` : t);

describe.each([
  ['with DASHBOARD_TOKEN', { DASHBOARD_TOKEN: TOKEN }],
  ['without DASHBOARD_TOKEN', {}],
])('serve %s', (_name, env: Record<string, string>) => {
  let dir: string;
  let service: RunningService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zt-odd-'));
    const started = await spawnService('serve', { DATA_DIR: dir, ...env });
    if (!isRunning(started)) throw new Error(`serve exited ${started.code}: ${started.stderr}`);
    service = started;
  }, 40_000);
  afterAll(async () => {
    if (service) expect(await service.stop()).toBe(0);
    await rm(dir, { recursive: true, force: true });
  }, 30_000); // a stopping serve may take seconds on a busy machine

  it.each(
    ODD_TARGETS.map(([t, withToken, without]) => [label(t), env.DASHBOARD_TOKEN ? withToken : without, t]),
  )('GET %s is answered %i and the process stays up', async (_label, status, target) => {
    const res = await rawRequest(service.port, target as string);
    expect(res.status, service.output().slice(-2000)).toBe(status);
    expect(service.alive()).toBe(true);
  });

  it.each([
    ['a cookie that is not percent-encoding', { cookie: 'zt_dashboard=%E0%A4%A' }],
    ['a bare cookie name', { cookie: 'zt_dashboard' }],
    ['a long bearer', { authorization: `Bearer ${'x'.repeat(4_000)}` }],
  ])('GET / with %s is answered and the process stays up', async (_name, headers) => {
    const res = await rawRequest(service.port, '/', { headers });
    expect(res.status).toBe(env.DASHBOARD_TOKEN ? 401 : 200);
    expect(service.alive()).toBe(true);
  });

  it('still answers /health after all of them', async () => {
    const res = await rawRequest(service.port, '/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
  });
});

describe('the ?token= sign-in redirect', () => {
  let dir: string;
  let service: RunningService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zt-redirect-'));
    const started = await spawnService('serve', { DATA_DIR: dir, DASHBOARD_TOKEN: TOKEN });
    if (!isRunning(started)) throw new Error(`serve exited ${started.code}: ${started.stderr}`);
    service = started;
  }, 40_000);
  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 30_000); // a stopping serve may take seconds on a busy machine

  it.each([
    ['/.//evil.example/x', '/evil.example/x'],
    ['//evil.example/x', '/evil.example/x'],
    ['///evil.example/x', '/evil.example/x'],
    ['/\\evil.example/x', '/evil.example/x'],
    ['/./\\/evil.example/x', '/evil.example/x'],
    ['http://evil.example//evil.example/x', '/evil.example/x'],
    ['/reports/2026-02-03', '/reports/2026-02-03'],
  ])('%s?token=… redirects to the same-origin path %s', async (path, location) => {
    const res = await rawRequest(service.port, `${path}?token=${TOKEN}&y=2`);
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe(`${location}?y=2`);
    expect(res.headers['set-cookie']).toMatch(/^zt_dashboard=odd-requests-token; HttpOnly; SameSite=Strict/);
  });
});
