// Benchmark of `erase` on the embedded default (DuckDB + file archive in a temp DATA_DIR): days of
// meetings (20 a day, 30–60 participants with reconnects and breakout-room hops) archived as the
// webhook stores them, loaded by replay, with each day's report and export written by the real jobs.
// Against a baseline in the same process (replay of the days the person appears in), it times the
// erasure of a person in one meeting, of a teacher in every meeting of every day, and the teacher's
// dry run, with DuckDB's compaction timed apart, at two archive sizes to show what memory grows
// with (the rows of the person's meetings, not the archive).
// Prints a table and writes bench/results/erase.json.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import { createPseudonyms } from '../core/privacy/pseudonym.ts';
import type { SqlEngine, WarehouseTable } from '../core/warehouse/sql-engine.ts';
import { eventIdOf, rawArchiveKey } from '../core/zoom/event-id.ts';
import { normalizeEvent } from '../core/zoom/normalize.ts';
import { move, reconnected, zoom, type MeetingRef, type Person } from '../demo/simulator/zoom-events.ts';
import { runErase, type ErasureReceipt } from '../jobs/erase/run-erase.ts';
import { runReplay } from '../jobs/replay.ts';
import { runExport, runReport } from '../jobs/report.ts';
import { mib, round } from './lib/load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
/** Archive sizes in days (the teacher is in every meeting of each). */
const SIZES = (args.get('days') ?? '3,6').split(',').map(Number);
const MEETINGS_PER_DAY = Number(args.get('meetings') ?? 20);
const FIRST_DAY = '2026-03-02';
const STUDENTS = 400;
const TEACHER = { name: 'Tess Teacher', email: 'tess.teacher@school.example' };
const VISITOR = { name: 'Vera Visitor', email: 'vera.visitor@example.com' };

const day = (d: number): string =>
  new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
const personIn = (who: { name: string; email: string }, key: number): Person => ({
  name: who.name,
  email: who.email,
  uuid: `${hex(key, 8)}-0000-4000-8000-${hex(key * 7919, 12)}`,
  userId: String(16_778_240 + key * 1024),
});

/**
 * Meeting m of day d: the teacher hops through the rooms, each student joins, goes to a room and
 * back (every third one hops to a second room), every fifth drops and reconnects; the visitor is in
 * meeting 0 of day 0 only.
 */
function meetingBodies(d: number, m: number): Record<string, unknown>[] {
  const t0 = Date.parse(`${day(d)}T07:00:00Z`) + m * 25 * 60_000;
  const mk = d * 1000 + m;
  const meeting: MeetingRef = {
    id: String(81_000_000_000 + mk),
    uuid: `M${hex(mk, 6)}bench${hex(mk * 31, 8)}==`,
    topic: `Class ${m + 1}`,
    hostId: 'HostTessTeacher00000',
    startTime: new Date(t0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const size = 30 + ((mk * 7) % 31);
  const rooms = [0, 1, 2, 3, 4].map((r) => `ROOM-${hex(mk, 6)}-${r}==`);
  const min = 60_000;
  const out: Record<string, unknown>[] = [zoom.meetingStarted(meeting, t0)];
  const teacher = personIn(TEACHER, 900_000 + mk);
  out.push(zoom.joined(meeting, teacher, t0));
  let uid = teacher.userId;
  for (let r = 0; r < 3; r++) {
    const next = String(Number(teacher.userId) + r + 1);
    out.push(
      ...move(meeting, teacher, t0 + (12 + 8 * r) * min, {
        from: r === 0 ? 'main' : { room: rooms[r - 1] as string },
        to: { room: rooms[r] as string },
        fromUserId: uid,
        toUserId: next,
      }),
    );
    uid = next;
  }
  out.push(zoom.left(meeting, teacher, t0 + 58 * min, 'left the meeting', { userId: uid }));
  const people: { name: string; email: string }[] = [];
  for (let s = 0; s < size; s++) {
    const n = (mk * 13 + s) % STUDENTS;
    people.push({ name: `Student ${n}`, email: s % 4 === 0 ? `student${n}@school.example` : '' });
  }
  if (d === 0 && m === 0) people[0] = VISITOR;
  people.forEach((who, s) => {
    const p = personIn(who, mk * 100 + s);
    const at = t0 + (1 + (s % 5)) * min + s * 1000;
    const room = rooms[s % 5] as string;
    out.push(zoom.joined(meeting, p, at));
    out.push(
      ...move(meeting, p, t0 + 10 * min + s * 500, {
        from: 'main',
        to: { room },
        fromUserId: p.userId,
        toUserId: String(Number(p.userId) + 1),
        joinFirst: s % 2 === 0,
      }),
    );
    let last = String(Number(p.userId) + 1);
    if (s % 3 === 0) {
      const other = rooms[(s + 1) % 5] as string;
      out.push(
        ...move(meeting, p, t0 + 25 * min + s * 500, {
          from: { room },
          to: { room: other },
          fromUserId: last,
          toUserId: String(Number(p.userId) + 2),
        }),
      );
      last = String(Number(p.userId) + 2);
      out.push(
        ...move(meeting, p, t0 + 40 * min + s * 500, {
          from: { room: other },
          to: 'main',
          fromUserId: last,
          toUserId: String(Number(p.userId) + 3),
        }),
      );
    } else
      out.push(
        ...move(meeting, p, t0 + 40 * min + s * 500, {
          from: { room },
          to: 'main',
          fromUserId: last,
          toUserId: String(Number(p.userId) + 3),
          plainReason: true,
        }),
      );
    last = String(Number(p.userId) + 3);
    let current = p;
    if (s % 5 === 0) {
      out.push(zoom.left(meeting, p, t0 + 45 * min, 'got disconnected from the meeting.', { userId: last }));
      current = reconnected(p);
      last = current.userId;
      out.push(zoom.joined(meeting, current, t0 + 46 * min));
    }
    out.push(zoom.left(meeting, current, t0 + 55 * min + s * 1000, 'left the meeting', { userId: last }));
  });
  out.push(zoom.meetingEnded(meeting, t0 + 60 * min));
  return out;
}

/** Archives bodies at the webhook's keys (create-only, synced), 16 at a time; returns how many. */
async function archiveDay(archive: Archive, d: number): Promise<number> {
  const bodies: Record<string, unknown>[] = [];
  for (let m = 0; m < MEETINGS_PER_DAY; m++) bodies.push(...meetingBodies(d, m));
  for (let i = 0; i < bodies.length; i += 16)
    await Promise.all(
      bodies.slice(i, i + 16).map((body) => {
        const eventId = eventIdOf(body);
        const date = normalizeEvent(body, { eventId, gcsPath: '', insertedAt: '' }).row.event_date;
        return archive.putIfAbsent(
          rawArchiveKey(date, eventId),
          Buffer.from(JSON.stringify(body)),
          'application/json',
        );
      }),
    );
  return bodies.length;
}

interface Phase {
  seconds: number;
  /** Highest RSS and heap sampled during the phase, and heap growth over its start (after a GC). */
  peakRssMiB: number;
  heapGrowthMiB: number;
}

/** Runs work while sampling memory every 10 ms. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; phase: Phase }> {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let rss = 0;
  let heap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  const t = performance.now();
  try {
    const value = await work();
    sample();
    return {
      value,
      phase: {
        seconds: round((performance.now() - t) / 1000),
        peakRssMiB: mib(rss),
        heapGrowthMiB: mib(Math.max(0, heap - heap0)),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/** Times engine.compact (tables rebuilt, free blocks overwritten) inside a run. */
function timeCompaction(engine: SqlEngine): { seconds: () => number } {
  const inner = engine.compact.bind(engine);
  let ms = 0;
  engine.compact = async (tables: readonly WarehouseTable[]) => {
    const t = performance.now();
    try {
      await inner(tables);
    } finally {
      ms += performance.now() - t;
    }
  };
  return {
    seconds: () => {
      const s = ms / 1000;
      ms = 0;
      return round(s);
    },
  };
}

/** Counts the archive's reads, writes and listed keys inside a run. */
function countArchive(archive: Archive): { take: () => { gets: number; puts: number; listed: number } } {
  const n = { gets: 0, puts: 0, listed: 0 };
  const get = archive.get.bind(archive);
  const put = archive.put.bind(archive);
  const list = archive.list.bind(archive);
  archive.get = (key) => {
    n.gets++;
    return get(key);
  };
  archive.put = (key, body, type) => {
    n.puts++;
    return put(key, body, type);
  };
  archive.list = async function* (prefix) {
    for await (const key of list(prefix)) {
      n.listed++;
      yield key;
    }
  };
  return {
    take: () => {
      const out = { ...n };
      n.gets = n.puts = n.listed = 0;
      return out;
    },
  };
}

/** What a run changed: warehouse rows, archive objects and CSV lines. */
function changed(r: ErasureReceipt): { rows: number; objects: number; lines: number } {
  return {
    rows: Object.values(r.stores.warehouse).reduce((n, v) => n + v, 0),
    objects: r.stores.raw_archive.objects_rewritten + r.stores.qos_archive.objects_rewritten,
    lines: r.stores.exports.lines,
  };
}

async function runSize(days: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-erase-'));
  const archive = createFileArchive(join(dir, 'gcs'));
  const engine = await createDuckDbEngine({ path: join(dir, 'warehouse.duckdb'), archive });
  const log = silentLogger();
  const compaction = timeCompaction(engine);
  const archiveOps = countArchive(archive);
  const pseudonyms = createPseudonyms('bench-erasure-secret-0123456789abcdef');
  const dates = Array.from({ length: days }, (_, d) => day(d));
  try {
    let t = performance.now();
    let events = 0;
    for (let d = 0; d < days; d++) events += await archiveDay(archive, d);
    const archiveS = (performance.now() - t) / 1000;
    t = performance.now();
    for (const date of dates) await runReplay({ engine, archive, log }, { date });
    for (const date of dates) {
      await runReport({ engine, archive, log, timeZone: 'UTC' }, { date });
      await runExport({ engine, log, timeZone: 'UTC' }, { date });
    }
    const loadS = (performance.now() - t) / 1000;
    const rawRows =
      (await engine.query<{ n: number }>('SELECT COUNT(*)::INTEGER AS n FROM raw_events', {})).rows[0]?.n ??
      0;

    // Baseline: replay (archive → warehouse) of each day, so any person's days can be summed.
    const replayDays: Phase[] = [];
    for (const date of dates)
      replayDays.push((await measured(() => runReplay({ engine, archive, log }, { date }))).phase);
    const baselineOf = (n: number): Phase => ({
      seconds: round(replayDays.slice(0, n).reduce((s, p) => s + p.seconds, 0)),
      peakRssMiB: Math.max(...replayDays.slice(0, n).map((p) => p.peakRssMiB)),
      heapGrowthMiB: Math.max(...replayDays.slice(0, n).map((p) => p.heapGrowthMiB)),
    });
    const erase = async (email: string, dryRun: boolean) => {
      // raw_events rows of the person's meetings: what the warehouse step reads and replaces.
      const inMeetings =
        (
          await engine.query<{ n: number }>(
            `SELECT COUNT(*)::INTEGER AS n FROM raw_events WHERE meeting_uuid IN
               (SELECT meeting_uuid FROM raw_events WHERE LOWER(participant_email) = @email)`,
            { email },
          )
        ).rows[0]?.n ?? 0;
      archiveOps.take();
      const run = await measured(() =>
        runErase(
          { engine, archive, pseudonyms, log, now: Date.now },
          { selector: { by: 'email', value: email }, dryRun, deleteRecordings: false },
        ),
      );
      return { ...run, compactS: compaction.seconds(), inMeetings, ops: archiveOps.take() };
    };
    const row = (
      {
        value: receipt,
        phase,
        compactS,
        inMeetings,
        ops,
      }: {
        value: ErasureReceipt;
        phase: Phase;
        compactS: number;
        inMeetings: number;
        ops: { gets: number; puts: number; listed: number };
      },
      baseline: Phase,
    ): Record<string, unknown> => {
      const c = changed(receipt);
      return {
        meetings: receipt.meetings,
        complete: receipt.complete,
        ...phase,
        baselineSeconds: baseline.seconds,
        ratio: round(phase.seconds / baseline.seconds),
        compactionSeconds: compactS,
        rawEventsRowsOfMeetings: inMeetings,
        meetingRowsPerSecond: Math.round(inMeetings / phase.seconds),
        warehouseRows: c.rows,
        archiveObjects: c.objects,
        csvLines: c.lines,
        rowsPerSecond: Math.round(c.rows / phase.seconds),
        objectsPerSecond: Math.round(c.objects / phase.seconds),
        warehouse: receipt.stores.warehouse,
        archiveCalls: ops,
      };
    };
    const one = await erase(VISITOR.email, false);
    const dry = await erase(TEACHER.email, true);
    const all = await erase(TEACHER.email, false);
    return {
      days,
      meetings: days * MEETINGS_PER_DAY,
      events,
      rawEventsRows: rawRows,
      archiveSeconds: round(archiveS),
      loadReportsExportsSeconds: round(loadS),
      baselineReplay: { perDay: replayDays, oneDay: baselineOf(1), allDays: baselineOf(days) },
      personInOneMeeting: row(one, baselineOf(1)),
      teacherDryRun: row(dry, baselineOf(days)),
      teacherEveryMeeting: row(all, baselineOf(days)),
    };
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    node: process.version,
    cpus: 2,
    date: new Date().toISOString(),
    dataDir: 'disk',
    meetingsPerDay: MEETINGS_PER_DAY,
  };
  const sizes: Record<string, unknown>[] = [];
  for (const days of SIZES) sizes.push(await runSize(days));
  results['sizes'] = sizes;
  results['loadAverage'] = round(loadavg()[0] ?? 0);
  const table: Record<string, Record<string, number | string>> = {};
  for (const s of sizes) {
    const base = s['baselineReplay'] as { oneDay: Phase; allDays: Phase };
    const label = `${String(s['days'])} d, ${String(s['events'])} events`;
    table[`${label}: replay 1 day (baseline)`] = {
      s: base.oneDay.seconds,
      'peak RSS MiB': base.oneDay.peakRssMiB,
      'heap +MiB': base.oneDay.heapGrowthMiB,
    };
    table[`${label}: replay all days (baseline)`] = {
      s: base.allDays.seconds,
      'peak RSS MiB': base.allDays.peakRssMiB,
      'heap +MiB': base.allDays.heapGrowthMiB,
    };
    for (const [name, key] of [
      ['erase, 1 meeting', 'personInOneMeeting'],
      ['erase teacher --dry-run', 'teacherDryRun'],
      ['erase teacher, every meeting', 'teacherEveryMeeting'],
    ] as const) {
      const r = s[key] as Record<string, number>;
      table[`${label}: ${name}`] = {
        s: r['seconds'] as number,
        ratio: r['ratio'] as number,
        'compact s': r['compactionSeconds'] as number,
        'rows of meetings': r['rawEventsRowsOfMeetings'] as number,
        rows: r['warehouseRows'] as number,
        objects: r['archiveObjects'] as number,
        'rows/s': r['rowsPerSecond'] as number,
        'objects/s': r['objectsPerSecond'] as number,
        'peak RSS MiB': r['peakRssMiB'] as number,
        'heap +MiB': r['heapGrowthMiB'] as number,
      };
    }
  }
  console.table(table);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/erase.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
