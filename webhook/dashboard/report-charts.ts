// Inline SVG charts of one meeting from its daily_reports rows (pure): each person's journey through
// the rooms (labelled by visit order and room) with the camera-on share shaded, and room occupancy.
import { esc, PALETTE } from './html.ts';
import type { ReportRow } from '../../core/warehouse/report-day.ts';

const WIDTH = 960;
const LABEL = 190;
const ROW = 24;
const AXIS = 22;

interface Span {
  from: number;
  to: number;
}

const ms = (iso: string | null): number | undefined => (iso ? Date.parse(iso) : undefined);
const hhmm = (t: number): string => new Date(t).toISOString().slice(11, 16);

/** Room colours by room name, in Room-K order. */
export function roomColors(rows: readonly ReportRow[]): Map<string, string> {
  const names = [...new Set(rows.map((r) => r.room_name).filter((n): n is string => !!n))].sort(
    (a, b) => roomOrder(a) - roomOrder(b),
  );
  return new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length] ?? '#888']));
}

function roomOrder(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? 1e9);
}

function domainOf(rows: readonly ReportRow[]): Span | undefined {
  const times = rows
    .flatMap((r) => [ms(r.meeting_join_time), ms(r.meeting_leave_time)])
    .filter((t): t is number => t !== undefined);
  if (times.length === 0) return undefined;
  const from = Math.min(...times);
  const to = Math.max(...times);
  return { from, to: to > from ? to : from + 60_000 };
}

function scale(d: Span, width: number): (t: number) => number {
  return (t) => LABEL + ((t - d.from) / (d.to - d.from)) * (width - LABEL - 30);
}

function axis(d: Span, x: (t: number) => number, y: number, height: number): string {
  const spanMin = (d.to - d.from) / 60_000;
  const step = [1, 2, 5, 10, 15, 30, 60, 120].find((s) => spanMin / s <= 10) ?? 240;
  const first = Math.ceil(d.from / (step * 60_000)) * step * 60_000;
  let out = '';
  for (let t = first; t <= d.to; t += step * 60_000) {
    const px = x(t).toFixed(1);
    out += `<line x1="${px}" x2="${px}" y1="0" y2="${height}" stroke="#e3e6ec"/><text x="${px}" y="${y}" text-anchor="middle">${hhmm(t)}</text>`;
  }
  return out;
}

/** One lane per participant: presence as a grey line, each room visit as a bar, camera-on share solid. */
export function journeyChart(rows: readonly ReportRow[]): string {
  const d = domainOf(rows);
  if (!d) return '';
  const colors = roomColors(rows);
  const people = new Map<string, ReportRow[]>();
  for (const r of rows)
    people.set(r.participant_key ?? '', [...(people.get(r.participant_key ?? '') ?? []), r]);
  const height = people.size * ROW + AXIS + 6;
  const x = scale(d, WIDTH);
  let body = axis(d, x, height - 6, height - AXIS);
  let lane = 0;
  for (const [key, visits] of people) {
    const y = lane++ * ROW + 4;
    const first = visits[0] as ReportRow;
    const who = first.participant_name ?? first.participant_email ?? key;
    const join = ms(first.meeting_join_time) ?? d.from;
    const leave = ms(first.meeting_leave_time) ?? d.to;
    body += `<g data-participant="${esc(key)}"><text x="4" y="${y + 14}">${esc(who.length > 28 ? `${who.slice(0, 27)}…` : who)}</text>`;
    const since =
      first.join_time_source === 'meeting_start'
        ? " (from the meeting's start: the join was never received)"
        : '';
    body += `<rect x="${x(join).toFixed(1)}" y="${y + 8}" width="${Math.max(1, x(leave) - x(join)).toFixed(1)}" height="4" fill="#b9bec9"><title>${esc(`${who}: in the meeting ${hhmm(join)}–${hhmm(leave)}${since}, ${first.meeting_duration_mins ?? '0'} min`)}</title></rect>`;
    const roomVisits = visits.filter((v) => v.room_name);
    if (roomVisits.length === 0)
      body += cameraBar(x, y, join, leave, '#6b7280', first, `${who}: main session`);
    for (const v of roomVisits) {
      const from = ms(v.room_join_time) ?? join;
      const to = ms(v.room_leave_time) ?? leave;
      body += cameraBar(
        x,
        y,
        from,
        to,
        colors.get(v.room_name ?? '') ?? '#888',
        v,
        `${who}: visit ${v.room_number} · ${v.room_name} ${hhmm(from)}–${hhmm(to)}, ${v.room_duration_mins} min`,
      );
    }
    body += '</g>';
  }
  return `<svg class="journey" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="participant journeys">${body}</svg>${legend(colors, true)}`;
}

function cameraBar(
  x: (t: number) => number,
  y: number,
  from: number,
  to: number,
  color: string,
  r: ReportRow,
  label: string,
): string {
  const x0 = x(from);
  const w = Math.max(1, x(to) - x0);
  // No camera data (camera_source none): unknown, not "off".
  const known = r.camera_percentage !== null && r.camera_source !== 'none';
  const share = known ? Math.min(1, Math.max(0, Number(r.camera_percentage) / 100)) : 0;
  const title = known
    ? `${label} · camera on ${r.camera_on_mins ?? '0'} min (${r.camera_percentage}%)`
    : `${label} · camera unknown (no camera data)`;
  return (
    `<g><title>${esc(title)}</title><rect x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="14" rx="2" fill="${color}" fill-opacity="0.3"/>` +
    (share > 0
      ? `<rect class="camera-on" x="${x0.toFixed(1)}" y="${y + 3}" width="${(w * share).toFixed(1)}" height="14" rx="2" fill="${color}"/>`
      : '') +
    '</g>'
  );
}

function legend(colors: Map<string, string>, camera: boolean): string {
  const items = [...colors].map(
    ([n, c]) =>
      `<span><svg width="12" height="10"><rect width="12" height="10" fill="${c}"/></svg> ${esc(n)}</span>`,
  );
  if (camera)
    items.push(
      '<span class="muted">solid part of a bar: camera-on share of that visit; pale: camera off or unknown (hover for which); Room-?: a room Zoom did not name</span>',
    );
  else
    items.unshift(
      '<span><svg width="12" height="10"><rect width="12" height="10" fill="#6b7280"/></svg> in the meeting</span>',
    );
  return `<div class="legend muted stats">${items.join(' ')}</div>`;
}

/** Headcount over time: everyone in the meeting (first join to last leave) and each breakout room. */
export function occupancyChart(rows: readonly ReportRow[]): string {
  const d = domainOf(rows);
  if (!d) return '';
  const colors = roomColors(rows);
  const series = new Map<string, Span[]>([['in the meeting', []]]);
  const seen = new Set<string>();
  for (const r of rows) {
    const key = r.participant_key ?? '';
    if (!seen.has(key) && r.meeting_join_time && r.meeting_leave_time) {
      seen.add(key);
      series
        .get('in the meeting')
        ?.push({ from: Date.parse(r.meeting_join_time), to: Date.parse(r.meeting_leave_time) });
    }
    if (r.room_name && r.room_join_time && r.room_leave_time) {
      series.set(r.room_name, [
        ...(series.get(r.room_name) ?? []),
        { from: Date.parse(r.room_join_time), to: Date.parse(r.room_leave_time) },
      ]);
    }
  }
  const steps = [...series].map(([name, spans]) => ({ name, points: stepsOf(spans) }));
  const max = Math.max(1, ...steps.flatMap((s) => s.points.map((p) => p.n)));
  const plot = 140;
  const height = plot + AXIS + 8;
  const x = scale(d, WIDTH);
  const y = (n: number): number => 6 + plot - (n / max) * plot;
  let body = axis(d, x, height - 6, plot + 8);
  for (let n = 0; n <= max; n += Math.max(1, Math.ceil(max / 5)))
    body += `<text x="${LABEL - 8}" y="${y(n) + 4}" text-anchor="end">${n}</text>`;
  for (const s of steps) {
    const color = s.name === 'in the meeting' ? '#6b7280' : (colors.get(s.name) ?? '#888');
    let path = `M${x(d.from).toFixed(1)},${y(0).toFixed(1)}`;
    let level = 0;
    for (const p of s.points) {
      path += ` H${x(p.t).toFixed(1)} V${y(p.n).toFixed(1)}`;
      level = p.n;
    }
    path += ` H${x(d.to).toFixed(1)}${level === 0 ? '' : ` V${y(0).toFixed(1)}`}`;
    body += `<path data-series="${esc(s.name)}" d="${path}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(`${s.name}: up to ${Math.max(0, ...s.points.map((p) => p.n))} at once`)}</title></path>`;
  }
  return `<svg class="occupancy" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="room occupancy">${body}</svg>${legend(colors, false)}`;
}

/** Count of overlapping spans after each change, in time order. */
export function stepsOf(spans: readonly Span[]): { t: number; n: number }[] {
  const deltas = spans
    .flatMap((s) => [
      { t: s.from, d: 1 },
      { t: s.to, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  const out: { t: number; n: number }[] = [];
  let n = 0;
  for (const e of deltas) {
    n += e.d;
    const last = out[out.length - 1];
    if (last && last.t === e.t) last.n = n;
    else out.push({ t: e.t, n });
  }
  return out;
}
