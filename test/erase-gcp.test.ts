// Erasure end to end on the Google Cloud path, against local servers: the Firestore emulator (live
// state), the GCS mock (archive, exports, receipts), s3rver (recordings) and a BigQuery mock backed by
// DuckDB (test/servers/bigquery-duckdb-server.ts; BigQuery has no emulator). Two meetings are
// delivered as signed webhooks to the webhook service on BACKEND=gcp (streamed into raw_events), the
// report, export and attendance jobs run on the BigQuery engine, the roster is loaded into its table
// and a real RTMS capture is written to S3 (with its recordings row). Then the erase command
// (`erase --email ana@example.com`, config only: BACKEND=gcp and the servers' endpoints) runs while
// BigQuery refuses DML on raw_events twice (streaming buffer): it waits (a fake sleep moving the
// clock) and completes. Every GCS object, every row of
// every table, every Firestore document and every S3 object is searched for her name, e-mail and ids;
// everyone else's report rows are unchanged; a second run changes nothing. Then Björn's erasure meets
// a refusal that never ends: the job fails naming the streaming buffer, its receipt says incomplete
// with raw_events pending, and the same erase once BigQuery accepts the DML completes it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore, type CollectionReference } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3MediaStore } from '../core/adapters/s3-media-store.ts';
import { parseConfig, type Config } from '../core/config.ts';
import { silentLogger } from '../core/log.ts';
import type { MediaStore } from '../core/ports.ts';
import { normalizeArchived } from '../core/zoom/archived-event.ts';
import { meetingKeyOf } from '../core/zoom/identifiers.ts';
import {
  MEETING,
  PEOPLE,
  sampleMeeting,
  type MeetingRef,
  type Person as ZoomPerson,
} from '../demo/simulator/zoom-events.ts';
import { jobCommands } from '../jobs/commands.ts';
import { createEraseCommand } from '../jobs/erase/erase-command.ts';
import type { JobContext } from '../jobs/job-command.ts';
import { startFirestoreEmulator, type Emulator } from './emulators.ts';
import { startLocalWebhook, type LocalWebhook } from './helpers/local-webhook.ts';
import { recordStream } from './rtms-worker/recorded-stream.ts';
import { startTestS3Server, type TestS3Server } from './s3-server.ts';
import { startBigQueryDuckDbServer, type BigQueryDuckDbServer } from './servers/bigquery-duckdb-server.ts';
import { startGcsServer, type GcsTestServer } from './servers/gcs-server.ts';

const PROJECT = `zt-erase-${randomUUID().slice(0, 8)}`;
const BUCKET = 'zt-archive';
const SECRET = 'erase-gcp-test-secret-0123456789abcdef';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

// Yesterday (UTC), so the report's day is over; 09:00 and 11:00 meetings.
const DATE = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T1 = Date.parse(`${DATE}T09:00:00Z`);
const M1: MeetingRef = { ...MEETING, uuid: 'eraseGcpOne/+A==', startTime: iso(T1) };
const M2: MeetingRef = {
  ...MEETING,
  id: '86431910999',
  uuid: 'eraseGcpTwo+B==',
  startTime: iso(T1 + 120 * MIN),
};
const [ANA, BJORN, CHEN, DEE] = PEOPLE as [ZoomPerson, ZoomPerson, ZoomPerson, ZoomPerson];

interface Needles {
  /** Text that must appear nowhere (compared case-insensitively). */
  texts: string[];
  /** Numeric ids that must appear nowhere as a whole number. */
  ids: string[];
}
/** Ana: in meeting one only (four per-meeting user ids: she hops rooms three times). */
const ana: Needles = {
  texts: ['Ana García', 'García', 'ana@example.com', ANA.uuid, 'roster-ana-17'],
  ids: [0, 1, 2, 3].map((n) => String(Number(ANA.userId) + n)),
};
/** Björn: in both meetings (one hop in meeting one, three in meeting two). */
const bjorn: Needles = {
  texts: ['Björn 🦊 Ek', 'Björn', 'bjorn@example.com', BJORN.uuid, 'roster-bjorn-18'],
  ids: [0, 1, 2, 3].map((n) => String(Number(BJORN.userId) + n)),
};

/** Where a text names the person: the values found in it. */
function found(text: string, p: Needles): string[] {
  const lower = text.toLowerCase();
  return [
    ...p.texts.filter((t) => lower.includes(t.toLowerCase())),
    ...p.ids.filter((id) => new RegExp(`(?<![0-9])${id}(?![0-9])`).test(text)),
  ];
}

let firestore: Emulator;
let gcs: GcsTestServer;
let bq: BigQueryDuckDbServer;
let s3: TestS3Server;
let webhook: LocalWebhook;
let media: MediaStore;
let config: Config;
let dataDir: string;
let captureDir: string;
let clockSkew = 0;
const sleeps: number[] = [];
const savedEnv = { id: process.env['AWS_ACCESS_KEY_ID'], key: process.env['AWS_SECRET_ACCESS_KEY'] };

const now = (): number => Date.now() + clockSkew;
/** The job's waits between refusals: recorded, and the clock moved on instead of sleeping. */
const erase = createEraseCommand({
  sleep: async (ms) => {
    sleeps.push(ms);
    clockSkew += ms;
  },
});
const ctx = (): JobContext => ({ config, log: silentLogger(), env: {}, now });
const job = (name: string): (typeof jobCommands)[number] => {
  const c = jobCommands.find((j) => j.name === name);
  if (!c) throw new Error(`no job ${name}`);
  return c;
};

function admin(): Firestore {
  return new Firestore({
    projectId: PROJECT,
    host: firestore.host,
    ssl: false,
    clientOptions: { universeDomain: 'googleapis.com' },
  });
}

/** Every Firestore document of the project (paths and data, subcollections included). */
async function firestoreDocs(): Promise<Map<string, string>> {
  const db = admin();
  const out = new Map<string, string>();
  try {
    const walk = async (collections: CollectionReference[]): Promise<void> => {
      for (const c of collections) {
        for (const ref of await c.listDocuments()) {
          out.set(ref.path, JSON.stringify((await ref.get()).data() ?? null));
          await walk(await ref.listCollections());
        }
      }
    };
    await walk(await db.listCollections());
  } finally {
    await db.terminate();
  }
  return out;
}

/** Every GCS object, as text. */
function gcsObjects(): Map<string, string> {
  return new Map(
    [...(gcs.buckets.get(BUCKET) ?? new Map())].map(([k, o]) => [k, o.bytes.toString('utf8')] as const),
  );
}

/** Every S3 object: text for transcripts and manifests, base64 for media. */
async function s3Objects(): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const key of media.list('')) {
    const chunks: Buffer[] = [];
    for await (const c of (await media.get(key))!) chunks.push(c as Buffer);
    out.set(key, Buffer.concat(chunks));
  }
  return out;
}

/** Every table behind the BigQuery mock, each row as JSON text, sorted. */
async function warehouse(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await bq.tables()) out[t] = await bq.dump(t);
  return out;
}

/** Every place in every store that still names the person. */
async function leftovers(p: Needles): Promise<string[]> {
  const out: string[] = [];
  for (const [key, text] of gcsObjects()) for (const v of found(key + text, p)) out.push(`gcs ${key}: ${v}`);
  for (const [table, rows] of Object.entries(await warehouse()))
    for (const row of rows) for (const v of found(row, p)) out.push(`bigquery ${table}: ${v} in ${row}`);
  for (const [path, data] of await firestoreDocs())
    for (const v of found(path + data, p)) out.push(`firestore ${path}: ${v}`);
  for (const [key, bytes] of await s3Objects())
    for (const v of found(key + bytes.toString('latin1') + bytes.toString('utf8'), p))
      out.push(`s3 ${key}: ${v}`);
  return out;
}

interface Receipt {
  key: string;
  complete: boolean;
  pending: string[];
  meetings: number;
  stores: {
    raw_archive: { objects_rewritten: number };
    live_state: { meetings: number; events: number } | string;
    recordings: Record<string, number> | string;
    warehouse: Record<string, number>;
    exports: { files_rewritten: number; lines: number };
  };
}

/** The receipts in erasures/, oldest first (keys sort by start time). */
function receipts(): { key: string; text: string; receipt: Receipt }[] {
  return [...gcsObjects()]
    .filter(([k, t]) => k.startsWith('erasures/') && t.includes('"receipt_version"'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, text]) => ({ key, text, receipt: JSON.parse(text) as Receipt }));
}

/** raw_events rows of webhook events whose body does not read back to the row (replay would differ). */
async function rowsReplayWouldChange(): Promise<string[]> {
  const objects = gcsObjects();
  const out: string[] = [];
  for (const line of await bq.dump('raw_events')) {
    const row = JSON.parse(line) as Record<string, string | null>;
    if (row['source'] !== 'webhook') continue;
    const key = row['gcs_path'] as string;
    const body = objects.get(key);
    const inserted = new Date(Number(row['inserted_at']) / 1000).toISOString();
    const read = body === undefined ? undefined : normalizeArchived(key, Buffer.from(body), inserted);
    if (!read?.ok) {
      out.push(`${key}: ${read ? read.reason : 'no body'}`);
      continue;
    }
    const want = read.normalized.row as unknown as Record<string, unknown>;
    for (const col of [
      'participant_name',
      'participant_email',
      'participant_uuid',
      'participant_id',
      'person_match',
    ]) {
      if ((want[col] ?? null) !== row[col])
        out.push(`${key} ${col}: ${String(row[col])} vs ${String(want[col])}`);
    }
    if (
      JSON.stringify(JSON.parse(row['raw_payload'] as string)) !==
      JSON.stringify(want['raw_payload'] ? JSON.parse(String(want['raw_payload'])) : null)
    )
      out.push(`${key} raw_payload differs`);
  }
  return out;
}

beforeAll(async () => {
  [firestore, gcs, s3] = await Promise.all([startFirestoreEmulator(), startGcsServer(), startTestS3Server()]);
  let generation = 1;
  bq = await startBigQueryDuckDbServer({
    // EXPORT DATA writes into the bucket, as BigQuery does.
    exportTo: (uri, csv) => {
      const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!m) throw new Error(`not a gs:// uri: ${uri}`);
      let bucket = gcs.buckets.get(m[1] as string);
      if (!bucket) gcs.buckets.set(m[1] as string, (bucket = new Map()));
      bucket.set(m[2] as string, {
        bytes: csv,
        contentType: 'text/csv',
        generation: ++generation,
        created: new Date().toISOString(),
      });
    },
  });
  process.env['AWS_ACCESS_KEY_ID'] = s3.credentials.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = s3.credentials.secretAccessKey;
  dataDir = await mkdtemp(join(tmpdir(), 'zt-erase-gcp-'));
  captureDir = await mkdtemp(join(tmpdir(), 'zt-erase-gcp-capture-'));
  const env = {
    BACKEND: 'gcp',
    GCP_PROJECT_ID: PROJECT,
    GCS_BUCKET: BUCKET,
    PUBSUB_TOPIC: 'rtms',
    PUBSUB_EMULATOR_HOST: '127.0.0.1:9', // no RTMS events here: nothing is published
    FIRESTORE_EMULATOR_HOST: firestore.host,
    STORAGE_EMULATOR_HOST: gcs.url,
    BIGQUERY_API_ENDPOINT: bq.url,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    ERASURE_SECRET: SECRET,
    REPORT_TIMEZONE: 'UTC',
  };
  config = parseConfig({ ...env, DATA_DIR: dataDir });
  media = createS3MediaStore(config, silentLogger(), { credentials: s3.credentials });

  // The meetings, as Zoom delivers them to the webhook on gcp (streamed into raw_events).
  webhook = await startLocalWebhook({ env });
  for (const e of [...sampleMeeting(M1), ...sampleMeeting(M2, [BJORN, CHEN, DEE])])
    expect((await webhook.post(e)).status).toBe(200);
  await webhook.service.warehouse.flush();

  // Report, export and attendance on the BigQuery engine.
  const roster = join(dataDir, 'roster.csv');
  await writeFile(
    roster,
    [
      'email,first name,last name,id,department',
      'ana@example.com,Ana,García,roster-ana-17,Research',
      'bjorn@example.com,Björn,Ek,roster-bjorn-18,Sales',
      ',Chen,Wei,roster-chen-19,Sales',
    ].join('\n'),
  );
  await job('report').run(['--date', DATE], ctx());
  await job('export').run(['--date', DATE], ctx());
  await job('attendance').run(['--date', DATE, '--roster', roster], ctx());

  // A real RTMS capture of meeting one in S3 (Ana and Björn speak; Björn names her), and its row.
  const manifest = await recordStream({
    media,
    rootDir: captureDir,
    meetingUuid: M1.uuid,
    streamId: 'stream-erase-gcp',
    t0: T1 + 5 * MIN,
    speakers: [
      { userId: Number(ANA.userId), userName: ANA.name },
      { userId: Number(BJORN.userId), userName: BJORN.name },
    ],
    transcripts: [
      {
        userId: Number(ANA.userId),
        userName: ANA.name,
        timestamp: T1 + 5 * MIN + 100,
        startTime: T1 + 5 * MIN + 100,
        endTime: T1 + 5 * MIN + 900,
        text: 'Morning all, the numbers are in',
        attribute: 1,
      },
      {
        userId: Number(BJORN.userId),
        userName: BJORN.name,
        timestamp: T1 + 5 * MIN + 1100,
        startTime: T1 + 5 * MIN + 1100,
        endTime: T1 + 5 * MIN + 1900,
        text: 'Thanks Ana García, over to Chen',
        attribute: 1,
      },
    ],
  });
  // The roster as loaded into the warehouse (no job writes the table: it is loaded by hand).
  await bq.db.run(
    `INSERT INTO roster VALUES ('roster-ana-17', 'ana@example.com', 'Ana', 'García', 'Research', CAST($at AS TIMESTAMP)),
      ('roster-bjorn-18', 'bjorn@example.com', 'Björn', 'Ek', 'Sales', CAST($at AS TIMESTAMP)),
      ('roster-chen-19', 'chen@example.com', 'Chen', 'Wei', 'Sales', CAST($at AS TIMESTAMP))`,
    { at: new Date().toISOString() },
  );
  await bq.db.run(
    `INSERT INTO recordings VALUES (CAST($d AS DATE), $m, $id, $s, CAST($a AS TIMESTAMP), CAST($b AS TIMESTAMP), 2.5, $p, CAST($manifest AS JSON), CAST($at AS TIMESTAMP))`,
    {
      d: DATE,
      m: M1.uuid,
      id: M1.id,
      s: manifest.streamId,
      a: manifest.startedAt ?? iso(T1),
      b: manifest.endedAt ?? iso(T1),
      p: `${meetingKeyOf(M1.uuid)}/${manifest.streamKey}/`,
      manifest: JSON.stringify(manifest),
      at: new Date().toISOString(),
    },
  );
}, 240_000);

afterAll(async () => {
  await webhook?.close();
  await Promise.allSettled([firestore?.stop(), gcs?.close(), bq?.close(), s3?.close()]);
  await Promise.allSettled([dataDir, captureDir].map((d) => d && rm(d, { recursive: true, force: true })));
  for (const [name, v] of [
    ['AWS_ACCESS_KEY_ID', savedEnv.id],
    ['AWS_SECRET_ACCESS_KEY', savedEnv.key],
  ] as const) {
    if (v === undefined) delete process.env[name];
    else process.env[name] = v;
  }
});

let reportsBefore: string[] = [];

describe('erase on Google Cloud (emulator and mocks)', () => {
  it('finds Ana and Björn in every store first', async () => {
    for (const p of [ana, bjorn]) {
      const where = await leftovers(p);
      for (const store of [
        'gcs raw/',
        'gcs reports/',
        'bigquery raw_events',
        'bigquery daily_reports',
        'bigquery attendance',
        'bigquery roster',
        'bigquery recordings',
        'firestore',
        's3 ',
      ])
        expect(
          where.some((w) => w.startsWith(store)),
          `${store} in ${where.join('\n')}`,
        ).toBe(true);
    }
    reportsBefore = await bq.dump('daily_reports');
    expect(reportsBefore.filter((r) => found(r, ana).length > 0)).toHaveLength(2); // room A, room B
    expect(bq.inserts.length).toBeGreaterThan(0); // the webhook streamed raw_events
  });

  it('waits out two streaming-buffer refusals on raw_events, then completes', async () => {
    bq.refuseDmlOverStreamingBuffer('raw_events', 2);
    const jobsBefore = bq.jobs.length;
    await erase.run(['--email', 'ana@example.com'], ctx());
    expect(sleeps).toEqual([5 * MIN, 5 * MIN]);
    const refused = bq.jobs.slice(jobsBefore).filter((j) => j.error !== undefined);
    expect(refused.map((j) => j.error)).toEqual([
      `UPDATE or DELETE statement over table ${PROJECT}.zoom_tracker.raw_events would affect rows in the streaming buffer, which is not supported`,
      `UPDATE or DELETE statement over table ${PROJECT}.zoom_tracker.raw_events would affect rows in the streaming buffer, which is not supported`,
    ]);
    const [r] = receipts();
    expect(r?.receipt).toMatchObject({ complete: true, pending: [], meetings: 1 });
    expect(r?.receipt.stores.warehouse).toMatchObject({
      daily_reports: 2,
      attendance: 2, // present in meeting one, absent from meeting two
      roster: 1,
      recordings: 1,
    });
    expect(r?.receipt.stores.warehouse['raw_events']).toBeGreaterThan(10);
    // The report CSV (her two rows) and the attendance CSV (present in one, absent from two).
    expect(r?.receipt.stores.exports).toEqual({ files_rewritten: 2, lines: 4 });
    expect(r?.receipt.stores.live_state).toMatchObject({ meetings: 1 });
    expect(r?.receipt.stores.recordings).toMatchObject({ manifestsRedacted: 1 });
    expect(found(r?.text ?? '', ana)).toEqual([]);
    expect(await bq.tables()).toEqual([
      'attendance',
      'camera_minutes',
      'daily_reports',
      'raw_events',
      'recordings',
      'roster',
    ]);
  });

  it('leaves nothing of Ana in GCS, BigQuery, Firestore or S3', async () => {
    expect(await leftovers(ana)).toEqual([]);
    expect((await bq.dump('daily_reports')).filter((r) => r.includes('erased-'))).toHaveLength(2);
    expect(await rowsReplayWouldChange()).toEqual([]);
  });

  it("keeps everyone else's report rows as they were", async () => {
    const after = await bq.dump('daily_reports');
    const others = (rows: string[]): string[] =>
      rows.filter((r) => !r.includes('erased-') && found(r, ana).length === 0);
    expect(others(after)).toEqual(others(reportsBefore));
    expect(others(after)).toHaveLength(reportsBefore.length - 2);
    expect(found(others(after).join('\n'), bjorn).length).toBeGreaterThan(0);
  });

  it('a second run finds nothing and changes nothing', async () => {
    const [objects, tables, docs, recordings] = [
      gcsObjects(),
      await warehouse(),
      await firestoreDocs(),
      await s3Objects(),
    ];
    await erase.run(['--email', 'ana@example.com'], ctx());
    const second = receipts()[1];
    expect(second?.receipt).toMatchObject({ complete: true, meetings: 0 });
    const now = gcsObjects();
    now.delete(second?.key ?? '');
    expect(now).toEqual(objects);
    expect(await warehouse()).toEqual(tables);
    expect(await firestoreDocs()).toEqual(docs);
    expect(await s3Objects()).toEqual(recordings);
  });

  it('a refusal past the deadline fails with the streaming buffer, receipt incomplete; once it stops, the same erase completes', async () => {
    sleeps.length = 0;
    bq.refuseDmlOverStreamingBuffer('raw_events', Infinity);
    // --wait-minutes 0: the first refusal ends the run, without waiting.
    await expect(erase.run(['--email', 'bjorn@example.com', '--wait-minutes', '0'], ctx())).rejects.toThrow(
      /erasure incomplete \(raw_events: BigQuery still refuses to change rows of \S+\.zoom_tracker\.raw_events: they are in its streaming buffer \(rows streamed by tabledata\.insertAll\) after 1 attempts/,
    );
    expect(sleeps).toEqual([]);
    expect(receipts()[2]?.receipt).toMatchObject({ complete: false, meetings: 2 });
    // --wait-minutes 10: two waits, then the same failure.
    await expect(erase.run(['--email', 'bjorn@example.com', '--wait-minutes', '10'], ctx())).rejects.toThrow(
      /erasure incomplete \(raw_events: BigQuery still refuses to change rows of .*raw_events: they are in its streaming buffer/,
    );
    // Waits of 5 minutes until the 10 minutes are up (the last one shortened to the deadline).
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBe(5 * MIN);
    expect(sleeps[1]).toBeGreaterThan(4 * MIN);
    expect(sleeps[1]).toBeLessThanOrEqual(5 * MIN);
    const failed = receipts()[3];
    expect(failed?.receipt).toMatchObject({ complete: false, meetings: 2 });
    expect(failed?.receipt.pending).toHaveLength(1);
    expect(failed?.receipt.pending[0]).toMatch(
      /^raw_events: BigQuery still refuses to change rows of \S+raw_events/,
    );
    expect(failed?.receipt.stores.warehouse['raw_events']).toBeUndefined();
    expect(found(failed?.text ?? '', bjorn)).toEqual([]);
    // Everything but raw_events is done; raw_events still names him (where the next run finds him).
    const left = await leftovers(bjorn);
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((w) => !w.startsWith('bigquery raw_events'))).toEqual([]);

    bq.refuseDmlOverStreamingBuffer('raw_events', 0);
    await erase.run(['--email', 'bjorn@example.com', '--wait-minutes', '10'], ctx());
    const done = receipts()[4];
    expect(done?.receipt).toMatchObject({ complete: true, pending: [], meetings: 2 });
    expect(done?.receipt.stores.warehouse['raw_events']).toBeGreaterThan(10);
    expect(await leftovers(bjorn)).toEqual([]);
    expect(await leftovers(ana)).toEqual([]);
    expect(await rowsReplayWouldChange()).toEqual([]);
  });
});
