// The live dashboard page and its small script: meetings in progress and, for one meeting, who is
// in the main room, each breakout room and the waiting room, with camera, sharing and recording.
import { page } from './html.ts';

export function renderLivePage(): string {
  const body = `<p class="muted">Live view <span id="conn">connecting…</span> · updated <span id="at">–</span></p>
<div style="display:flex;gap:24px;align-items:flex-start">
<nav class="card meetings" id="meetings"><h3>Meetings</h3><p class="muted">none yet</p></nav>
<section id="meeting" style="flex:1"><p class="muted">No meeting selected.</p></section>
</div>`;
  return page('zoom-tracker live', body).replace('</body>', '<script src="/dashboard.js"></script></body>');
}

/** Plain browser JavaScript (no build step): EventSource on /events, DOM rendered from each snapshot. */
export const LIVE_CLIENT_JS = String.raw`(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  let selected = new URLSearchParams(location.search).get('meeting') || '';
  let source;
  function connect() {
    if (source) source.close();
    source = new EventSource('/events' + (selected ? '?meeting=' + encodeURIComponent(selected) : ''));
    source.addEventListener('state', (e) => render(JSON.parse(e.data)));
    source.onopen = () => { $('conn').textContent = 'live'; };
    source.onerror = () => { $('conn').textContent = 'reconnecting…'; };
  }
  function badge(text, cls) { return '<span class="badge ' + (cls || '') + '">' + esc(text) + '</span>'; }
  function person(p) {
    return '<li data-key="' + esc(p.key) + '">' + esc(p.name || p.email || p.key) +
      (p.camera === 'on' ? badge('camera on', 'on') : p.camera === 'off' ? badge('camera off') : '') +
      (p.sharing ? badge('sharing', 'share') : '') + (p.role && p.role !== 'attendee' ? badge(p.role) : '') + '</li>';
  }
  function card(id, title, people, extra) {
    return '<div class="card" data-room="' + esc(id) + '"><h3>' + esc(title) + ' <span class="muted" data-count>' + people.length + '</span></h3>' +
      (extra || '') + '<ul class="people">' + people.map(person).join('') + '</ul></div>';
  }
  function render(s) {
    $('at').textContent = new Date(s.at).toLocaleTimeString();
    const list = s.meetings.map((m) => '<a href="?meeting=' + encodeURIComponent(m.meetingUuid) + '" data-meeting="' + esc(m.meetingUuid) + '"' +
      (m.meetingUuid === s.selected ? ' class="selected"' : '') + '>' + esc(m.topic || m.meetingId || m.meetingUuid) + ' ' +
      badge(m.status) + ' ' + badge(m.counts.inMeeting + ' in') + '</a>').join('');
    $('meetings').innerHTML = '<h3>Meetings</h3>' + (list || '<p class="muted">none yet</p>');
    const v = s.view;
    if (!v) { $('meeting').innerHTML = '<p class="muted">No meeting selected.</p>'; return; }
    const m = v.meeting, st = v.stats;
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
    $('meeting').innerHTML =
      '<h2>' + esc(m.topic || 'Meeting') + ' <span class="muted">' + esc(m.meetingId || '') + '</span> ' + badge(m.status) +
      (m.recording === 'recording' ? badge('recording', 'rec') : m.recording === 'paused' ? badge('recording paused') : '') +
      (m.rtmsStreams && m.rtmsStreams.length ? badge('RTMS stream') : '') + '</h2>' +
      '<p class="stats">' + stats + '</p><div class="cards">' +
      card('main', 'Main room', at('main')) +
      sorted.map(([id, r]) => card(id, r.name, r.people)).join('') +
      (at('transit').length ? card('transit', 'Moving between rooms', at('transit')) : '') +
      card('waiting_room', 'Waiting room', at('waiting_room').concat(at('jbh_waiting'))) +
      '</div>' + '<h3>Left</h3><ul class="people muted" id="left">' + at('left').map(person).join('') + '</ul>';
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-meeting]');
    if (!a) return;
    e.preventDefault();
    selected = a.getAttribute('data-meeting');
    history.replaceState(null, '', '?meeting=' + encodeURIComponent(selected));
    connect();
  });
  connect();
})();
`;
