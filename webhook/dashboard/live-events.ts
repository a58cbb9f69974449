// Server-sent events for the live dashboard: a snapshot of the meetings (and of one meeting's
// rooms) on connect and after every live-state change (LiveState.watch, throttled), plus pings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import type { LiveParticipantsView, MeetingSummary } from '../../core/state/views.ts';

export interface LiveSnapshot {
  meetings: MeetingSummary[];
  /** The meeting shown: the one asked for, else the latest started one. */
  selected?: string;
  view?: LiveParticipantsView;
  at: string;
}

export interface LiveEventsOptions {
  throttleMs?: number;
  heartbeatMs?: number;
  now?: () => number;
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
): Promise<LiveSnapshot> {
  const meetings = await liveState.listMeetings({ includeEnded: true });
  const latest = [...meetings].sort((a, b) => rank(b) - rank(a))[0];
  const selected = meeting || latest?.meetingUuid;
  const view = selected ? await liveState.liveParticipants(selected) : undefined;
  return { meetings, ...(selected && { selected }), ...(view && { view }), at: new Date(now).toISOString() };
}

function rank(m: MeetingSummary): number {
  return (m.status === 'started' ? 1e15 : 0) + (m.startedAt ? Date.parse(m.startedAt) : 0);
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
            const snapshot = await liveSnapshot(liveState, meeting, now());
            if (res.writableEnded) return;
            res.write(`event: state\ndata: ${JSON.stringify(snapshot)}\n\n`);
          } while (again);
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'live dashboard snapshot failed');
        } finally {
          sending = false;
        }
      };
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
