// The report view of one day (pure HTML from a ReportDay): summary, per-meeting journey and
// occupancy charts, the attendance summary when a roster was run, and the daily report table
// (room_number shown as the visit order with its room: "visit 1 · Room-2").
import { addDays } from '../../core/warehouse/day-window.ts';
import { REPORT_COLUMNS } from '../../core/warehouse/report-contract.ts';
import { esc, page } from './html.ts';
import { journeyChart, occupancyChart } from './report-charts.ts';
import type { AttendanceTable, ReportDay, ReportRow } from '../../core/warehouse/report-day.ts';

const NUMERIC = new Set([
  'meeting_duration_mins',
  'room_number',
  'room_duration_mins',
  'camera_on_mins',
  'camera_off_mins',
  'camera_percentage',
]);

export function renderReportPage(day: ReportDay, note?: string): string {
  const { date, rows } = day;
  const meetings = new Map<string, ReportRow[]>();
  for (const r of rows)
    meetings.set(r.meeting_uuid ?? '', [...(meetings.get(r.meeting_uuid ?? '') ?? []), r]);
  const participants = new Set(rows.map((r) => `${r.meeting_uuid}|${r.participant_key}`)).size;
  const nav = `<p class="muted"><a href="/reports/${addDays(date, -1)}">← ${addDays(date, -1)}</a> · <a href="/reports/${addDays(date, 1)}">${addDays(date, 1)} →</a> · <a href="/reports">all days</a> · download <a id="csv" href="/reports/${date}.csv">CSV</a> · <a href="/reports/${date}.json">JSON</a></p>`;
  let body = `<h2>Daily report ${esc(date)}</h2>${nav}`;
  if (note) body += `<p class="muted" id="note">${esc(note)}</p>`;
  body += `<p class="stats" id="summary"><span><b data-stat="rows">${rows.length}</b> ${plural(rows.length, 'row')}</span><span><b data-stat="meetings">${meetings.size}</b> ${plural(meetings.size, 'meeting')}</span><span><b data-stat="participants">${participants}</b> ${plural(participants, 'participant')}</span></p>`;
  for (const [uuid, mrows] of meetings) {
    const id = mrows[0]?.meeting_id ?? '';
    const topic = mrows[0]?.meeting_topic;
    body += `<section class="meeting" data-meeting="${esc(uuid)}"><h3>Meeting ${esc(id)}${topic ? ` · <span data-topic>${esc(topic)}</span>` : ''} <span class="muted">${esc(uuid)}</span></h3>`;
    body += `<h3>Journeys through rooms</h3>${journeyChart(mrows)}<h3>Room occupancy</h3>${occupancyChart(mrows)}</section>`;
  }
  if (day.attendance) body += attendanceSection(day.attendance);
  body += `<h2>Rows</h2>${reportTable(rows)}`;
  return page(`Daily report ${date}`, body);
}

const plural = (n: number, word: string): string => (n === 1 ? word : `${word}s`);

/** What a cell shows: the CSV value, except room_number, which is a visit order and not a room. */
export function cellText(r: ReportRow, c: (typeof REPORT_COLUMNS)[number]): string {
  if (c === 'room_number' && r.room_number) return `visit ${r.room_number} · ${r.room_name ?? ''}`;
  return r[c] ?? '';
}

const HEADER_TITLES: Partial<Record<(typeof REPORT_COLUMNS)[number], string>> = {
  room_number: "the person's visit order that day (1, 2, …), not the room: the room is room_name",
  room_name: 'Room-K: K = the order in which the room was first entered; Room-? = a room Zoom did not name',
  camera_source: 'none: no camera data, the camera figures are empty (unknown)',
  join_time_source: "meeting_start: the join was never received; presence counts from the meeting's start",
};

function reportTable(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return '<p class="muted">No rows.</p>';
  const head = REPORT_COLUMNS.map(
    (c) => `<th${HEADER_TITLES[c] ? ` title="${esc(HEADER_TITLES[c])}"` : ''}>${esc(c)}</th>`,
  ).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${REPORT_COLUMNS.map((c) => `<td data-col="${c}"${NUMERIC.has(c) ? ' class="num"' : ''}>${esc(cellText(r, c))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div style="overflow-x:auto"><table id="report"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function attendanceSection(a: AttendanceTable): string {
  const counts = new Map<string, number>();
  for (const r of a.rows) counts.set(r['status'] ?? '', (counts.get(r['status'] ?? '') ?? 0) + 1);
  const summary = [...counts]
    .map(([s, n]) => `<span><b data-status="${esc(s)}">${n}</b> ${esc(s)}</span>`)
    .join('');
  const shown = a.columns.filter(
    (c) => !['attendance_date', 'meeting_uuid', 'meeting_start_time', 'meeting_end_time'].includes(c),
  );
  const table = `<table id="attendance"><thead><tr>${shown.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${a.rows
    .map((r) => `<tr>${shown.map((c) => `<td>${esc(r[c])}</td>`).join('')}</tr>`)
    .join('\n')}</tbody></table>`;
  return `<h2>Attendance</h2><p class="stats">${summary}</p>${table}`;
}

export function renderReportIndex(days: readonly string[], suggested: string): string {
  const list = days.length
    ? `<ul>${days.map((d) => `<li><a href="/reports/${d}">${d}</a></li>`).join('')}</ul>`
    : '<p class="muted">No exported days yet: run <code>zoom-tracker report</code> and <code>export</code>.</p>';
  const form = `<form action="/reports" method="get"><label>Day <input type="date" name="date" value="${esc(suggested)}"></label> <button>Show</button></form>`;
  return page('Daily reports', `<h2>Daily reports</h2>${form}<h3>Exported days</h3>${list}`);
}
