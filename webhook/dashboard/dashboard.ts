// The dashboard routes of the webhook service (WebhookServerDeps.extraRoutes): the live page, its
// script and server-sent events, and the report view of a day as HTML, JSON and the export CSV.
import { accessPolicy } from '../../core/access-policy.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive, LiveState } from '../../core/ports.ts';
import { defaultReportDate, parseDate } from '../../core/warehouse/day-window.ts';
import { REPORT_COLUMNS } from '../../core/warehouse/report-contract.ts';
import { sendJson } from '../../core/http.ts';
import { NoReportTablesError, type ReadEngine } from '../../core/warehouse/sql-engine.ts';
import { esc, page } from './html.ts';
import { createLiveEvents } from './live-events.ts';
import { LIVE_CLIENT_JS, renderLivePage } from './live-page.ts';
import { loadReportDay, toReportCsv, type ReportDay } from '../../core/warehouse/report-day.ts';
import { renderReportIndex, renderReportPage } from './report-page.ts';
import { renderSchedulePage } from './schedule-page.ts';
import type { JobStatus } from '../../core/schedules.ts';

export interface DashboardDeps {
  config: Config;
  liveState: LiveState;
  archive: Archive;
  log: Logger;
  now?: () => number;
  /** The engine the report view reads with, opened on first use (create-backends.ts readEngine). */
  engine: () => Promise<ReadEngine>;
  /** The scheduled jobs `serve` runs on the embedded default (undefined: Cloud Scheduler runs them). */
  schedule?: () => JobStatus[] | undefined;
}

export interface Dashboard {
  routes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  close(): void;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function createDashboard(deps: DashboardDeps): Dashboard {
  const now = deps.now ?? Date.now;
  const events = createLiveEvents(deps.liveState, deps.log, {
    now,
    reportTimeZone: deps.config.REPORT_TIMEZONE,
  });
  let engine: Promise<ReadEngine> | undefined;
  // Personal data never leaves an unauthenticated production service (webhook/dashboard/README.md: IAP or a bearer token).
  const locked = accessPolicy(deps.config).kind === 'closed';

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = PAGE_HEADERS,
  ): true {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
    return true;
  }

  async function reportDay(date: string): Promise<{ day: ReportDay; note?: string }> {
    engine ??= deps.engine();
    try {
      return {
        day: await loadReportDay(
          { engine: await engine, archive: deps.archive, dataset: deps.config.BQ_DATASET },
          date,
        ),
      };
    } catch (err) {
      if (!(err instanceof NoReportTablesError)) throw err;
      return { day: { date, rows: [] }, note: `${err.message}: run \`zoom-tracker report --date ${date}\`.` };
    }
  }

  async function reports(res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/reports' || url.pathname === '/reports/') {
      const asked = url.searchParams.get('date');
      if (asked) return send(res, 303, '', { location: `/reports/${encodeURIComponent(asked)}` });
      const days: string[] = [];
      for await (const key of deps.archive.list('reports/DAILY_REPORT_')) {
        const m = /DAILY_REPORT_(\d{4}-\d{2}-\d{2})_/.exec(key);
        if (m?.[1]) days.push(m[1]);
      }
      return send(
        res,
        200,
        renderReportIndex(days.reverse(), defaultReportDate(now(), deps.config.REPORT_TIMEZONE)),
      );
    }
    const m = /^\/reports\/([^/]+?)(\.json|\.csv)?$/.exec(url.pathname);
    if (!m?.[1]) return false;
    let date: string;
    try {
      date = parseDate(decodeURIComponent(m[1]));
    } catch (err) {
      return send(res, 400, page('Bad date', `<p>${esc((err as Error).message)}</p>`));
    }
    const { day, note } = await reportDay(date);
    if (m[2] === '.json') {
      sendJson(res, 200, { ...day, columns: REPORT_COLUMNS, ...(note && { note }) });
      return true;
    }
    if (m[2] === '.csv') {
      return send(res, 200, toReportCsv(day.rows), {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="DAILY_REPORT_${date}_000000000000.csv"`,
        'cache-control': 'no-store',
      });
    }
    return send(res, 200, renderReportPage(day, note));
  }

  return {
    async routes(req, res, url) {
      const known =
        url.pathname === '/' ||
        url.pathname === '/dashboard.js' ||
        url.pathname === '/events' ||
        url.pathname === '/schedule' ||
        url.pathname === '/schedule.json' ||
        url.pathname.startsWith('/reports');
      if (!known) return false;
      if (locked) {
        return send(
          res,
          403,
          page(
            'Dashboard locked',
            '<p>Set DASHBOARD_TOKEN to use the dashboard on this deployment (it shows personal data).</p>',
          ),
        );
      }
      if (url.pathname === '/') return send(res, 200, renderLivePage());
      if (url.pathname === '/dashboard.js') {
        return send(res, 200, LIVE_CLIENT_JS, {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
      }
      if (url.pathname === '/events') {
        events.handle(req, res, url);
        return true;
      }
      if (url.pathname === '/schedule.json') {
        sendJson(res, 200, { jobs: deps.schedule?.() ?? null });
        return true;
      }
      if (url.pathname === '/schedule') return send(res, 200, renderSchedulePage(deps.schedule?.()));
      return reports(res, url);
    },
    close() {
      events.close();
    },
  };
}
