// The erasure in exported CSVs (reports/DAILY_REPORT_<D>_….csv, reports/ATTENDANCE_<D>.csv): each
// line holding one of the person's values is rewritten through the same redactor as the warehouse
// rows, cell by cell; every other line, and every untouched cell, stays byte for byte. The files are
// not computed again: an attendance file needs the roster it was made with, and a day's report may
// already be past the warehouse's retention while its export is kept.
import { CSV_BOM, FORMULA_START, csvField, neutraliseFormula, parseCsv } from '../../core/csv.ts';
import type { Archive } from '../../core/ports.ts';
import type { Redactor } from '../../core/privacy/redactor.ts';
import { attendanceKey, exportKey } from '../../core/warehouse/report-contract.ts';

export interface CsvErasure {
  files: number;
  lines: number;
}

/** The raw text of each cell of one CSV line (quotes kept), split at commas outside quotes. */
function rawCells(line: string): string[] {
  const cells: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      cells.push(line.slice(start, i));
      start = i + 1;
    }
  }
  cells.push(line.slice(start));
  return cells;
}

const valueOf = (raw: string): string => parseCsv(raw)[0]?.[1][0] ?? '';
/** A neutralised cell (`'=x`) compares as what it says. */
const unneutralised = (v: string): string =>
  v.startsWith("'") && FORMULA_START.test(v.slice(1)) ? v.slice(1) : v;

/** The CSV with the person's cells replaced; undefined when no line changes. */
export function eraseCsvText(text: string, redactor: Redactor): { text: string; lines: number } | undefined {
  const needles = redactor.identifiers().map((v) => v.toLowerCase());
  const bom = text.startsWith(CSV_BOM) ? CSV_BOM : '';
  const lines = text.slice(bom.length).split('\n');
  const header = rawCells((lines[0] ?? '').replace(/\r$/, '')).map(valueOf);
  let changedLines = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const lower = line.toLowerCase();
    if (!needles.some((n) => lower.includes(n))) continue;
    const cr = line.endsWith('\r') ? '\r' : '';
    const raws = rawCells(cr ? line.slice(0, -1) : line);
    if (raws.length !== header.length) continue;
    const record: Record<string, string> = {};
    header.forEach((h, j) => (record[h] = unneutralised(valueOf(raws[j] as string))));
    const { value, changed } = redactor.rewriteJson(record, record['meeting_uuid']);
    if (!changed) continue;
    lines[i] =
      header
        .map((h, j) =>
          value[h] === record[h] ? (raws[j] as string) : csvField(neutraliseFormula(value[h] as string)),
        )
        .join(',') + cr;
    changedLines++;
  }
  return changedLines === 0 ? undefined : { text: bom + lines.join('\n'), lines: changedLines };
}

/** Rewrites the day's report and attendance exports of each given day. */
export async function eraseExports(
  archive: Archive,
  days: readonly string[],
  redactor: Redactor,
  dryRun: boolean,
): Promise<CsvErasure> {
  const out: CsvErasure = { files: 0, lines: 0 };
  for (const day of days) {
    for (const key of [exportKey(day), attendanceKey(day)]) {
      const bytes = await archive.get(key);
      if (!bytes) continue;
      const erased = eraseCsvText(bytes.toString('utf8'), redactor);
      if (!erased) continue;
      out.files++;
      out.lines += erased.lines;
      if (!dryRun) await archive.put(key, Buffer.from(erased.text, 'utf8'), 'text/csv');
    }
  }
  return out;
}
