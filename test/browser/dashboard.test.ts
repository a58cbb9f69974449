// The live dashboard in headless Chromium: signed webhooks posted to the real service change the
// page without a reload (server-sent events from LiveState.watch); with DASHBOARD_TOKEN the page
// needs the token once (then an HttpOnly cookie) and shows nothing before. Screenshots in test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, zoom, type MeetingRef, type Person } from '../fixtures/zoom-events.ts';
import { startLocalWebhook, type LocalWebhook } from '../helpers/local-webhook.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';

const MIN = 60_000;
const t0 = Date.now() - 30 * MIN;
const meeting: MeetingRef = {
  id: '81234567890',
  uuid: 'DashBoard+Test/uuid==',
  topic: 'Browser test <b>not bold</b>',
  hostId: 'host-1',
  startTime: new Date(t0).toISOString(),
};
const [ana, bjorn] = PEOPLE as [Person, Person];
const ROOM = 'ROOM-DASH==';

let chrome: HeadlessChromium;

describe('live dashboard', () => {
  let service: LocalWebhook;
  beforeAll(async () => {
    service = await startLocalWebhook();
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await chrome?.close(); // first: its event streams and pooled sockets would hold the server open
    await service?.close();
  });

  async function post(...bodies: Record<string, unknown>[]): Promise<void> {
    for (const b of bodies) expect((await service.post(b)).status).toBe(200);
  }

  it('changes as webhooks arrive: waiting room, main room, breakout room, sharing, recording, end', async () => {
    const page = await chrome.newPage();
    await page.goto(`${service.url}/`);
    await expect.poll(() => page.locator('#conn').textContent()).toBe('live');
    expect(await page.locator('#meetings').textContent()).toContain('none yet');

    await post(zoom.meetingStarted(meeting, t0), zoom.waitingRoom(meeting, ana, t0 + MIN));
    const waiting = page.locator('[data-room="waiting_room"] .people');
    await expect.poll(() => waiting.textContent()).toContain('Ana García');
    expect(await page.locator('#meetings a').textContent()).toContain('Browser test <b>not bold</b>'); // escaped, not markup
    await chrome.screenshot(page, 'dashboard-1-waiting-room');

    await post(
      zoom.admitted(meeting, ana, t0 + 2 * MIN),
      zoom.joined(meeting, ana, t0 + 2 * MIN),
      zoom.joined(meeting, bjorn, t0 + 3 * MIN),
    );
    const main = page.locator('[data-room="main"] .people');
    await expect.poll(() => main.textContent()).toContain('Björn 🦊 Ek');
    expect(await main.textContent()).toContain('Ana García');
    expect(await page.locator('#stat-inMeeting').textContent()).toBe('2');
    expect(await page.locator('#stat-waitingRoom').textContent()).toBe('0');

    await post(
      zoom.leftToBreakout(meeting, ana, t0 + 10 * MIN),
      zoom.joinedRoom(meeting, ana, ROOM, t0 + 10 * MIN),
    );
    const room = page.locator(`[data-room="${ROOM}"]`);
    await expect.poll(() => room.locator('.people').textContent()).toContain('Ana García');
    expect(await room.locator('h3').textContent()).toContain('Room-1');
    expect(await page.locator('#stat-breakout').textContent()).toBe('1');
    expect(await main.textContent()).not.toContain('Ana García');

    await post(
      zoom.sharing(meeting, bjorn, t0 + 11 * MIN, true),
      zoom.recording(meeting, 'started', t0 + 12 * MIN),
    );
    await expect.poll(() => page.locator('#stat-sharing').textContent()).toBe('1');
    await expect.poll(() => page.locator('#meeting h2').textContent()).toContain('recording');
    expect(await main.locator('li', { hasText: 'Björn' }).textContent()).toContain('sharing');
    await chrome.screenshot(page, 'dashboard-2-breakout-sharing-recording');

    // A duplicate and an out-of-order older event change nothing.
    await post(zoom.joinedRoom(meeting, ana, ROOM, t0 + 10 * MIN), zoom.joined(meeting, ana, t0 + 2 * MIN));
    await post(zoom.meetingEnded(meeting, t0 + 20 * MIN));
    await expect.poll(() => page.locator('#meeting h2').textContent()).toContain('ended');
    await chrome.screenshot(page, 'dashboard-3-ended');
  });
});

describe('dashboard behind DASHBOARD_TOKEN', () => {
  let service: LocalWebhook;
  beforeAll(async () => {
    service = await startLocalWebhook({ env: { DASHBOARD_TOKEN: 'sekret-token' } });
    chrome = await launchChromium();
    expect((await service.post(zoom.meetingStarted(meeting, t0))).status).toBe(200);
    expect((await service.post(zoom.joined(meeting, ana, t0 + MIN))).status).toBe(200);
  });
  afterAll(async () => {
    await chrome?.close(); // first: its event streams and pooled sockets would hold the server open
    await service?.close();
  });

  it('shows no personal data without the token; ?token= once signs the browser in with an HttpOnly cookie', async () => {
    for (const path of ['/', '/events', '/reports/2026-02-03', '/api/meetings']) {
      const res = await fetch(`${service.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).not.toContain('Ana');
    }
    expect((await fetch(`${service.url}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);

    const page = await chrome.newPage();
    await page.goto(`${service.url}/?token=sekret-token`);
    expect(new URL(page.url()).search).toBe(''); // the token leaves the address bar
    const cookies = await page.context().cookies(service.url);
    expect(cookies.find((c) => c.name === 'zt_dashboard')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await expect.poll(() => page.locator('[data-room="main"] .people').textContent()).toContain('Ana García');
    await page.context().clearCookies();
  });
});
