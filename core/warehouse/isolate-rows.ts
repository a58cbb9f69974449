// One bad row never takes its batch with it: a batch a warehouse refuses for its data is split in
// halves, recursively, until the refused rows stand alone; every other row is written.
import { RowsRejectedError, errorMessage } from '../errors.ts';
import type { RawEventRow } from './raw-events.ts';

export interface RejectedRow {
  eventId: string;
  reason: string;
}

/**
 * Writes `rows` with `write`; when it throws an error `splittable` accepts (a data error, not an
 * outage), retries each half, down to single rows. Returns the rows refused alone (with the
 * reason); a RowsRejectedError from `write` names its rows directly. Other errors are thrown.
 */
export async function writeIsolating(
  rows: readonly RawEventRow[],
  write: (rows: readonly RawEventRow[]) => Promise<void>,
  splittable: (err: unknown) => boolean,
): Promise<RejectedRow[]> {
  if (rows.length === 0) return [];
  try {
    await write(rows);
    return [];
  } catch (err) {
    if (err instanceof RowsRejectedError) return err.rejected;
    if (!splittable(err)) throw err;
    if (rows.length === 1) return [{ eventId: rows[0]?.event_id ?? '?', reason: errorMessage(err) }];
    const mid = Math.ceil(rows.length / 2);
    const first = await writeIsolating(rows.slice(0, mid), write, splittable);
    return [...first, ...(await writeIsolating(rows.slice(mid), write, splittable))];
  }
}
