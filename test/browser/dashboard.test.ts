// The live dashboard in headless Chromium: signed webhooks posted to the real service change the
// page without a reload (server-sent events from LiveState.watch): persons with join time, presence,
// late flag, notices, a reconnect once, report links; with DASHBOARD_TOKEN the page needs the token
// once (then an HttpOnly cookie) and shows nothing before. Screenshots in test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, zoom, type MeetingRef, type Person } from '../../demo/simulator/zoom-events.ts';
import { startLocalWebhook, type LocalWebhook } from '../helpers/local-webhook.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';

const MIN = 60_000;
const t0 = Math.floor((Date.now() - 30 * MIN) / 1000) * 1000; // whole seconds, as Zoom sends times
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
  const iso = (ms: number): string => new Date(ms).toISOString();

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

    // A move as Zoom sends it: the room join (stamped first) arrives before the leave of the same second.
    await post(
      zoom.joinedRoom(meeting, ana, ROOM, t0 + 10 * MIN),
      zoom.leftToBreakout(meeting, ana, t0 + 10 * MIN),
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

  it('when, not only where: join time, presence, late flag, notices, a reconnect once, no stale camera, report link', async () => {
    const m: MeetingRef = {
      ...meeting,
      uuid: 'DashBoard+When/uuid==',
      id: '81234567891',
      topic: 'When test',
    };
    const page = await chrome.newPage();
    await page.goto(`${service.url}/?meeting=${encodeURIComponent(m.uuid)}`);
    await expect.poll(() => page.locator('#conn').textContent()).toBe('live');

    const eve: Person = {
      name: 'Eve Only-Leave',
      email: '',
      uuid: 'EEEE0000-0000-0000-0000-00000000000E',
      userId: '16790000',
    };
    await post(
      zoom.meetingStarted(m, t0),
      zoom.joined(m, ana, t0 + 2 * MIN),
      zoom.joined(m, bjorn, t0 + 8 * MIN), // 8 min after the scheduled start: late (ATTENDANCE_LATE_AFTER_MINS=5)
      zoom.left(m, eve, t0 + 9 * MIN), // Eve's join was never received
    );
    const main = page.locator('[data-room="main"] .people');
    const anaLi = main.locator(`li[data-key="${personKey(ana)}"]`);
    const bjornLi = () => page.locator(`#meeting li[data-key="${personKey(bjorn)}"]`);
    await expect.poll(() => bjornLi().count()).toBe(1);
    expect(await anaLi.locator('.when time').getAttribute('datetime')).toBe(iso(t0 + 2 * MIN));
    expect(await anaLi.locator('.when').textContent()).toMatch(/^joined \S+ · (2[6-9]|3\d) min$/);
    expect(await anaLi.locator('.badge.late').count()).toBe(0);
    expect(await bjornLi().locator('.badge.late').textContent()).toBe('late');
    const eveLi = page.locator(`#left li[data-key="${personKey(eve)}"]`);
    expect(await eveLi.getAttribute('data-location')).toBe('left');
    expect(await eveLi.locator('.when').getAttribute('data-join')).toBe('meeting_start');
    expect(await eveLi.locator('.when').textContent()).toMatch(
      /^here since the meeting start \S+ \(join not received\) · left \S+ · 9 min$/,
    );

    // Björn's camera (an RTMS video-on event), then a disconnect: gone at once, and no camera badge.
    await service.service.backends.liveState.apply([
      {
        eventId: 'rtms-video-on-bjorn',
        type: 'rtms.participant_video_on',
        action: 'VIDEO_ON',
        at: t0 + 8.5 * MIN,
        ts: t0 + 8.5 * MIN,
        meetingUuid: m.uuid,
        participantKey: bjorn.uuid,
        userId: bjorn.userId,
      },
    ]);
    await expect.poll(() => bjornLi().locator('.badge.on').textContent()).toBe('camera on');
    expect(await page.locator('#stat-cameraOn').textContent()).toBe('1');
    await post(zoom.left(m, bjorn, t0 + 15 * MIN, 'got disconnected from the meeting.'));
    await expect.poll(() => bjornLi().getAttribute('data-location')).toBe('left');
    expect(await bjornLi().locator('.badge.on').count()).toBe(0);
    expect(await page.locator('#stat-cameraOn').textContent()).toBe('0');
    expect(await page.locator('#stat-inMeeting').textContent()).toBe('1');
    const notices = page.locator('#notices li');
    await expect.poll(() => notices.first().textContent()).toContain('Björn 🦊 Ek left');
    expect(await notices.first().locator('time').getAttribute('datetime')).toBe(iso(t0 + 15 * MIN));
    expect(await notices.first().getAttribute('class')).toContain('fresh');

    // He reconnects: a new participant_uuid, shown once and present, with both connections.
    await post(
      zoom.joined(
        m,
        { ...bjorn, uuid: 'B10B0000-0000-0000-0000-00000000000B', userId: '16800000' },
        t0 + 16 * MIN,
      ),
    );
    await expect.poll(() => bjornLi().getAttribute('data-location')).toBe('main');
    expect(await bjornLi().count()).toBe(1);
    expect(await bjornLi().textContent()).toContain('2 connections');
    expect(await bjornLi().locator('.badge.late').count()).toBe(1);
    await expect.poll(() => notices.first().textContent()).toContain('Björn 🦊 Ek joined');
    expect(await notices.allTextContents()).toHaveLength(5); // Ana, Björn, Eve left, Björn left, Björn joined
    await chrome.screenshot(page, 'dashboard-4-when');

    await post(zoom.meetingEnded(m, t0 + 25 * MIN));
    const link = page.locator('#report-links a');
    await expect.poll(() => link.count()).toBe(1);
    const day = iso(t0).slice(0, 10);
    expect(await link.getAttribute('href')).toBe(`/reports/${day}`);
    expect(await page.locator('#stat-inMeeting').textContent()).toBe('0');
    await chrome.screenshot(page, 'dashboard-5-ended-report-link');
  });
});

/** The person key the view gives a fixture person: their email, else their normalised name. */
function personKey(p: Person): string {
  return p.email
    ? `e:${p.email.toLowerCase()}`
    : `n:${p.name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

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
