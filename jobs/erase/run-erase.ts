// `erase`: finds the person in the warehouse (raw_events), then replaces their values by pseudonyms in
// every store: raw and QoS archive, quarantine, live state, recordings, warehouse tables, exported
// CSVs, and raw_events last (where a rerun finds them again if a step failed). Each run writes a
// receipt without personal data; a second run finds nothing and changes nothing.
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive, LiveState, MediaStore } from '../../core/ports.ts';
import { isEmptyTarget, resolveTarget, type Selector } from '../../core/privacy/erasure-target.ts';
import { writeRegisters } from '../../core/privacy/erasure-register.ts';
import type { Pseudonyms } from '../../core/privacy/pseudonym.ts';
import { createRedactor, type Redactor } from '../../core/privacy/redactor.ts';
import { addDays } from '../../core/warehouse/day-window.ts';
import type { SqlEngine, WarehouseTable } from '../../core/warehouse/sql-engine.ts';
import { SQL_DATASET } from '../../core/warehouse/sql-files.ts';
import { normalizeDisplayName } from '../../core/zoom/person-key.ts';
import { reconcileDays } from '../reconcile.ts';
import {
  eraseQosArchive,
  eraseQuarantine,
  eraseRawArchive,
  keysMentioning,
  type ArchivedEventRef,
} from './archive-erasure.ts';
import { eraseExports } from './csv-erasure.ts';
import { findMeetings, hostedMeetings, identityRows, type PersonQuery } from './find-person.ts';
import { summaryLines, type ErasureReceipt } from './receipt.ts';

export type { ErasureReceipt } from './receipt.ts';
import { eraseFromRecordings } from './recordings.ts';
import {
  eraseRawEvents,
  eraseWarehouse,
  speakerMatchOf,
  type BufferRetry,
  type TableErasure,
} from './warehouse-erasure.ts';

export interface EraseRequest extends PersonQuery {
  dryRun: boolean;
  /** Delete whole recordings of meetings the person spoke or appeared in (default: keep the media). */
  deleteRecordings: boolean;
}

export interface EraseDeps {
  engine: SqlEngine;
  archive: Archive;
  pseudonyms: Pseudonyms;
  log: Logger;
  now: () => number;
  dataset?: string;
  /** The live state to rewrite (the in-process one inside `serve`, Firestore on gcp). */
  liveState?: LiveState;
  /** Recordings (files under DATA_DIR/s3, or S3). */
  media?: MediaStore;
  /** Retries a warehouse replace BigQuery refuses for rows still in the streaming buffer. */
  retry?: BufferRetry;
}

const noRetry: BufferRetry = (work) => work();

export async function runErase(deps: EraseDeps, req: EraseRequest): Promise<ErasureReceipt> {
  const started = deps.now();
  const dataset = deps.dataset ?? SQL_DATASET;
  const dryRun = req.dryRun;
  const retry = deps.retry ?? noRetry;
  const pending: string[] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      deps.log.error({ err, store: name }, 'erase: step failed; run the same erase again to finish it');
      pending.push(`${name}: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const hosted = await hostedMeetings(deps.engine, dataset, req);
  const meetingUuids = [...new Set([...(await findMeetings(deps.engine, dataset, req)), ...hosted])].sort();
  let rows = await identityRows(deps.engine, dataset, meetingUuids);
  const dates = [...new Set(rows.map((r) => r.event_date))].sort();
  if (!dryRun && dates.length > 0) {
    // The warehouse finds the person: restore any archived event of those days it misses first.
    await reconcileDays({ engine: deps.engine, archive: deps.archive, log: deps.log, dataset }, dates);
    rows = await identityRows(deps.engine, dataset, meetingUuids);
  }
  const target = resolveTarget(rows, req.selector);
  // Meetings they hosted without an event of their own still carry their account id (host_id).
  for (const m of hosted) {
    target.accountIds.add(req.selector.value.trim());
    if (!target.meetings.has(m))
      target.meetings.set(m, {
        connections: new Set(),
        participantIds: new Set(),
        names: new Set(),
        comparableNames: new Set(),
      });
  }
  const redactor = createRedactor(target, deps.pseudonyms);
  const meetings = new Set(target.meetings.keys());
  const mine = rows.filter((r) => r.meeting_uuid !== null && meetings.has(r.meeting_uuid));
  deps.log.info(
    { meetings: meetings.size, dryRun },
    isEmptyTarget(target) ? 'erase: nothing left to erase' : 'erase: person found',
  );

  const receipt: ErasureReceipt = {
    receipt_version: 1,
    request_id: requestId(deps.pseudonyms, req.selector),
    selector: req.selector.by,
    scope: { meeting: req.meeting ?? null, from: req.from ?? null, to: req.to ?? null },
    dry_run: dryRun,
    delete_recordings: req.deleteRecordings,
    started_at: new Date(started).toISOString(),
    finished_at: '',
    complete: false,
    pending,
    meetings: meetings.size,
    stores: {
      raw_archive: { objects_rewritten: 0, objects_missing: 0 },
      qos_archive: { objects_rewritten: 0 },
      quarantine: { objects_deleted: 0 },
      live_state: 'not reached',
      recordings: 'not reached',
      warehouse: {},
      exports: { files_rewritten: 0, lines: 0 },
    },
  };
  const s = receipt.stores;

  if (!isEmptyTarget(target)) {
    const refs: ArchivedEventRef[] = mine
      .filter((r) => r.source === 'webhook' && r.gcs_path)
      .map((r) => ({
        gcs_path: r.gcs_path,
        meeting_uuid: r.meeting_uuid as string,
        inserted_at: r.inserted_at,
      }));
    const raw = await step('raw archive', () =>
      eraseRawArchive(deps.archive, uniqueBy(refs), redactor, dryRun),
    );
    if (raw) s.raw_archive = { objects_rewritten: raw.rewritten, objects_missing: raw.missing };
    const meetingDates = new Map<string, Set<string>>();
    for (const r of mine) {
      const set = meetingDates.get(r.meeting_uuid as string) ?? new Set<string>();
      for (const d of [addDays(r.event_date, -1), r.event_date, addDays(r.event_date, 1)]) set.add(d);
      meetingDates.set(r.meeting_uuid as string, set);
    }
    const qos = await step('qos archive', () =>
      eraseQosArchive(deps.archive, meetingDates, redactor, dryRun),
    );
    if (qos !== undefined) s.qos_archive = { objects_rewritten: qos };
    const quarantineDays =
      req.from || req.to ? daysBetween(req.from ?? dates[0], req.to ?? dates.at(-1), 1) : undefined;
    const quarantined = await step('quarantine', () =>
      eraseQuarantine(deps.archive, quarantineDays, redactor, dryRun),
    );
    if (quarantined !== undefined) s.quarantine = { objects_deleted: quarantined };
    if (deps.liveState)
      s.live_state =
        (await step('live state', () =>
          eraseLiveState(deps.liveState as LiveState, meetings, redactor, dryRun),
        )) ?? 'not reached';
    if (deps.media) {
      const rec = await step('recordings', () =>
        eraseFromRecordings(deps.media as MediaStore, {
          meetingUuids: meetings,
          match: speakerMatchOf(redactor),
          deleteMedia: req.deleteRecordings,
          dryRun,
          log: deps.log,
        }),
      );
      if (rec) {
        const { deletedStreams: _d, keptMedia, ...counts } = rec;
        s.recordings = { ...counts, media_kept: keptMedia.length };
        if (keptMedia.length > 0)
          deps.log.warn(
            { streams: keptMedia.length },
            'erase: recordings kept whose audio/video hold the person (transcripts and manifests redacted; --delete-recordings deletes them)',
          );
      }
    }
    const tables = await step('warehouse', () =>
      eraseWarehouse(deps.engine, meetings, redactor, { dryRun, retry }),
    );
    for (const t of tables ?? []) s.warehouse[t.table] = t.rows;
    const days = [...new Set([...meetingDates.values()].flatMap((d) => [...d]))].sort();
    const rosters = await step('rosters', () => keysMentioning(deps.archive, 'rosters/', redactor));
    if (rosters && rosters.length > 0) {
      s.rosters_naming_person = rosters.length;
      deps.log.warn(
        { rosters },
        'erase: rosters in the bucket still list the person: remove them there (erase does not edit your rosters)',
      );
    }
    const csv = await step('exports', () => eraseExports(deps.archive, days, redactor, dryRun));
    if (csv) s.exports = { files_rewritten: csv.files, lines: csv.lines };
    if (pending.length === 0 && raw) {
      const ev: TableErasure | undefined = await step('raw_events', () =>
        eraseRawEvents(deps.engine, deps.archive, dryRun ? new Set() : raw.keys, meetings, redactor, {
          dryRun,
          retry,
        }),
      );
      if (ev) s.warehouse['raw_events'] = ev.rows;
    } else pending.push('raw_events: left for the next run (it is where the next run finds the person)');
    const changed = (Object.keys(s.warehouse) as WarehouseTable[]).filter((t) => (s.warehouse[t] ?? 0) > 0);
    if (!dryRun && changed.length > 0) await step('warehouse storage', () => deps.engine.compact(changed));
  }

  if (!dryRun && !isEmptyTarget(target))
    await step('erasure registers', () => writeRegisters(deps.archive, target, deps.pseudonyms));
  receipt.complete = pending.length === 0;
  receipt.finished_at = new Date(deps.now()).toISOString();
  if (!dryRun) {
    const key = `erasures/${receipt.started_at.slice(0, 10)}/${receipt.started_at.replace(/[:.]/g, '')}-${receipt.request_id}.json`;
    receipt.key = key;
    await deps.archive.put(key, Buffer.from(`${JSON.stringify(receipt, null, 2)}\n`), 'application/json');
  }
  for (const line of summaryLines(receipt)) deps.log.info(`erase: ${line}`);
  deps.log.info(
    { receipt },
    dryRun ? 'erase: would change' : receipt.complete ? 'erase: complete' : 'erase: incomplete',
  );
  return receipt;
}

async function eraseLiveState(
  live: LiveState,
  meetings: ReadonlySet<string>,
  redactor: Redactor,
  dryRun: boolean,
): Promise<{ meetings: number; events: number }> {
  const list = [...meetings];
  if (dryRun)
    return { meetings: 0, events: await live.countEvents(list, (e) => redactor.touchesStateEvent(e)) };
  return live.rewrite(list, (e) => redactor.rewriteStateEvent(e));
}

/** A keyed hash of the request: runs of the same request share it; it tells nothing without the secret. */
function requestId(pseudonyms: Pseudonyms, s: Selector): string {
  const value =
    s.by === 'email'
      ? s.value.trim().toLowerCase()
      : s.by === 'name'
        ? normalizeDisplayName(s.value)
        : s.value.trim();
  return pseudonyms.of('detail', `erase-request\n${s.by}\n${value}`).slice('erased-'.length);
}

function uniqueBy(refs: readonly ArchivedEventRef[]): ArchivedEventRef[] {
  return [...new Map(refs.map((r) => [r.gcs_path, r])).values()];
}

function daysBetween(from: string | undefined, to: string | undefined, pad: number): string[] | undefined {
  if (!from || !to) return [];
  const out: string[] = [];
  for (let d = addDays(from, -pad); d <= addDays(to, pad); d = addDays(d, 1)) out.push(d);
  return out;
}
