// `backfill-camera --date D`: for every meeting instance of D in raw_events, every page of the
// Dashboard QoS API → camera_minutes (replacing that meeting's QoS rows). Resumable: a meeting is
// marked complete in the archive (qos/D/<meeting-key>.json, with the raw pages) after its rows
// commit, and a rerun skips it. Budget use is kept in qos/budget/<UTC date>.json.
import { errorMessage } from '../../core/errors.ts';
import type { Redactor } from '../../core/privacy/redactor.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive } from '../../core/ports.ts';
import { logSafe, meetingKeyOf, meetingUuidProblem } from '../../core/zoom/identifiers.ts';
import { dayWindow, reportParams } from '../../core/warehouse/day-window.ts';
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import { noProgress, type Progress } from '../progress.ts';
import { readSql } from '../../core/warehouse/sql-files.ts';
import { DashboardUnavailableError, MeetingNotAvailableError, type QosClient } from './qos-client.ts';
import { qosRows } from './qos-parse.ts';
import { BudgetExhaustedError, type RateLimiter } from './rate-limiter.ts';

export interface BackfillDeps {
  engine: SqlEngine;
  archive: Archive;
  client: QosClient;
  limiter: RateLimiter;
  log: Logger;
  timeZone: string;
  dataset?: string;
  progress?: Progress;
  now?: () => number;
  /**
   * The erasures of a meeting (core/privacy/erasure-register.ts): QoS data fetched for a meeting
   * someone was erased from is pseudonymised the same way before it is stored.
   */
  erasures?: (meetingUuid: string) => Promise<Redactor | undefined>;
}

export interface BackfillSummary {
  date: string;
  meetings: number;
  completed: number;
  alreadyComplete: number;
  notAvailable: number;
  failed: number;
  minutes: number;
  apiCalls: number;
  durationMs: number;
}

export function markerKey(date: string, meetingUuid: string): string {
  return `qos/${date}/${meetingKeyOf(meetingUuid)}.json`;
}

export function budgetKey(utcDate: string): string {
  return `qos/budget/${utcDate}.json`;
}

/** Heavy calls already spent on a UTC day by earlier runs. */
export async function readBudgetUsed(archive: Archive, utcDate: string): Promise<number> {
  const body = await archive.get(budgetKey(utcDate));
  if (!body) return 0;
  try {
    return Number((JSON.parse(body.toString('utf8')) as { used?: unknown }).used) || 0;
  } catch {
    return 0;
  }
}

export async function runBackfill(
  deps: BackfillDeps,
  opts: { date: string; force?: boolean },
): Promise<BackfillSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const usedBefore = deps.limiter.used();
  const progress = deps.progress ?? noProgress;
  const { rows: meetings } = await deps.engine.query<{ meeting_uuid: string; meeting_id: string | null }>(
    readSql('queries/meetings_of_day.sql', deps.dataset),
    reportParams(dayWindow(opts.date, deps.timeZone)),
  );
  const summary: BackfillSummary = {
    date: opts.date,
    meetings: meetings.length,
    completed: 0,
    alreadyComplete: 0,
    notAvailable: 0,
    failed: 0,
    minutes: 0,
    apiCalls: 0,
    durationMs: 0,
  };
  progress.start(meetings.length, `backfill-camera ${opts.date}`);
  let stop: Error | undefined;
  try {
    for (const m of meetings) {
      if (meetingUuidProblem(m.meeting_uuid)) {
        // Rows from before the webhook refused such UUIDs: no marker key can be made for them.
        summary.notAvailable++;
        deps.log.warn({ meetingUuid: logSafe(m.meeting_uuid) }, 'meeting skipped: not a Zoom meeting UUID');
        progress.tick();
        continue;
      }
      const marker = markerKey(opts.date, m.meeting_uuid);
      if (!opts.force && (await deps.archive.get(marker))) {
        summary.alreadyComplete++;
        progress.tick();
        continue;
      }
      try {
        const pages: unknown[] = [];
        const participants: unknown[] = [];
        const erased = await deps.erasures?.(m.meeting_uuid);
        const keep = <T>(v: T): T => (erased ? erased.rewriteJson(v, m.meeting_uuid).value : v);
        for await (const page of deps.client.pages(m.meeting_uuid)) {
          pages.push(keep(page.raw));
          participants.push(...page.participants.map(keep));
        }
        const parsed = qosRows(participants, {
          meetingUuid: m.meeting_uuid,
          meetingId: m.meeting_id,
          insertedAt: new Date(now()).toISOString(),
        });
        const dates = [...new Set([opts.date, ...parsed.rows.map((r) => r.minute_date)])];
        await deps.engine.replaceCameraMinutes(m.meeting_uuid, dates, parsed.rows);
        await deps.archive.put(
          marker,
          Buffer.from(
            JSON.stringify({
              status: 'complete',
              meeting_uuid: m.meeting_uuid,
              minutes: parsed.rows.length,
              skipped_participants: parsed.skippedParticipants,
              skipped_samples: parsed.skippedSamples,
              pages,
            }),
          ),
          'application/json',
        );
        summary.completed++;
        summary.minutes += parsed.rows.length;
        if (parsed.skippedParticipants + parsed.skippedSamples > 0) {
          deps.log.warn(
            {
              meetingUuid: m.meeting_uuid,
              skippedParticipants: parsed.skippedParticipants,
              skippedSamples: parsed.skippedSamples,
            },
            'QoS data without identity or time skipped',
          );
        }
      } catch (err) {
        if (err instanceof MeetingNotAvailableError) {
          summary.notAvailable++;
          await deps.archive.put(
            marker,
            Buffer.from(
              JSON.stringify({ status: 'not_available', meeting_uuid: m.meeting_uuid, reason: err.message }),
            ),
            'application/json',
          );
          deps.log.warn({ meetingUuid: m.meeting_uuid, reason: err.message }, 'meeting skipped');
        } else if (
          err instanceof DashboardUnavailableError ||
          err instanceof BudgetExhaustedError ||
          isStopping(err)
        ) {
          stop = err as Error;
          break;
        } else {
          summary.failed++;
          deps.log.error(
            { meetingUuid: m.meeting_uuid, reason: errorMessage(err) },
            'meeting backfill failed; a rerun retries it',
          );
        }
      }
      progress.tick();
    }
  } finally {
    progress.done();
    summary.apiCalls = deps.limiter.used() - usedBefore;
    summary.durationMs = now() - started;
    const utcDay = new Date(now()).toISOString().slice(0, 10);
    await deps.archive.put(
      budgetKey(utcDay),
      Buffer.from(JSON.stringify({ used: deps.limiter.used() })),
      'application/json',
    );
    deps.log.info(summary, 'backfill-camera finished');
  }
  if (stop) throw stop;
  if (summary.failed > 0)
    throw new Error(
      `backfill incomplete: ${summary.failed} of ${summary.meetings} meetings failed (rerun to resume)`,
    );
  return summary;
}

/** Errors that will fail every meeting alike (credentials, scopes, daily limits): stop at once. */
function isStopping(err: unknown): boolean {
  return err instanceof Error && err.name === 'NonRetriableError';
}
