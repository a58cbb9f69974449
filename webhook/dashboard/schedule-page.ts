// The scheduled jobs of the embedded default (`serve` runs them): schedule, next run, last run and
// its outcome, as a small page and as JSON. In production Cloud Scheduler runs them instead.
import type { JobStatus } from '../../core/schedules.ts';
import { esc, page } from './html.ts';

const when = (iso: string | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '–';

export function renderSchedulePage(jobs: readonly JobStatus[] | undefined): string {
  if (!jobs) {
    return page(
      'zoom-tracker schedule',
      '<h2>Scheduled jobs</h2><p class="muted">Cloud Scheduler runs the daily jobs on this deployment (see its console).</p>',
    );
  }
  const rows = jobs
    .map((j) => {
      const last = j.lastRun;
      const outcome = j.running
        ? 'running'
        : last
          ? last.outcome === 'ok'
            ? 'ok'
            : `failed: ${last.error ?? ''}`
          : '–';
      return `<tr data-job="${esc(j.command)}"><td>${esc(j.command)}</td><td><code>${esc(j.schedule)}</code> <span class="muted">${esc(j.setting)}</span></td>
<td data-next>${j.off !== undefined ? `off: ${esc(j.off)}` : esc(when(j.nextRun))}</td>
<td data-last>${esc(when(last?.finishedAt))}${last ? ` <span class="muted">(${esc(last.days.join(', '))})</span>` : ''}</td>
<td data-outcome>${esc(outcome)}</td></tr>`;
    })
    .join('\n');
  const tz = jobs[0]?.timeZone ?? 'UTC';
  return page(
    'zoom-tracker schedule',
    `<h2>Scheduled jobs</h2>
<p class="muted">Run by this service in ${esc(tz)}, each for the day before and the day it runs; missed days are caught up after a restart.</p>
<table><thead><tr><th>job</th><th>schedule</th><th>next run</th><th>last run (days)</th><th>outcome</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}
