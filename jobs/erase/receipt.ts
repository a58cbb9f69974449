// The receipt an erasure run writes to erasures/ and the log: what it changed, where, how many,
// when; never a personal value (the request is named by a keyed hash only).
import type { Selector } from '../../core/privacy/erasure-target.ts';
import type { RecordingsErasure } from './recordings.ts';

/** What a run did, per store. */
export interface ErasureReceipt {
  receipt_version: 1;
  request_id: string;
  selector: Selector['by'];
  scope: { meeting: string | null; from: string | null; to: string | null };
  dry_run: boolean;
  delete_recordings: boolean;
  started_at: string;
  finished_at: string;
  complete: boolean;
  /** Steps that failed (run again to finish them). */
  pending: string[];
  meetings: number;
  stores: {
    raw_archive: { objects_rewritten: number; objects_missing: number };
    qos_archive: { objects_rewritten: number };
    quarantine: { objects_deleted: number };
    live_state: { meetings: number; events: number } | 'not reached';
    recordings:
      (Omit<RecordingsErasure, 'deletedStreams' | 'keptMedia'> & { media_kept: number }) | 'not reached';
    warehouse: Record<string, number>;
    exports: { files_rewritten: number; lines: number };
    /** Roster files under rosters/ that list the person (left to the operator). */
    rosters_naming_person?: number;
  };
  /** Where the receipt is in the archive (unset on a dry run). */
  key?: string;
}

/** The receipt as a reader wants it from the command line: one line per store that has something. */
export function summaryLines(r: ErasureReceipt): string[] {
  const verb = r.dry_run ? 'would' : 'did';
  const s = r.stores;
  const lines = [
    `${r.meetings} meeting instance(s) hold the person (${verb === 'would' ? 'dry run' : 'erased'})`,
  ];
  const add = (n: number | undefined, text: string): void => {
    if (n) lines.push(`${text}: ${n}`);
  };
  add(s.raw_archive.objects_rewritten, 'raw archive bodies rewritten');
  add(s.qos_archive.objects_rewritten, 'QoS pages rewritten');
  add(s.quarantine.objects_deleted, 'quarantined bodies deleted');
  if (typeof s.live_state === 'object')
    add(s.live_state.events || s.live_state.meetings, 'live-state events rewritten');
  for (const [table, n] of Object.entries(s.warehouse)) add(n, `${table} rows rewritten`);
  add(s.exports.files_rewritten, 'exported CSVs rewritten');
  if (typeof s.recordings === 'object') {
    add(s.recordings.transcriptsRedacted, 'transcripts redacted');
    add(s.recordings.manifestsRedacted, 'recording manifests redacted');
    add(s.recordings.deletedObjects, 'recording files deleted');
    add(
      s.recordings.media_kept,
      'recordings kept whose audio/video hold the person (--delete-recordings deletes them)',
    );
  }
  add(s.rosters_naming_person, 'rosters in the bucket that list the person (edit them yourself)');
  if (r.pending.length > 0) lines.push(`pending: ${r.pending.join('; ')}`);
  return lines;
}
