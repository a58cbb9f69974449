// HTML helpers of the dashboard pages: escaping, the shared page frame and its stylesheet.

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const PALETTE = [
  '#2f6fdf',
  '#e07b24',
  '#2b9a5a',
  '#b8388f',
  '#7a5cd6',
  '#c7a100',
  '#1f9aa8',
  '#d64545',
];

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
body { margin: 0; }
header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: baseline; }
header a { color: #cfe0ff; }
main { padding: 16px 20px; }
h1 { font-size: 18px; margin: 0; } h2 { font-size: 16px; margin: 18px 0 8px; } h3 { font-size: 14px; margin: 12px 0 6px; }
.muted { color: #667; font-size: 13px; }
table { border-collapse: collapse; background: #fff; font-size: 12px; }
th, td { border: 1px solid #dde; padding: 3px 6px; text-align: left; white-space: nowrap; }
th { background: #eef0f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 10px 12px; min-width: 180px; }
.card h3 { margin-top: 0; }
.meetings a { display: block; padding: 4px 0; }
.meetings a.selected { font-weight: 600; }
.people { list-style: none; margin: 0; padding: 0; font-size: 13px; }
.people li { padding: 2px 0; }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px; background: #eef0f4; margin-left: 4px; }
.badge.on { background: #d5f2df; } .badge.rec { background: #fbd5d5; } .badge.share { background: #dfe8fd; }
.stats span { margin-right: 14px; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #334; }
`;

export function page(title: string, body: string, opts: { script?: string } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>zoom-tracker</h1><a href="/">Live</a><a href="/reports">Reports</a><a href="/schedule">Schedule</a></header>
<main>${body}</main>${opts.script ? `<script>${opts.script}</script>` : ''}</body></html>`;
}
