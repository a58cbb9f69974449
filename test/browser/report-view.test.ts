// The report view in headless Chromium on the fixture day (sql/fixtures/2026-02-03): the table
// shows the hand-written expected CSV's values (room_number labelled as the visit order with its
// room), the charts draw every person and room (unknown camera as unknown), and
// the CSV download is that file byte for byte (UTF-8 with a byte-order mark). Screenshot in test-artifacts/browser/.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/csv.ts';
import { startLocalWebhook, type LocalWebhook } from '../helpers/local-webhook.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';
import { buildFixtureDay, FIXTURE_DATE, FIXTURE_MEETING, fixturePath } from './fixture-day.ts';

let dir: string;
let service: LocalWebhook;
let chrome: HeadlessChromium;
let expectedCsv: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-report-view-'));
  expect(await buildFixtureDay(dir)).toBe(27);
  expectedCsv = await readFile(fixturePath(`DAILY_REPORT_${FIXTURE_DATE}_000000000000.csv`), 'utf8');
  service = await startLocalWebhook({ dataDir: dir });
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  await service?.close({ keepData: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('report view of the fixture day', () => {
  it('renders the daily report table with the expected CSV numbers, and both charts', async () => {
    const page = await chrome.newPage();
    await page.goto(`${service.url}/reports/${FIXTURE_DATE}`);
    await expect.poll(() => page.locator('[data-stat="rows"]').textContent()).toBe('6');
    expect(await page.locator('[data-stat="meetings"]').textContent()).toBe('2');
    expect(await page.locator('[data-stat="participants"]').textContent()).toBe('5');

    const [header, ...expected] = parseCsv(expectedCsv).map(([, f]) => f);
    const shown = await page.$$eval('#report tbody tr', (trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td')).map(
          (td) => (td as { textContent: string | null }).textContent ?? '',
        ),
      ),
    );
    expect(await page.$$eval('#report thead th', (ths) => ths.map((th) => th.textContent))).toEqual(header);
    // room_number is the person's visit order: shown with its room so nobody reads it as the room.
    const col = (name: string): number => (header ?? []).indexOf(name);
    const labelled = expected.map((f) =>
      f.map((v, i) => (i === col('room_number') && v ? `visit ${v} · ${f[col('room_name')]}` : v)),
    );
    expect(shown).toEqual(labelled);
    expect(shown.map((r) => r[col('room_number')])).toContain('visit 1 · Room-2'); // Ken's first visit
    expect(
      await page.locator('#report thead th', { hasText: /^room_number$/ }).getAttribute('title'),
    ).toMatch(/visit order .*not the room/);

    const meeting = page.locator(`section[data-meeting="${FIXTURE_MEETING}"]`);
    expect(await meeting.locator('svg.journey g[data-participant]').count()).toBe(4);
    expect(await meeting.locator('svg.journey rect.camera-on').count()).toBe(4); // Jan, Ken ×2, Eve
    expect(
      await meeting
        .locator('svg.occupancy path[data-series]')
        .evaluateAll((ps) => ps.map((p) => p.getAttribute('data-series'))),
    ).toEqual(['in the meeting', 'Room-1', 'Room-2']);
    const kenRoom1 = await meeting
      .locator('svg.journey g[data-participant="ken@example.com"] title')
      .allTextContents();
    expect(kenRoom1.join('\n')).toContain(
      'Ken: visit 2 · Room-1 09:20–09:35, 15.00 min · camera on 15.00 min (100.0%)',
    );
    // No camera data for Lee: unknown, never "camera off".
    const lee = await meeting
      .locator('svg.journey g[data-participant=\'Lee, "Phone"\'] title')
      .allTextContents();
    expect(lee.join('\n')).toContain('Lee, "Phone": main session · camera unknown (no camera data)');
    expect(await meeting.locator('[data-topic]').textContent()).toBe('Weekly sync');
    // Mo's join was never received: the lane says presence counts from the meeting's start.
    const mo = page.locator(
      'section[data-meeting="mid/night=="] svg.journey g[data-participant="mo@example.com"] title',
    );
    expect((await mo.allTextContents()).join('\n')).toContain(
      "from the meeting's start: the join was never received",
    );
    await chrome.screenshot(page, 'report-view-2026-02-03');
  });

  it('exports the same CSV as the export job, byte for byte, and JSON with the columns', async () => {
    const csv = await fetch(`${service.url}/reports/${FIXTURE_DATE}.csv`);
    expect(csv.headers.get('content-disposition')).toContain(`DAILY_REPORT_${FIXTURE_DATE}_000000000000.csv`);
    // Bytes, not text(): a fetch decodes UTF-8 and drops the byte-order mark the file starts with.
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.equals(Buffer.from(expectedCsv, 'utf8'))).toBe(true);
    const body = (await (await fetch(`${service.url}/reports/${FIXTURE_DATE}.json`)).json()) as {
      rows: unknown[];
      columns: string[];
    };
    expect(body.rows).toHaveLength(6);
    expect(body.columns[0]).toBe('report_date');
  });

  it('lists the exported day and explains an empty one', async () => {
    const page = await chrome.newPage();
    await page.goto(`${service.url}/reports`);
    expect(await page.locator(`a[href="/reports/${FIXTURE_DATE}"]`).count()).toBe(1);
    await page.goto(`${service.url}/reports/2026-02-05`);
    expect(await page.locator('[data-stat="rows"]').textContent()).toBe('0');
    expect((await fetch(`${service.url}/reports/2026-02-30`)).status).toBe(400);
  });
});
