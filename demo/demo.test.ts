// The offline demo end to end at high speed: the meeting through signed webhooks and the RTMS
// simulator into the embedded stack, watched live in headless Chromium, then report, export and
// attendance; checks what it printed and produced, and that the restarted service serves the
// day's report as the exported CSV. Screenshots in test-artifacts/browser/.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.ts';
import type { LiveParticipantsView } from '../core/state/views.ts';
import { parseCsv } from '../core/csv.ts';
import { launchChromium, type HeadlessChromium } from '../test/browser/chromium.ts';
import { parseDemoArgs } from './commands.ts';
import { createDemoClock } from './demo-clock.ts';
import { runDemo, type DemoResult } from './run-demo.ts';

let result: DemoResult;
const lines: string[] = [];
let chrome: HeadlessChromium;
/** What the live page showed while the meeting played. */
const seenLive = { rooms: [] as string[], finnLate: false };

/** Opens the dashboard as soon as the demo prints its URL and records the breakout rooms it shows. */
async function watchLive(url: string): Promise<void> {
  const page = await chrome.newPage();
  await page.goto(url);
  const rooms = page.locator('.card[data-room] h3');
  await rooms.filter({ hasText: 'Room-2' }).waitFor({ timeout: 60_000 });
  seenLive.rooms = (await rooms.allTextContents()).map((t) => t.replace(/\s*\d+$/, ''));
  await chrome.screenshot(page, 'demo-live-breakout-rooms');
  await page.locator('#meeting li', { hasText: 'Finn Late' }).first().waitFor({ timeout: 60_000 });
  seenLive.finnLate = true;
  await page.close();
}

beforeAll(async () => {
  chrome = await launchChromium();
  let watching: Promise<void> | undefined;
  result = await runDemo({
    port: 0,
    speed: 60,
    env: {},
    log: silentLogger(),
    say: (l) => {
      lines.push(l);
      const url = /^dashboard: (\S+)/.exec(l)?.[1];
      if (url) watching = watchLive(url);
    },
  });
  await watching;
}, 180_000);
afterAll(async () => {
  await chrome?.close();
  await result?.stop();
  if (result) await rm(result.dataDir, { recursive: true, force: true });
});

const csvRecords = async (rel: string): Promise<Record<string, string>[]> => {
  const [head, ...rows] = parseCsv(await readFile(join(result.dataDir, rel), 'utf8')).map(([, f]) => f);
  return rows.map((f) => Object.fromEntries((head ?? []).map((h, i) => [h, f[i] ?? ''])));
};

describe('zoom-tracker demo', () => {
  it('the live dashboard showed the breakout rooms and the late joiner while the meeting played', () => {
    expect(seenLive.rooms).toEqual(expect.arrayContaining(['Main room', 'Room-1', 'Room-2', 'Waiting room']));
    expect(seenLive.finnLate).toBe(true);
  });

  it('plays every step and runs the jobs', () => {
    expect(lines.some((l) => l.includes('Finn goes to Room-1 (deliveries out of order)'))).toBe(true);
    expect(lines).toContain(`zoom-tracker export --date ${result.date}`);
    expect(result.files.raw).toBe(54); // distinct events: the retried delivery is stored once
  });

  it('writes the daily report: journeys through the rooms, hops, a rejoin, a late joiner', async () => {
    const rows = await csvRecords(result.files.reportCsv);
    expect(result.files.reportRows).toBe(rows.length);
    const of = (name: string) => rows.filter((r) => r['participant_name'] === name);
    expect(of('Chen Wei').map((r) => [r['room_name'], r['next_room']])).toEqual([
      ['Room-1', 'Room-2'],
      ['Room-2', ''],
    ]);
    expect(of('Dara Okafor').map((r) => r['room_name'])).toEqual(['Room-2', 'Room-2']);
    expect(of('Finn Late')[0]).toMatchObject({ room_name: 'Room-1', room_join_time: expect.any(String) });
    expect(of('Eli Cohen')[0]).toMatchObject({
      room_name: 'Room-2',
      camera_source: 'rtms',
      camera_percentage: '100.0',
    });
    expect(of('Ana García')[0]).toMatchObject({ meeting_duration_mins: '18.00', room_name: '' });
  });

  it('writes attendance against the roster, and a complete recording', async () => {
    const status = Object.fromEntries(
      (await csvRecords(result.files.attendanceCsv)).map((r) => [r['email'], r['status']]),
    );
    expect(status).toMatchObject({
      'finn@example.com': 'Late',
      'gus@example.com': 'Absent',
      'ana@example.com': 'Present',
    });
    const names = result.files.recording.map((r) => r.file.split('/').pop());
    expect(names).toEqual([
      'audio.wav',
      'manifest.json',
      'recording.mp4',
      'transcript.srt',
      'transcript.txt',
      'transcript.vtt',
    ]);
    const manifestFile = result.files.recording.find((r) => r.file.endsWith('manifest.json'))?.file ?? '';
    const manifest = JSON.parse(await readFile(join(result.dataDir, manifestFile), 'utf8')) as {
      status: string;
      durationMs: number;
    };
    expect(manifest.status).toBe('complete');
    expect(manifest.durationMs).toBeGreaterThan(17 * 60_000);
  });

  it('serves the report view and the ended meeting after the jobs', async () => {
    // Bytes, not text(): a fetch decodes UTF-8 and drops the byte-order mark both files start with.
    const csv = Buffer.from(await (await fetch(`${result.url}/reports/${result.date}.csv`)).arrayBuffer());
    expect(csv.equals(await readFile(join(result.dataDir, result.files.reportCsv)))).toBe(true);
    const page = await (await fetch(`${result.url}/reports/${result.date}`)).text();
    expect(page).toContain('Journeys through rooms');
    expect(page).toContain('Attendance');
    const view = await chrome.newPage();
    await view.goto(`${result.url}/reports/${result.date}`);
    expect(await view.locator('svg.journey g[data-participant]').count()).toBe(6);
    await chrome.screenshot(view, 'demo-report-view');
    await view.close();
    const { meetings } = (await (await fetch(`${result.url}/api/meetings?include_ended=true`)).json()) as {
      meetings: { topic?: string; status: string }[];
    };
    expect(meetings).toEqual([
      expect.objectContaining({ topic: 'Demo: tutorial with breakout rooms', status: 'ended' }),
    ]);
  });

  it('the live view lists persons: Dara once with both connections, Eli from the meeting start, Finn late', async () => {
    const live = (await (
      await fetch(`${result.url}/api/meetings/85012345678/live-participants`)
    ).json()) as LiveParticipantsView;
    expect(live.participants.map((p) => [p.name, p.connections.length, p.joinTime, p.late ?? null])).toEqual([
      ['Ana García', 1, 'event', false],
      ['Björn Ek', 1, 'event', false],
      ['Chen Wei', 1, 'event', false],
      ['Dara Okafor', 2, 'event', false],
      ['Eli Cohen', 1, 'meeting_start', null], // his join was lost: unknown, never "late"
      ['Finn Late', 1, 'event', true],
    ]);
    const dara = live.participants.find((p) => p.name === 'Dara Okafor');
    // In 1.2→9 and, reconnected, 10→17.2 (minutes): 15 min of presence.
    expect(dara?.totalSeconds).toBe(Math.round((9 - 1.2 + 17.2 - 10) * 60));
    expect(live.stats.inMeeting).toBe(0);
  });
});

describe('demo options and clock', () => {
  it('parses its options and refuses bad ones with a one-line reason', () => {
    expect(parseDemoArgs(['--speed', '60', '--port=0', '--exit', '--data-dir', '/tmp/x'])).toEqual({
      speed: 60,
      port: 0,
      exit: true,
      dataDir: '/tmp/x',
    });
    expect(() => parseDemoArgs(['--speed', '0'])).toThrow('--speed: bad value "0"');
    expect(() => parseDemoArgs(['--nope'])).toThrow('unknown option "--nope"');
    expect(() => parseDemoArgs(['--data-dir'])).toThrow('--data-dir needs a value');
  });

  it('runs meeting time `speed` times faster, then at real speed without jumping back', () => {
    let real = 1_000_000;
    const clock = createDemoClock(30, () => real);
    real += 1_000;
    expect(clock.now()).toBe(1_000_000 + 30_000);
    clock.relax();
    real += 1_000;
    expect(clock.now()).toBe(1_000_000 + 31_000);
  });
});
