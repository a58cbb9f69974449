// Server-sent events for the live dashboard: a snapshot of the meetings (and of one meeting's
// persons and rooms) on connect, after every live-state change (LiveState.watch, throttled) and when
// the view settles by itself (a pending move's grace ends: `refreshAt`), plus pings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import { latestInstance } from '../../core/state/latest-instance.ts';
import type { LiveParticipantsView, MeetingSummary } from '../../core/state/views.ts';
import { addDays, localDate } from '../../core/warehouse/day-window.ts';

export interface LiveSnapshot {
  meetings: MeetingSummary[];
  /** The meeting shown: the one asked for, else the latest started one. */
  selected?: string;
  view?: LiveParticipantsView;
  /** For an ended meeting: the report dates it falls on (REPORT_TIMEZONE), linked as /reports/D. */
  reportDates?: string[];
  at: string;
}

export interface LiveEventsOptions {
  throttleMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  /** REPORT_TIMEZONE: the days an ended meeting's report links point at. */
  reportTimeZone?: string;
}

export interface LiveEvents {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void;
  /** Ends every open stream (the service is shutting down). */
  close(): void;
}

export async function liveSnapshot(
  liveState: LiveState,
  meeting: string | undefined,
  now: number,
  reportTimeZone = 'UTC',
): Promise<LiveSnapshot> {
  const meetings = await liveState.listMeetings({ includeEnded: true });
  const latest = latestInstance(meetings, (m) => ({
    status: m.status,
    ...(m.startedAt && { startedAt: Date.parse(m.startedAt) }),
  }));
  const selected = meeting || latest?.meetingUuid;
  const view = selected ? await liveState.liveParticipants(selected) : undefined;
  const reportDates = view ? reportDatesOf(view.meeting, reportTimeZone) : [];
  return {
    meetings,
    ...(selected && { selected }),
    ...(view && { view }),
    ...(reportDates.length > 0 && { reportDates }),
    at: new Date(now).toISOString(),
  };
}

/** The report days an ended meeting falls on, from its start to its end (at most three). */
export function reportDatesOf(m: MeetingSummary, timeZone: string): string[] {
  if (m.status !== 'ended' || !m.endedAt) return [];
  const last = localDate(Date.parse(m.endedAt), timeZone);
  let day = m.startedAt ? localDate(Date.parse(m.startedAt), timeZone) : last;
  const out: string[] = [];
  while (day <= last && out.length < 3) {
    out.push(day);
    day = addDays(day, 1);
  }
  return out;
}

export function createLiveEvents(
  liveState: LiveState,
  log: Logger,
  opts: LiveEventsOptions = {},
): LiveEvents {
  const throttleMs = opts.throttleMs ?? 200;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const open = new Set<ServerResponse>();

  return {
    handle(req, res, url) {
      const meeting = url.searchParams.get('meeting') ?? undefined;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      open.add(res);
      let timer: NodeJS.Timeout | undefined;
      let settle: NodeJS.Timeout | undefined;
      let sending = false;
      let again = false;
      const send = async (): Promise<void> => {
        if (sending) {
          again = true;
          return;
        }
        sending = true;
        try {
          do {
            again = false;
            const snapshot = await liveSnapshot(liveState, meeting, now(), opts.reportTimeZone);
            if (res.writableEnded) return;
            res.write(`event: state\ndata: ${JSON.stringify(snapshot)}\n\n`);
            scheduleSettle(snapshot.view?.refreshAt);
          } while (again);
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'live dashboard snapshot failed');
        } finally {
          sending = false;
        }
      };
      /** A pending move settles with no new event: send the view again when it does. */
      function scheduleSettle(refreshAt: string | undefined): void {
        if (settle) clearTimeout(settle);
        settle = undefined;
        if (!refreshAt) return;
        const delay = Math.max(0, Date.parse(refreshAt) - now()) + 50;
        settle = setTimeout(() => {
          settle = undefined;
          void send();
        }, delay);
      }
      const unwatch = liveState.watch(() => {
        timer ??= setTimeout(() => {
          timer = undefined;
          void send();
        }, throttleMs);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      const stop = (): void => {
        unwatch();
        clearInterval(ping);
        if (timer) clearTimeout(timer);
        if (settle) clearTimeout(settle);
        open.delete(res);
      };
      req.once('close', stop);
      res.once('close', stop);
      void send();
    },
    close() {
      for (const res of open) res.end();
      open.clear();
    },
  };
}
