// `zoom-tracker erase` on real Zoom webhooks: the capture named by ZOOM_REAL_WEBHOOKS (ndjson, one
// delivery a line: `received_at` and `raw`, the body Zoom sent) is posted signed, in received_at
// order, to the embedded service (its clock at each receipt); report, export and attendance run for
// each day. The people erased are picked from the data (the capture is not in the repository): a
// guest known by display name only who reconnected (several participant_uuids for one person key in
// a meeting) and visited breakout rooms, erased with --name; and, if anyone carries a Zoom account
// user id, that person with --user-id. After each erasure: none of their names, participant_uuids or
// per-meeting ids is left in any archive file, warehouse row or exported CSV line; everyone else's
// report rows and CSV lines are the same bytes; their own rows remain as pseudonyms with the same
// minutes and rooms; replay and report give the same rows; a second run changes nothing. The capture
// carries no license: it is read from its path, never copied into the repository.
import { readFile, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { parseConfig, type Config } from '../core/config.ts';
import { parseCsv } from '../core/csv.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { createPseudonyms, isPseudonym } from '../core/privacy/pseudonym.ts';
import { attendanceKey, exportKey } from '../core/warehouse/report-contract.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';
import { normalizeDisplayName } from '../core/zoom/person-key.ts';
import { runAttendance } from '../jobs/attendance/run-attendance.ts';
import { eraseCommand } from '../jobs/erase/erase-command.ts';
import { runReplay } from '../jobs/replay.ts';
import { runExport, runReport } from '../jobs/report.ts';
import { postCapture } from './helpers/real-capture.ts';

const FILE = process.env['ZOOM_REAL_WEBHOOKS'];
if (!FILE) {
  console.warn(
    'real-data-erase: ZOOM_REAL_WEBHOOKS not set: erasure checks on real Zoom webhooks are SKIPPED',
  );
}
const title = FILE
  ? 'erase on real Zoom webhooks (ZOOM_REAL_WEBHOOKS)'
  : 'ZOOM_REAL_WEBHOOKS not set: real-data checks skipped (erase)';

const DAYS = ['2026-04-03', '2026-04-11'];
const SECRET = 'real-data-erase-test-secret';
const pseudonyms = createPseudonyms(SECRET);
const log = silentLogger();
const TABLES = ['raw_events', 'camera_minutes', 'daily_reports', 'attendance', 'recordings', 'roster'];
/** Columns that name a person: the only ones an erasure may change in a report or attendance row. */
const IDENTITY_COLUMNS = new Set([
  'participant_name',
  'participant_email',
  'participant_key',
  'email',
  'first_name',
  'last_name',
]);

type Row = Record<string, unknown>;
type Engine = SqlEngine & { connection: { run(sql: string): Promise<unknown> } };

/** One raw_events row, as identity reads it. */
interface EventRow {
  meeting_uuid: string;
  at: string;
  participant_uuid: string | null;
  participant_id: string | null;
  parent_participant_id: string | null;
  zoom_user_id: string | null;
  participant_name: string | null;
  participant_email: string | null;
  person_match: string | null;
}

/** A person of the capture, derived here from raw_events (not by the erasure's own resolution). */
interface Person {
  label: string;
  argv: string[];
  /** Meeting instance -> their person keys (person_match) there. */
  keys: Map<string, Set<string>>;
  /** Their display names in their meetings. */
  names: Set<string>;
  /** Names searched in every store (the selector's name: every meeting holding it is theirs). */
  globalNames: Set<string>;
  connections: Set<string>;
  /** Meeting instance -> their per-meeting ids (webhook user_id) that nobody else there carries. */
  ids: Map<string, Set<string>>;
  accountIds: Set<string>;
  emails: Set<string>;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());
const json = (r: Row): string =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const sorted = (xs: readonly string[]): string[] => [...xs].sort();
/** The lines only one side has (a readable failure where a whole table would be printed). */
function difference(
  actual: readonly string[],
  expected: readonly string[],
): { extra: string[]; missing: string[] } {
  const count = new Map<string, number>();
  for (const x of expected) count.set(x, (count.get(x) ?? 0) + 1);
  const extra: string[] = [];
  for (const x of actual) {
    const n = count.get(x) ?? 0;
    if (n === 0) extra.push(x);
    else count.set(x, n - 1);
  }
  const missing = [...count].flatMap(([x, n]) => Array<string>(n).fill(x));
  return { extra, missing };
}
const same = { extra: [], missing: [] };

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** The person's rows of each meeting: rows named `name`, then every row of their keys or connections. */
function personFrom(
  events: readonly EventRow[],
  pick: (e: EventRow) => boolean,
  label: string,
  argv: string[],
): Person {
  const p: Person = {
    label,
    argv,
    keys: new Map(),
    names: new Set(),
    globalNames: new Set(),
    connections: new Set(),
    ids: new Map(),
    accountIds: new Set(),
    emails: new Set(),
  };
  const byMeeting = new Map<string, EventRow[]>();
  for (const e of events) byMeeting.set(e.meeting_uuid, [...(byMeeting.get(e.meeting_uuid) ?? []), e]);
  for (const [meeting, rows] of byMeeting) {
    const own = new Set(rows.filter(pick));
    if (own.size === 0) continue;
    for (let size = 0; size !== own.size;) {
      size = own.size;
      const keys = new Set([...own].map((e) => e.person_match).filter((k) => k !== null));
      const conns = new Set([...own].map((e) => e.participant_uuid).filter((c) => c !== null));
      for (const e of rows)
        if (
          (e.person_match && keys.has(e.person_match)) ||
          (e.participant_uuid && conns.has(e.participant_uuid))
        )
          own.add(e);
    }
    p.keys.set(meeting, new Set([...own].map((e) => e.person_match ?? '').filter((k) => k !== '')));
    const others = rows.filter((e) => !own.has(e));
    const othersIds = new Set(others.flatMap((e) => [text(e.participant_id), text(e.parent_participant_id)]));
    const ids = new Set<string>();
    for (const e of own) {
      if (text(e.participant_name)) p.names.add(text(e.participant_name));
      if (text(e.participant_uuid)) p.connections.add(text(e.participant_uuid));
      if (text(e.zoom_user_id)) p.accountIds.add(text(e.zoom_user_id));
      if (text(e.participant_email)) p.emails.add(text(e.participant_email).toLowerCase());
      for (const id of [text(e.participant_id), text(e.parent_participant_id)])
        if (id && !othersIds.has(id)) ids.add(id);
    }
    p.ids.set(meeting, ids);
  }
  return p;
}

/** True for a daily_reports/CSV row (meeting_uuid, participant_key) that is the person's. */
function isPersonRow(p: Person, r: Row): boolean {
  const keys = p.keys.get(text(r['meeting_uuid']));
  const key = text(r['participant_key']);
  if (!keys || !key) return false;
  return (
    keys.has(`u:${key}`) || keys.has(`e:${key.toLowerCase()}`) || keys.has(`n:${normalizeDisplayName(key)}`)
  );
}

/** A meeting's host_id fields emptied (the account id of a host is searched apart: see the last test). */
/** Without the erasure mark a rewritten body carries (in a body, or escaped in a row's raw_payload). */
const unmarked = (text: string): string => text.replace(/,\\*"zoom_tracker_erasure\\*":\{[^}]*\}/g, '');
const withoutHostId = (body: string): string => body.replace(/(\\*"host_id\\*":\\*")[^"\\]*/g, '$1');

/**
 * The person's values in a text of one meeting (`meeting`), or of none (receipts, roster rows):
 * connections, account ids and e-mails anywhere; names and per-meeting ids (numbers Zoom reuses
 * across meetings) in the person's meetings, names everywhere when the selector was the name.
 */
function leaks(p: Person, body: string, meeting: string | undefined): string[] {
  const theirs = meeting === undefined || p.keys.has(meeting);
  const textIn = theirs ? body : withoutHostId(body);
  const found: string[] = [];
  const lower = textIn.toLowerCase();
  for (const v of [...p.connections, ...p.accountIds]) if (textIn.includes(v)) found.push(v);
  for (const v of p.emails) if (lower.includes(v)) found.push(v);
  for (const v of theirs ? p.names : p.globalNames) if (textIn.includes(v)) found.push(v);
  const ids = meeting ? (p.ids.get(meeting) ?? new Set<string>()) : new Set<string>();
  for (const id of ids) if (new RegExp(`(?<![0-9])${id}(?![0-9])`).test(textIn)) found.push(id);
  return found;
}

type CsvRecord = Record<string, string>;
function csvRecords(textIn: string): { header: string[]; lines: string[]; records: CsvRecord[] } {
  const body = textIn.replace(/^\uFEFF/, '');
  const parsed = parseCsv(body).map(([, f]) => f);
  const header = parsed[0] ?? [];
  const records = parsed.slice(1).map((f) => Object.fromEntries(header.map((c, i) => [c, f[i] ?? ''])));
  return { header, lines: body.split('\n'), records };
}

describe.skipIf(!FILE)(title, () => {
  let dataDir: string;
  let config: Config;
  let archive: Archive;
  let engine: Engine;
  let events: EventRow[] = [];
  let guest: Person;
  let member: Person | undefined;
  let renamed: Person | undefined;

  const openEngine = async (): Promise<void> => {
    engine = await createDuckDbEngine({ path: join(dataDir, 'warehouse.duckdb'), archive });
  };
  const report = async (date: string): Promise<void> => {
    await runReport({ engine, archive, log, timeZone: 'UTC' }, { date });
    await runExport({ engine, log, timeZone: 'UTC' }, { date });
  };
  const table = async (t: string): Promise<Row[]> =>
    (await engine.query(`SELECT * FROM zoom_tracker.${t}`, {})).rows;
  const dump = async (): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const t of TABLES) out[t] = sorted((await table(t)).map(json));
    return out;
  };
  const archiveTexts = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for await (const path of files(join(dataDir, 'gcs')))
      out.set(relative(dataDir, path), await readFile(path, 'utf8'));
    return out;
  };
  const csvOf = async (key: string): Promise<string> => (await archive.get(key))?.toString('utf8') ?? '';
  const receipts = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const key of archive.list('erasures/'))
      if (/\d{6}/.test(key) && key.endsWith('.json')) keys.push(key);
    return sorted(keys);
  };
  /** `zoom-tracker erase` as the CLI runs it without serve, on the test's DATA_DIR; its receipt. */
  const erase = async (argv: string[]): Promise<{ receipt: Row; key: string }> => {
    const before = new Set(await receipts());
    await engine.close();
    try {
      await eraseCommand.run(argv, { config, log, env: {} });
    } finally {
      await openEngine();
    }
    const key = (await receipts()).filter((k) => !before.has(k)).at(-1) ?? '';
    expect(key, 'a new receipt').not.toBe('');
    return { key, receipt: JSON.parse(await csvOf(key)) as Row };
  };
  const attendance = async (date: string, roster: string): Promise<void> => {
    await runAttendance(
      {
        engine,
        archive,
        log,
        timeZone: 'UTC',
        thresholds: { lateAfterMins: 5, leftEarlyBeforeMins: 5, minPresencePercent: 50 },
      },
      { date, rosterCsv: roster },
    );
  };

  beforeAll(async () => {
    const posted = await postCapture(FILE as string);
    dataDir = posted.dataDir;
    expect(posted.statuses.filter((s) => s !== 200)).toEqual([]);
    config = parseConfig({ DATA_DIR: dataDir, REPORT_TIMEZONE: 'UTC', ERASURE_SECRET: SECRET });
    archive = createFileArchive(join(dataDir, 'gcs'));
    await openEngine();
    for (const date of DAYS) await report(date);
    events = (
      await engine.query<Row>(
        `SELECT meeting_uuid, CAST(event_timestamp AS STRING) AS at, participant_uuid, participant_id, parent_participant_id, zoom_user_id,
          participant_name, participant_email, person_match
        FROM zoom_tracker.raw_events WHERE meeting_uuid IS NOT NULL`,
        {},
      )
    ).rows.map((r) => ({
      meeting_uuid: text(r['meeting_uuid']),
      at: text(r['at']),
      participant_uuid: text(r['participant_uuid']) || null,
      participant_id: text(r['participant_id']) || null,
      parent_participant_id: text(r['parent_participant_id']) || null,
      zoom_user_id: text(r['zoom_user_id']) || null,
      participant_name: text(r['participant_name']) || null,
      participant_email: text(r['participant_email']) || null,
      person_match: text(r['person_match']) || null,
    }));

    // The guest: a name-keyed person with several connections in a meeting and a room visit there;
    // the one in most meetings, then with most connections, then the first name.
    const reports = await table('daily_reports');
    const score = new Map<string, [number, number]>();
    const groups = new Map<string, Set<string>>();
    for (const e of events)
      if (e.person_match?.startsWith('n:') && e.participant_uuid) {
        const g = `${e.meeting_uuid}\n${e.person_match}`;
        groups.set(g, (groups.get(g) ?? new Set()).add(e.participant_uuid));
      }
    for (const [g, conns] of groups) {
      const [meeting, key] = g.split('\n') as [string, string];
      const rooms = reports.some(
        (r) =>
          r['meeting_uuid'] === meeting &&
          `n:${normalizeDisplayName(text(r['participant_key']))}` === key &&
          r['room_number'] !== null,
      );
      if (conns.size < 2 || !rooms) continue;
      const name = key.slice(2);
      const meetings = new Set(events.filter((e) => e.person_match === key).map((e) => e.meeting_uuid)).size;
      const [m, c] = score.get(name) ?? [0, 0];
      score.set(name, [Math.max(m, meetings), c + conns.size]);
    }
    const best = [...score].sort(([a, [am, ac]], [b, [bm, bc]]) => bm - am || bc - ac || (a < b ? -1 : 1))[0];
    expect(best, 'a reconnecting guest who visited a breakout room').toBeDefined();
    const key = (best as [string, unknown])[0];
    const name = events.find((e) => e.participant_name && normalizeDisplayName(e.participant_name) === key)
      ?.participant_name as string;
    guest = personFrom(
      events,
      (e) => e.participant_name !== null && normalizeDisplayName(e.participant_name) === key,
      'guest',
      ['--name', name],
    );
    for (const e of events)
      if (e.participant_name && normalizeDisplayName(e.participant_name) === key)
        guest.globalNames.add(e.participant_name);
    // A connection renamed during the meeting (its person key stays the first name), erased by the
    // name it took later: the first name goes too, in that meeting.
    const byConnection = new Map<string, string[]>();
    for (const e of [...events].sort((x, y) => x.at.localeCompare(y.at)))
      if (e.participant_uuid && e.participant_name && !guest.connections.has(e.participant_uuid)) {
        const names = byConnection.get(e.participant_uuid) ?? [];
        if (!names.includes(e.participant_name)) names.push(e.participant_name);
        byConnection.set(e.participant_uuid, names);
      }
    const laterName = [...byConnection.values()].find((names) => names.length > 1)?.at(-1);
    if (laterName) {
      const later = normalizeDisplayName(laterName);
      renamed = personFrom(
        events,
        (e) => e.participant_name !== null && normalizeDisplayName(e.participant_name) === later,
        'renamed',
        ['--name', laterName],
      );
      renamed.globalNames.add(laterName);
    }
    // A person with a Zoom account user id (someone else), erased by it.
    const account = events.find((e) => e.zoom_user_id && !guest.accountIds.has(e.zoom_user_id))?.zoom_user_id;
    if (account)
      member = personFrom(events, (e) => e.zoom_user_id === account, 'member', ['--user-id', account]);

    // Attendance with a roster of display names (Zoom sent no e-mails): the guest and someone else.
    const other = events.find(
      (e) => e.participant_name && !guest.names.has(e.participant_name),
    )?.participant_name;
    const roster = [name, other, ...(laterName ? [laterName] : [])].map((n) => `${n},A\n`).join('');
    for (const date of DAYS) await attendance(date, `name,department\n${roster}`);
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Every place a value of the person is found: archive files, CSV lines, warehouse rows. */
  async function scan(p: Person): Promise<string[]> {
    const found: string[] = [];
    for (const [file, body] of await archiveTexts()) {
      if (file.endsWith('.csv')) {
        const { records, lines } = csvRecords(body);
        records.forEach((r, i) => {
          for (const v of leaks(p, lines[i + 1] ?? '', r['meeting_uuid']))
            found.push(`${v} in ${file}:${i + 2}`);
        });
        continue;
      }
      let meeting: string | undefined;
      try {
        meeting = (JSON.parse(body) as { payload?: { object?: { uuid?: string } } }).payload?.object?.uuid;
      } catch {
        meeting = undefined;
      }
      for (const v of leaks(p, body, meeting)) found.push(`${v} in ${file}`);
    }
    for (const t of TABLES)
      for (const r of await table(t))
        for (const v of leaks(p, json(r), text(r['meeting_uuid']))) found.push(`${v} in ${t}`);
    return found;
  }

  /** The state before an erasure and the checks after it, for one person. */
  async function eraseAndCheck(p: Person): Promise<void> {
    const tablesBefore = await dump();
    const csvBefore = new Map<string, string>();
    for (const d of DAYS) for (const k of [exportKey(d), attendanceKey(d)]) csvBefore.set(k, await csvOf(k));
    const reportsBefore = await table('daily_reports');
    const textsBefore = await archiveTexts();
    const mineBefore = reportsBefore.filter((r) => isPersonRow(p, r));
    expect(mineBefore.length, `${p.label}'s report rows`).toBeGreaterThan(0);

    // The search below finds each of their values before the erasure.
    const before = await scan(p);
    for (const v of [
      ...p.names,
      ...p.connections,
      ...p.accountIds,
      ...[...p.ids.values()].flatMap((i) => [...i]),
    ])
      expect(
        before.some((f) => f.startsWith(`${v} in `)),
        `${v} found before`,
      ).toBe(true);
    let bodiesBefore = 0;
    for (const [file, body] of await archiveTexts())
      if (file.startsWith(join('gcs', 'raw')) && [...p.connections].some((c) => body.includes(c)))
        bodiesBefore++;

    // Meetings they hosted without an event of theirs are reached through host_id.
    const hosted = new Set<string>();
    for (const [file, body] of await archiveTexts()) {
      if (!file.startsWith(join('gcs', 'raw'))) continue;
      const o = (JSON.parse(body) as { payload?: { object?: { uuid?: string; host_id?: string } } }).payload
        ?.object;
      if (o?.uuid && !p.keys.has(o.uuid) && o.host_id && p.accountIds.has(o.host_id)) hosted.add(o.uuid);
    }

    const { receipt } = await erase(p.argv);
    expect(receipt['complete']).toBe(true);
    expect(receipt['pending']).toEqual([]);
    expect(receipt['meetings']).toBe(p.keys.size + hosted.size);

    // (a) Nothing of theirs in any archive file, warehouse row or exported CSV line.
    expect(await scan(p)).toEqual([]);
    // In their archived bodies every identifying field is a pseudonym (IP addresses included).
    const fields = ['user_name', 'user_id', 'participant_uuid', 'public_ip', 'private_ip', 'id', 'email'];
    const theirUuids = new Set([...p.connections].map((c) => pseudonyms.of('connection', c)));
    let bodies = 0;
    for (const [file, body] of await archiveTexts()) {
      if (!file.startsWith(join('gcs', 'raw'))) continue;
      const participant = (
        JSON.parse(body) as { payload: { object: { participant?: Record<string, unknown> } } }
      ).payload.object.participant;
      if (!participant || !theirUuids.has(text(participant['participant_uuid']))) continue;
      bodies++;
      for (const f of fields)
        if (text(participant[f]) !== '')
          expect(isPseudonym(text(participant[f])), `${f} in ${file}`).toBe(true);
    }
    expect(bodies).toBe(bodiesBefore);

    // (b) Everyone else's report rows the same bytes, in the table and in each CSV line.
    const reportsAfter = await table('daily_reports');
    const newKeys = new Set(mineBefore.map((r) => pseudonymOf(p, text(r['participant_key']))));
    const erasedKey = (r: Row): boolean =>
      p.keys.has(text(r['meeting_uuid'])) && newKeys.has(text(r['participant_key']));
    expect(sorted(reportsAfter.filter((r) => !erasedKey(r)).map(json))).toEqual(
      sorted(reportsBefore.filter((r) => !isPersonRow(p, r)).map(json)),
    );
    // (c) Their rows still there, as pseudonyms: same minutes, rooms, camera figures.
    const mineAfter = reportsAfter.filter(erasedKey);
    const rest = (r: Row): string =>
      json(Object.fromEntries(Object.entries(r).filter(([c]) => !IDENTITY_COLUMNS.has(c))));
    expect(sorted(mineAfter.map(rest))).toEqual(sorted(mineBefore.map(rest)));
    for (const r of mineAfter) {
      expect(isPseudonym(text(r['participant_name'])), json(r)).toBe(true);
      const was = mineBefore.find((b) => rest(b) === rest(r)) as Row;
      expect(r['participant_key']).toBe(
        was['participant_key'] === null ? null : pseudonymOf(p, text(was['participant_key'])),
      );
      expect(r['participant_name']).toBe(pseudonyms.of('name', text(was['participant_name'])));
    }
    // The CSV files line by line: others' lines identical, theirs changed in identity cells only.
    for (const [key, before] of csvBefore) {
      const after = await csvOf(key);
      const b = csvRecords(before);
      const a = csvRecords(after);
      expect(a.lines.length, key).toBe(b.lines.length);
      expect(a.lines[0]).toBe(b.lines[0]);
      let changed = 0;
      b.records.forEach((rec, i) => {
        const lineA = a.lines[i + 1] as string;
        const lineB = b.lines[i + 1] as string;
        if (lineA === lineB) return;
        changed++;
        const mine =
          isPersonRow(p, rec) || (!rec['participant_key'] && leaks(p, lineB, rec['meeting_uuid']).length > 0);
        expect(mine, `${key}:${i + 2} changed but is not ${p.label}'s`).toBe(true);
        const recA = a.records[i] as CsvRecord;
        for (const c of b.header) {
          if (recA[c] === rec[c]) continue;
          expect(IDENTITY_COLUMNS.has(c), `${key}:${i + 2} column ${c}`).toBe(true);
          expect(isPseudonym(recA[c] ?? ''), `${key}:${i + 2} ${c}`).toBe(true);
        }
      });
      if (key.includes('DAILY_REPORT'))
        expect(changed, key).toBe(b.records.filter((r) => isPersonRow(p, r)).length);
    }
    // Archived bodies of other meetings, and rows of other meetings in every table, untouched.
    for (const [file, body] of await archiveTexts()) {
      if (!file.startsWith(join('gcs', 'raw'))) continue;
      const meeting = (JSON.parse(body) as { payload?: { object?: { uuid?: string } } }).payload?.object
        ?.uuid;
      // (In meetings they only hosted, host_id alone changes: checked by the last test.)
      if (p.keys.has(meeting ?? '')) continue;
      const was = textsBefore.get(file) ?? '';
      if (hosted.has(meeting ?? ''))
        expect(unmarked(withoutHostId(body)), file).toBe(unmarked(withoutHostId(was)));
      else expect(body, file).toBe(was);
    }
    const tablesAfter = await dump();
    for (const t of TABLES) {
      const outside = (rows: string[]): string[] =>
        rows
          .filter((r) => !p.keys.has(text((JSON.parse(r) as Row)['meeting_uuid'])))
          .map((r) =>
            hosted.has(text((JSON.parse(r) as Row)['meeting_uuid'])) ? unmarked(withoutHostId(r)) : r,
          );
      expect(outside(tablesAfter[t] ?? []), t).toEqual(outside(tablesBefore[t] ?? []));
    }
  }

  /** The pseudonym a participant_key of the person becomes (account id, e-mail or name). */
  function pseudonymOf(p: Person, key: string): string {
    if (p.accountIds.has(key)) return pseudonyms.of('account', key);
    if (p.emails.has(key.toLowerCase())) return pseudonyms.of('email', key);
    return pseudonyms.of('name', key);
  }

  /** (d) replay + report give the same rows; (e) a second erase changes nothing. */
  async function replayAndRepeat(p: Person): Promise<void> {
    const reports = sorted((await table('daily_reports')).map(json));
    const rawEvents = sorted((await table('raw_events')).map((r) => json({ ...r, inserted_at: null })));
    const csv = new Map<string, string[]>();
    for (const d of DAYS) csv.set(d, sorted((await csvOf(exportKey(d))).split('\n')));
    for (const date of DAYS) {
      await runReplay({ engine, archive, log }, { date });
      await report(date);
    }
    expect(
      difference(
        (await table('raw_events')).map((r) => json({ ...r, inserted_at: null })),
        rawEvents,
      ),
    ).toEqual(same);
    expect(difference((await table('daily_reports')).map(json), reports)).toEqual(same);
    for (const d of DAYS) expect(sorted((await csvOf(exportKey(d))).split('\n'))).toEqual(csv.get(d));

    const texts = await archiveTexts();
    const tables = await dump();
    const { receipt, key } = await erase(p.argv);
    expect(receipt['meetings']).toBe(0);
    expect(receipt['complete']).toBe(true);
    const now = await archiveTexts();
    now.delete(join('gcs', key));
    expect(now).toEqual(texts);
    expect(await dump()).toEqual(tables);
  }

  it('picks a reconnecting guest with room visits from the data (name only, no e-mail)', () => {
    const meetings = [...guest.keys.keys()];
    expect(meetings.length).toBeGreaterThan(0);
    expect(guest.connections.size).toBeGreaterThan(meetings.length);
    expect(guest.accountIds.size).toBe(0);
    expect([...guest.ids.values()].every((ids) => ids.size > 0)).toBe(true);
  });

  it('--name: the guest gone from every store, everyone else the same bytes, own rows pseudonymous', async () => {
    await eraseAndCheck(guest);
  }, 120_000);

  it('--name: replay and report give the same rows; a second erase changes nothing', async () => {
    await replayAndRepeat(guest);
  }, 120_000);

  it('--name: a connection renamed mid-meeting, erased by its later name (the first name goes too)', async () => {
    expect(renamed, 'a renamed connection in the capture').toBeDefined();
    const p = renamed as Person;
    expect(p.names.size).toBeGreaterThan(1);
    await eraseAndCheck(p);
    await replayAndRepeat(p);
  }, 240_000);

  it('--user-id: a person with a Zoom account user id, if the capture has one', async () => {
    if (!member) {
      console.warn('real-data-erase: no participant with an account user id in the capture');
      return;
    }
    await eraseAndCheck(member);
    await replayAndRepeat(member);
  }, 240_000);

  // Zoom names the host's account user id in `host_id` of every body of each meeting they host, also
  // of meetings without an event of theirs (the capture began after the host joined three of the
  // four instances): --user-id reaches those meetings through host_id.
  it('--user-id: the host id is gone from host_id of every meeting they hosted', async () => {
    const id = [...(member?.accountIds ?? [])][0] ?? '';
    expect(id).not.toBe('');
    const left = [...(await archiveTexts())].filter(([, body]) => body.includes(`"host_id":"${id}"`));
    expect(left.map(([file]) => file)).toEqual([]);
  });
});
