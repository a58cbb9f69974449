// The live dashboard page and its small script: meetings in progress and, for one meeting, each
// person (all their connections as one) in the main room, a breakout room or the waiting room, with
// join time and presence, late flag, camera, sharing, recording, join/leave notices and report links.
import { page } from './html.ts';

const LIVE_STYLE = `<style>
.badge.late { background: #fde2c4; } .when { margin-left: 6px; }
#notices li { padding: 2px 4px; border-radius: 4px; } #notices li.fresh { background: #fff4c2; }
#notices time, .when time { font-variant-numeric: tabular-nums; }
</style>`;

export function renderLivePage(): string {
  const body = `${LIVE_STYLE}<p class="muted">Live view <span id="conn">connecting…</span> · updated <span id="at">–</span></p>
<div style="display:flex;gap:24px;align-items:flex-start">
<nav class="card meetings" id="meetings"><h3>Meetings</h3><p class="muted">none yet</p></nav>
<section id="meeting" style="flex:1"><p class="muted">No meeting selected.</p></section>
<aside class="card" id="notices" style="min-width:240px"><h3>Joins and leaves</h3><p class="muted">none yet</p></aside>
</div>`;
  return page('zoom-tracker live', body).replace('</body>', '<script src="/dashboard.js"></script></body>');
}

/** Plain browser JavaScript (no build step): EventSource on /events, DOM rendered from each snapshot. */
export const LIVE_CLIENT_JS = String.raw`(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  let selected = new URLSearchParams(location.search).get('meeting') || '';
  let source;
  let last;
  let receivedAt = 0;
  const seen = new Set();
  let firstNotices = true;
  function connect() {
    if (source) source.close();
    source = new EventSource('/events' + (selected ? '?meeting=' + encodeURIComponent(selected) : ''));
    source.addEventListener('state', (e) => { last = JSON.parse(e.data); receivedAt = Date.now(); render(last); });
    source.onopen = () => { $('conn').textContent = 'live'; };
    source.onerror = () => { $('conn').textContent = 'reconnecting…'; };
  }
  function badge(text, cls, title) {
    return '<span class="badge ' + (cls || '') + '"' + (title ? ' title="' + esc(title) + '"' : '') + '>' + esc(text) + '</span>';
  }
  function time(iso) {
    const t = new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    return '<time datetime="' + esc(iso) + '">' + esc(t) + '</time>';
  }
  function duration(sec) {
    sec = Math.max(0, Math.round(sec));
    if (sec < 60) return sec + ' s';
    const m = Math.floor(sec / 60);
    return m < 60 ? m + ' min' : Math.floor(m / 60) + ' h ' + String(m % 60).padStart(2, '0') + ' min';
  }
  const present = (p) => p.location === 'main' || p.location === 'breakout' || p.location === 'transit';
  /** When the person came and how long they have been here (ticking while present). */
  function when(p, ended) {
    const extra = !ended && present(p) ? (Date.now() - receivedAt) / 1000 : 0;
    const secs = p.totalSeconds + extra;
    let joined;
    if (!p.joinedAt) joined = 'join time unknown';
    else if (p.joinTime === 'event') joined = 'joined ' + time(p.joinedAt);
    else if (p.joinTime === 'meeting_start') joined = 'here since the meeting start ' + time(p.joinedAt) + ' (join not received)';
    else if (p.joinTime === 'previous_event') joined = 'here since ' + time(p.joinedAt) + ' (join not received)';
    else joined = 'join time unknown';
    const left = p.location === 'left' && p.leftAt ? ' · left ' + time(p.leftAt) : '';
    return '<span class="when muted" data-join="' + esc(p.joinTime || 'unknown') + '">' + joined + left +
      ' · <span data-duration="' + Math.round(secs) + '">' + duration(secs) + '</span></span>';
  }
  function person(p, ended) {
    const gone = p.location === 'left';
    const n = p.connections ? p.connections.length : 1;
    return '<li data-key="' + esc(p.key) + '" data-location="' + esc(p.location) + '"><span class="name">' + esc(p.name || p.email || p.key) + '</span>' +
      when(p, ended) +
      (p.late ? badge('late', 'late', 'joined after the scheduled start') : '') +
      (!gone && p.camera === 'on' ? badge('camera on', 'on') : !gone && p.camera === 'off' ? badge('camera off') : '') +
      (!gone && p.sharing ? badge('sharing', 'share') : '') + (p.role && p.role !== 'attendee' ? badge(p.role) : '') +
      (n > 1 ? badge(n + ' connections', '', p.connections.map((c) => c.key + ': ' + c.location).join(', ')) : '') + '</li>';
  }
  function card(id, title, people, ended) {
    return '<div class="card" data-room="' + esc(id) + '"><h3>' + esc(title) + ' <span class="muted" data-count>' + people.length + '</span></h3>' +
      '<ul class="people">' + people.map((p) => person(p, ended)).join('') + '</ul></div>';
  }
  function notices(v) {
    const list = (v && v.notices) || [];
    const items = list.map((n) => {
      const id = n.at + '|' + n.kind + '|' + n.key;
      const fresh = !firstNotices && !seen.has(id);
      seen.add(id);
      return '<li class="notice' + (fresh ? ' fresh' : '') + '" data-kind="' + esc(n.kind) + '" data-key="' + esc(n.key) + '">' +
        time(n.at) + ' ' + esc(n.name || n.key) + ' ' + (n.kind === 'joined' ? 'joined' : 'left') + '</li>';
    });
    firstNotices = false;
    $('notices').innerHTML = '<h3>Joins and leaves</h3>' + (items.length ? '<ul class="people">' + items.join('') + '</ul>' : '<p class="muted">none yet</p>');
  }
  function render(s) {
    $('at').textContent = new Date(s.at).toLocaleTimeString();
    const list = s.meetings.map((m) => '<a href="?meeting=' + encodeURIComponent(m.meetingUuid) + '" data-meeting="' + esc(m.meetingUuid) + '"' +
      (m.meetingUuid === s.selected ? ' class="selected"' : '') + '>' + esc(m.topic || m.meetingId || m.meetingUuid) + ' ' +
      badge(m.status) + ' ' + badge(m.counts.inMeeting + ' in') + '</a>').join('');
    $('meetings').innerHTML = '<h3>Meetings</h3>' + (list || '<p class="muted">none yet</p>');
    const v = s.view;
    notices(v);
    if (!v) { $('meeting').innerHTML = '<p class="muted">No meeting selected.</p>'; return; }
    const m = v.meeting, st = v.stats, ended = m.status === 'ended';
    const at = (loc) => v.participants.filter((p) => p.location === loc);
    const rooms = new Map();
    for (const p of at('breakout')) {
      const id = p.roomUuid || '?';
      if (!rooms.has(id)) rooms.set(id, { name: p.roomName || id, people: [] });
      rooms.get(id).people.push(p);
    }
    const sorted = [...rooms].sort((a, b) => a[1].name.localeCompare(b[1].name, undefined, { numeric: true }));
    const stats = [['inMeeting', 'in the meeting'], ['main', 'main room'], ['breakout', 'in breakout rooms'], ['waitingRoom', 'waiting room'], ['cameraOn', 'camera on'], ['sharing', 'sharing']]
      .map(([k, label]) => '<span><b id="stat-' + k + '">' + (st[k] ?? 0) + '</b> ' + label + '</span>').join('');
    const reports = (s.reportDates || []).map((d) => '<a href="/reports/' + encodeURIComponent(d) + '">' + esc(d) + '</a>').join(' ');
    $('meeting').innerHTML =
      '<h2>' + esc(m.topic || 'Meeting') + ' <span class="muted">' + esc(m.meetingId || '') + '</span> ' + badge(m.status) +
      (m.recording === 'recording' ? badge('recording', 'rec') : m.recording === 'paused' ? badge('recording paused') : '') +
      (m.rtmsStreams && m.rtmsStreams.length ? badge('RTMS stream') : '') + '</h2>' +
      (m.startedAt ? '<p class="muted">started ' + time(m.startedAt) + (m.endedAt ? ' · ended ' + time(m.endedAt) : '') + '</p>' : '') +
      (reports ? '<p id="report-links">Daily report: ' + reports + '</p>' : '') +
      '<p class="stats">' + stats + '</p><div class="cards">' +
      card('main', 'Main room', at('main'), ended) +
      sorted.map(([id, r]) => card(id, r.name, r.people, ended)).join('') +
      (at('transit').length ? card('transit', 'Moving between rooms', at('transit'), ended) : '') +
      card('waiting_room', 'Waiting room', at('waiting_room').concat(at('jbh_waiting')), ended) +
      '</div>' + '<h3>Left</h3><ul class="people muted" id="left">' + at('left').map((p) => person(p, ended)).join('') + '</ul>';
  }
  // Presence keeps counting between snapshots.
  setInterval(() => { if (last) render(last); }, 20000);
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-meeting]');
    if (!a) return;
    e.preventDefault();
    selected = a.getAttribute('data-meeting');
    history.replaceState(null, '', '?meeting=' + encodeURIComponent(selected));
    seen.clear();
    firstNotices = true;
    connect();
  });
  connect();
})();
`;
