// Erasure end to end on the embedded default: the offline demo meeting, then `zoom-tracker erase
// --email dara@example.com` through the real CLI beside a running `serve` (Dara disconnected, came
// back on a new connection, visited Room-2 twice, turned her camera on, spoke). Afterwards every
// store is searched for her name, e-mail and ids (archive, quarantine, exports, recordings, every
// warehouse table, the live state served over HTTP): nothing but pseudonyms; everyone else's report
// rows are the same bytes; a second erase changes nothing; replay and report do not bring her back.
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.ts';
import { runDemo, type DemoResult } from '../demo/run-demo.ts';
import { jobCommands } from '../jobs/commands.ts';
import { runCli, startServeCli, type BackgroundServe } from './helpers/run-cli.ts';

let demo: DemoResult;
let serve: BackgroundServe | undefined;
let env: Record<string, string>;
/** Everything that names Dara, taken from the warehouse before the erasure. */
let daraValues: string[] = [];
let reportBefore: string[] = [];
let tablesBefore: Record<string, string[]> = {};
let textsBefore = new Map<string, string>();

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Every table of the warehouse, each row as JSON text, sorted. */
async function dumpWarehouse(dataDir: string): Promise<Record<string, string[]>> {
  const instance = await DuckDBInstance.create(join(dataDir, 'warehouse.duckdb'), {
    access_mode: 'READ_ONLY',
  });
  const conn = await instance.connect();
  try {
    const tables = (await (await conn.run('SHOW TABLES')).getRowObjectsJson()).map((r) => String(r['name']));
    const out: Record<string, string[]> = {};
    for (const t of tables) {
      const rows = await (await conn.run(`SELECT * FROM "${t}"`)).getRowObjectsJson();
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The text files of the archive and recordings (media and the DuckDB file are checked apart). */
async function storeTexts(dataDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const root of ['gcs', 's3']) {
    for await (const path of files(join(dataDir, root))) {
      if (/\.(mp4|wav|mkv|seg)$/.test(path)) continue;
      out.set(relative(dataDir, path), await readFile(path, 'utf8'));
    }
  }
  return out;
}

const DAY = 24 * 60 * 60 * 1000;
const REPORT = (d: DemoResult): string => join(d.dataDir, d.files.reportCsv);
const isDara = (line: string): boolean => daraValues.some((v) => line.includes(v));

beforeAll(async () => {
  demo = await runDemo({ port: 0, speed: 60, env: {}, log: silentLogger(), say: () => {} });
  await demo.stop();
  env = { DATA_DIR: demo.dataDir, REPORT_TIMEZONE: demo.config.REPORT_TIMEZONE };
  const before = await dumpWarehouse(demo.dataDir);
  tablesBefore = before;
  const values = new Set<string>(['Dara Okafor', 'dara@example.com', 'Okafor']);
  for (const line of before['raw_events'] ?? []) {
    const r = JSON.parse(line) as Record<string, string | null>;
    if (r['participant_email'] !== 'dara@example.com' && r['participant_name'] !== 'Dara Okafor') continue;
    for (const k of ['participant_uuid', 'participant_id', 'parent_participant_id'] as const) {
      const v = r[k];
      if (v) values.add(v);
    }
  }
  daraValues = [...values];
  reportBefore = (await readFile(REPORT(demo), 'utf8')).split('\n');
  // A roster kept in the bucket, as attendance on Google Cloud reads it: the operator's file.
  await mkdir(join(demo.dataDir, 'gcs', 'rosters'), { recursive: true });
  await copyFile(join(demo.dataDir, 'roster.csv'), join(demo.dataDir, 'gcs', 'rosters', 'class.csv'));
  textsBefore = await storeTexts(demo.dataDir);
  serve = await startServeCli(env);
}, 240_000);

afterAll(async () => {
  await serve?.stop();
  if (demo) await rm(demo.dataDir, { recursive: true, force: true });
});

describe('erase on the embedded default', () => {
  it('finds Dara in the demo first: two connections, five per-meeting ids, her rows in every store', () => {
    const uuids = daraValues.filter((v) => /^[0-9A-F]{8}-/i.test(v));
    expect(uuids).toHaveLength(2);
    expect(daraValues.filter((v) => /^\d+$/.test(v)).length).toBeGreaterThanOrEqual(4);
    expect(reportBefore.filter(isDara)).toHaveLength(2); // two visits to Room-2
    expect((tablesBefore['attendance'] ?? []).filter(isDara)).toHaveLength(1);
    expect(
      [...textsBefore].filter(([f, t]) => f.includes('transcript') && t.includes('Dara Okafor')),
    ).toHaveLength(3);
  });

  it('the dry run counts per store and changes nothing', async () => {
    const texts = await storeTexts(demo.dataDir);
    const r = await runCli(['erase', '--email', 'dara@example.com', '--dry-run'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('handed to the running serve');
    expect(r.stdout).toContain('erase: daily_reports rows rewritten: 2');
    const receipt = receiptOf(r.stdout);
    expect(receipt.dry_run).toBe(true);
    expect(receipt.meetings).toBe(1);
    expect(receipt.stores.raw_archive.objects_rewritten).toBeGreaterThan(10);
    expect(receipt.stores.warehouse['daily_reports']).toBe(2);
    expect(receipt.stores.warehouse['attendance']).toBe(1);
    expect(await storeTexts(demo.dataDir)).toEqual(texts);
  });

  it('replaces her by pseudonyms in every store, beside serve, and writes a receipt', async () => {
    const r = await runCli(['erase', '--email', 'dara@example.com'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('handed to the running serve');
    const receipt = receiptOf(r.stdout);
    expect(receipt.complete).toBe(true);
    expect(receipt.stores.live_state).toMatchObject({ meetings: 1 });
    expect(receipt.stores.exports.files_rewritten).toBe(2); // report and attendance CSVs
    expect(receipt.stores.recordings).toMatchObject({ manifestsRedacted: 1 });
    expect(receipt.stores.rosters_naming_person).toBe(1); // named in the receipt's counts and a warning

    // The live state `serve` holds, as its API serves it.
    const meetings = (await (await fetch(`${serve!.url}/api/meetings?include_ended=true`)).json()) as {
      meetings: { meetingId?: string }[];
    };
    const id = meetings.meetings[0]?.meetingId ?? '';
    const live = await (await fetch(`${serve!.url}/api/meetings/${id}/live-participants`)).text();
    expect(JSON.parse(live)).toMatchObject({ meeting: { meetingId: '85012345678' } });
    expect(live).toContain('erased-');
    for (const v of daraValues) expect(live, v).not.toContain(v);

    // Its receipt names no one.
    const stored = await readFile(join(demo.dataDir, 'gcs', receipt.key), 'utf8');
    for (const v of daraValues) expect(stored, v).not.toContain(v);
  });

  it('leaves nothing of her in any store but pseudonyms', async () => {
    await serve?.stop();
    serve = undefined;
    for (const [file, text] of await storeTexts(demo.dataDir)) {
      if (file.startsWith(join('gcs', 'rosters'))) continue; // the operator's roster: theirs to edit
      for (const v of daraValues) expect(text.includes(v), `${v} in ${file}`).toBe(false);
    }
    const after = await dumpWarehouse(demo.dataDir);
    for (const [table, rows] of Object.entries(after)) {
      for (const v of daraValues)
        expect(
          rows.filter((row) => row.includes(v)),
          `${v} in ${table}`,
        ).toEqual([]);
    }
    expect(after['daily_reports']?.filter((row) => row.includes('erased-'))).toHaveLength(2);
    // Nor in the bytes of the DuckDB file (freed blocks, WAL) and the media.
    for await (const path of files(demo.dataDir)) {
      if (path.endsWith('roster.csv') || path.endsWith('class.csv')) continue; // rosters: the operator's files
      const bytes = await readFile(path);
      for (const v of daraValues.filter((x) => !/^\d+$/.test(x)))
        expect(bytes.includes(Buffer.from(v)), `${v} in ${relative(demo.dataDir, path)}`).toBe(false);
    }
  });

  it("keeps everyone else's report rows byte for byte, in the table and in the CSV", async () => {
    const after = await dumpWarehouse(demo.dataDir);
    const others = (rows: string[] | undefined): string[] =>
      (rows ?? []).filter((row) => !row.includes('erased-') && !isDara(row));
    expect(others(after['daily_reports'])).toEqual(others(tablesBefore['daily_reports']));
    expect(others(after['daily_reports'])).toHaveLength((tablesBefore['daily_reports'] ?? []).length - 2);
    const csv = (await readFile(REPORT(demo), 'utf8')).split('\n');
    expect(csv.filter((l) => !l.includes('erased-'))).toEqual(reportBefore.filter((l) => !isDara(l)));
    expect(csv).toHaveLength(reportBefore.length);
  });

  it('a second erase finds nothing and changes no byte of any store', async () => {
    const texts = await storeTexts(demo.dataDir);
    const tables = await dumpWarehouse(demo.dataDir);
    const r = await runCli(['erase', '--email', 'dara@example.com'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const receipt = receiptOf(r.stdout);
    expect(receipt.meetings).toBe(0);
    const now = await storeTexts(demo.dataDir);
    now.delete(join('gcs', receipt.key));
    expect(now).toEqual(texts);
    expect(await dumpWarehouse(demo.dataDir)).toEqual(tables);
  });

  it('replay, report and export from the rewritten archive give the same rows: she does not come back', async () => {
    const erased = (await readFile(REPORT(demo), 'utf8')).split('\n');
    const replay = await runCli(['replay', '--date', demo.date], env);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    // Report and export as the demo ran them, on a clock past the (compressed) meeting's day.
    const ctx = {
      config: demo.config,
      log: silentLogger(),
      env: {},
      now: () => Date.parse(`${demo.date}T00:00:00Z`) + 2 * DAY,
    };
    for (const name of ['report', 'export']) {
      await jobCommands.find((c) => c.name === name)!.run(['--date', demo.date], ctx);
    }
    const rebuilt = (await readFile(REPORT(demo), 'utf8')).split('\n');
    for (const v of daraValues)
      expect(
        rebuilt.filter((l) => l.includes(v)),
        v,
      ).toEqual([]);
    // The same lines (the export orders by participant_key, so her rows may move).
    expect([...rebuilt].sort()).toEqual([...erased].sort());
  });
});

interface Receipt {
  key: string;
  dry_run: boolean;
  complete: boolean;
  meetings: number;
  stores: {
    raw_archive: { objects_rewritten: number };
    live_state: unknown;
    recordings: unknown;
    warehouse: Record<string, number>;
    exports: { files_rewritten: number };
    rosters_naming_person?: number;
  };
}

/** The receipt the job logged (JSON log lines, streamed back by serve). */
function receiptOf(stdout: string): Receipt {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.includes('"receipt"')) continue;
    return (JSON.parse(line) as { receipt: Receipt }).receipt;
  }
  throw new Error(`no receipt in:\n${stdout}`);
}
