// Erasure in RTMS recordings written by real captures (the worker's own finalize: ffmpeg, transcripts,
// manifest), on the local media store and on an S3 API (s3rver in-process): exact transcript and
// manifest bytes after redaction, media deleted per stream with deleteMedia, dry runs and second
// runs that change nothing.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalMediaStore } from '../../core/adapters/local/local-media-store.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { silentLogger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { parkStream, recordStream, type Manifest } from '../../test/rtms-worker/recorded-stream.ts';
import { startTestS3Server, type TestS3Server } from '../../test/s3-server.ts';
import {
  eraseFromRecordings,
  redactManifest,
  type RecordingsErasure,
  type SpeakerMatch,
} from './recordings.ts';

const T0 = 1_700_000_000_000;
const M1 = 'M1/abc+==';
const K1 = 'M1_abc-==';
const M2 = 'M2+xyz==';
const K2 = 'M2-xyz==';
const ANN = 16778240;
const BO = 7;

const norm = (n: string): string => n.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
const NAME_PSEUDONYMS: Record<string, string> = {
  'ann lee': 'erased-a11ce0000001',
  ann: 'erased-a11ce0000002',
};
const ID_PSEUDONYMS: Record<string, string> = {
  [String(ANN)]: 'erased-1d00000000000001',
  '99': 'erased-1d00000000000099',
};

/** The person: user id 16778240, or the name "Ann Lee" (compared as people compare names), in any meeting. */
const match: SpeakerMatch = {
  isPerson: (_m, s) => s.userId === String(ANN) || (s.name !== undefined && norm(s.name) === 'ann lee'),
  namesIn: () => ['Ann Lee', 'Ann'],
  pseudonymName(name) {
    const p = NAME_PSEUDONYMS[norm(name)];
    if (!p) throw new Error(`no pseudonym for name ${name}`);
    return p;
  },
  pseudonymId(userId) {
    const p = ID_PSEUDONYMS[userId];
    if (!p) throw new Error(`no pseudonym for id ${userId}`);
    return p;
  },
  userIdsIn: () => [String(ANN)],
};

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

async function snapshot(media: MediaStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const key of media.list('')) {
    const chunks: Buffer[] = [];
    for await (const c of (await media.get(key))!) chunks.push(c as Buffer);
    out.set(key, Buffer.concat(chunks).toString('base64'));
  }
  return out;
}

async function text(media: MediaStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  const body = await media.get(key);
  if (!body) throw new Error(`missing ${key}`);
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Seeded {
  a: Manifest;
  c: Manifest;
}

/**
 * Five recordings: in meeting M1 stream-a (Ann speaks and is mentioned), stream-b (Bo alone, never
 * naming her), stream-c (Ann without a name: `Speaker 16778240`), stream-p (Ann's capture handed over:
 * parked segments only); in meeting M2 stream-x (Ann speaks too, but M2 is not erased).
 */
async function seed(media: MediaStore, rootDir: string): Promise<Seeded> {
  const a = await recordStream({
    media,
    rootDir,
    meetingUuid: M1,
    streamId: 'stream-a',
    t0: T0,
    speakers: [{ userId: ANN, userName: 'Ann Lee' }, { userId: BO, userName: 'Bo' }, { userId: 12 }],
    transcripts: [
      {
        userId: ANN,
        userName: 'Ann Lee',
        timestamp: T0 + 100,
        startTime: T0 + 100,
        endTime: T0 + 900,
        text: 'Note: hello all',
        attribute: 1,
      },
      {
        userId: BO,
        userName: 'Bo',
        timestamp: T0 + 1200,
        startTime: T0 + 1200,
        endTime: T0 + 1900,
        text: 'Thanks Ann, and ann  lee said <that> & Annex',
        attribute: 1,
      },
      { userId: 12, timestamp: T0 + 2100, startTime: T0 + 2100, text: 'who is Annie?', attribute: 1 },
    ],
  });
  await recordStream({
    media,
    rootDir,
    meetingUuid: M1,
    streamId: 'stream-b',
    t0: T0 + 60_000,
    speakers: [{ userId: BO, userName: 'Bo' }],
    transcripts: [
      {
        userId: BO,
        timestamp: T0 + 60_100,
        startTime: T0 + 60_100,
        endTime: T0 + 60_500,
        text: 'see you all',
        attribute: 1,
      },
    ],
  });
  const c = await recordStream({
    media,
    rootDir,
    meetingUuid: M1,
    streamId: 'stream-c',
    t0: T0,
    speakers: [{ userId: ANN }, { userId: BO, userName: 'Bo' }],
    transcripts: [
      {
        userId: ANN,
        timestamp: T0 + 200,
        startTime: T0 + 200,
        endTime: T0 + 800,
        text: 'I am here',
        attribute: 1,
      },
      {
        userId: BO,
        timestamp: T0 + 1100,
        startTime: T0 + 1100,
        endTime: T0 + 1600,
        text: 'welcome',
        attribute: 1,
      },
    ],
  });
  await parkStream({
    media,
    rootDir,
    meetingUuid: M1,
    streamId: 'stream-p',
    t0: T0,
    speakers: [{ userId: ANN, userName: 'Ann Lee' }],
    transcripts: [
      {
        userId: ANN,
        userName: 'Ann Lee',
        timestamp: T0 + 100,
        startTime: T0 + 100,
        text: 'parked words',
        attribute: 1,
      },
    ],
  });
  await recordStream({
    media,
    rootDir,
    meetingUuid: M2,
    streamId: 'stream-x',
    t0: T0,
    speakers: [
      { userId: ANN, userName: 'Ann Lee' },
      { userId: BO, userName: 'Bo' },
    ],
    transcripts: [
      {
        userId: ANN,
        timestamp: T0 + 100,
        startTime: T0 + 100,
        endTime: T0 + 900,
        text: 'other meeting',
        attribute: 1,
      },
      {
        userId: BO,
        timestamp: T0 + 1100,
        startTime: T0 + 1100,
        endTime: T0 + 1900,
        text: 'Hi Ann',
        attribute: 1,
      },
    ],
  });
  return { a, c };
}

/** The transcripts as finalize wrote them (checked, so the expectations below start from real output). */
const BEFORE: Record<string, string> = {
  'stream-a/transcript.vtt':
    'WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\n<v Ann Lee>Note: hello all\n\n2\n00:00:01.200 --> 00:00:01.900\n<v Bo>Thanks Ann, and ann  lee said &lt;that&gt; &amp; Annex\n\n3\n00:00:02.100 --> 00:00:05.100\n<v Speaker 12>who is Annie?\n',
  'stream-a/transcript.srt':
    '1\n00:00:00,100 --> 00:00:00,900\nAnn Lee: Note: hello all\n\n2\n00:00:01,200 --> 00:00:01,900\nBo: Thanks Ann, and ann  lee said <that> & Annex\n\n3\n00:00:02,100 --> 00:00:05,100\nSpeaker 12: who is Annie?\n',
  'stream-a/transcript.txt':
    '[00:00:00] Ann Lee: Note: hello all\n[00:00:01] Bo: Thanks Ann, and ann  lee said <that> & Annex\n[00:00:02] Speaker 12: who is Annie?\n',
  'stream-c/transcript.vtt':
    'WEBVTT\n\n1\n00:00:00.200 --> 00:00:00.800\n<v Speaker 16778240>I am here\n\n2\n00:00:01.100 --> 00:00:01.600\n<v Bo>welcome\n',
  'stream-c/transcript.srt':
    '1\n00:00:00,200 --> 00:00:00,800\nSpeaker 16778240: I am here\n\n2\n00:00:01,100 --> 00:00:01,600\nBo: welcome\n',
  'stream-c/transcript.txt': '[00:00:00] Speaker 16778240: I am here\n[00:00:01] Bo: welcome\n',
};

const AFTER: Record<string, string> = {
  'stream-a/transcript.vtt':
    'WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\n<v erased-a11ce0000001>[erased]\n\n2\n00:00:01.200 --> 00:00:01.900\n<v Bo>Thanks erased-a11ce0000002, and erased-a11ce0000001 said &lt;that&gt; &amp; Annex\n\n3\n00:00:02.100 --> 00:00:05.100\n<v Speaker 12>who is Annie?\n',
  'stream-a/transcript.srt':
    '1\n00:00:00,100 --> 00:00:00,900\nerased-a11ce0000001: [erased]\n\n2\n00:00:01,200 --> 00:00:01,900\nBo: Thanks erased-a11ce0000002, and erased-a11ce0000001 said <that> & Annex\n\n3\n00:00:02,100 --> 00:00:05,100\nSpeaker 12: who is Annie?\n',
  'stream-a/transcript.txt':
    '[00:00:00] erased-a11ce0000001: [erased]\n[00:00:01] Bo: Thanks erased-a11ce0000002, and erased-a11ce0000001 said <that> & Annex\n[00:00:02] Speaker 12: who is Annie?\n',
  'stream-c/transcript.vtt':
    'WEBVTT\n\n1\n00:00:00.200 --> 00:00:00.800\n<v Speaker erased-1d00000000000001>[erased]\n\n2\n00:00:01.100 --> 00:00:01.600\n<v Bo>welcome\n',
  'stream-c/transcript.srt':
    '1\n00:00:00,200 --> 00:00:00,800\nSpeaker erased-1d00000000000001: [erased]\n\n2\n00:00:01,100 --> 00:00:01,600\nBo: welcome\n',
  'stream-c/transcript.txt': '[00:00:00] Speaker erased-1d00000000000001: [erased]\n[00:00:01] Bo: welcome\n',
};

/** The manifest finalize wrote, with the transcripts' sizes and checksums as they are after erasure. */
function expectedManifest(m: Manifest, stream: string, participants: unknown[]): string {
  const files = m.files.map((f) => {
    const after = AFTER[`${stream}/${f.name}`];
    return after === undefined ? f : { ...f, bytes: Buffer.byteLength(after), sha256: sha256(after) };
  });
  return `${JSON.stringify({ ...m, participants, files }, null, 2)}\n`;
}

const KEPT = [`${K1}/stream-a/`, `${K1}/stream-c/`, `${K1}/stream-p/`];
const ZERO: Omit<RecordingsErasure, 'keptMedia'> = {
  streams: 0,
  transcriptsRedacted: 0,
  linesRedacted: 0,
  manifestsRedacted: 0,
  deletedStreams: [],
  deletedObjects: 0,
};

interface StoreUnderTest {
  media: MediaStore;
  /** The stored content type of a key (S3 only: the local files keep none). */
  contentType?: (key: string) => Promise<string | undefined>;
  close(): Promise<void>;
}

let dir: string;
let s3: TestS3Server | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-erase-recordings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await s3?.close();
  s3 = undefined;
});

let stores = 0;
const backends: [string, () => Promise<StoreUnderTest>][] = [
  [
    'local media store ($DATA_DIR/s3/)',
    async () => ({
      media: createLocalMediaStore(join(dir, `s3-${++stores}`)),
      close: async () => undefined,
    }),
  ],
  [
    'S3 media store (s3rver)',
    async () => {
      const server = await startTestS3Server();
      s3 = server;
      const config = { S3_BUCKET: server.bucket, S3_ENDPOINT: server.endpoint, AWS_REGION: 'us-east-1' };
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: server.credentials,
      });
      return {
        media: createS3MediaStore(config, silentLogger(), { credentials: server.credentials }),
        contentType: async (key) =>
          (await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: key }))).ContentType,
        close: async () => client.destroy(),
      };
    },
  ],
];

describe.each(backends)('erasure in recordings: %s', (_name, open) => {
  it('redacts transcripts and manifests of the erased meeting, keeps and reports the media', async () => {
    const store = await open();
    const { media } = store;
    const seeded = await seed(media, join(dir, `capture-${++stores}`));
    for (const [name, body] of Object.entries(BEFORE)) expect(await text(media, `${K1}/${name}`)).toBe(body);
    const before = await snapshot(media);
    const opts = { meetingUuids: new Set([M1]), match, deleteMedia: false, log: silentLogger() };

    const expected: RecordingsErasure = {
      streams: 2,
      transcriptsRedacted: 6,
      linesRedacted: 9,
      manifestsRedacted: 2,
      deletedStreams: [],
      deletedObjects: 0,
      keptMedia: KEPT,
    };
    // Dry run: the same counts, not a byte changed.
    expect(await eraseFromRecordings(media, { ...opts, dryRun: true })).toEqual(expected);
    expect(await snapshot(media)).toEqual(before);

    expect(await eraseFromRecordings(media, { ...opts, dryRun: false })).toEqual(expected);
    for (const [name, body] of Object.entries(AFTER)) expect(await text(media, `${K1}/${name}`)).toBe(body);
    expect(await text(media, `${K1}/stream-a/manifest.json`)).toBe(
      expectedManifest(seeded.a, 'stream-a', [
        { userId: 'erased-1d00000000000001', userName: 'erased-a11ce0000001' },
        { userId: BO, userName: 'Bo' },
      ]),
    );
    // stream-c names nobody in its manifest; only the checksums of its rewritten transcripts change.
    expect(await text(media, `${K1}/stream-c/manifest.json`)).toBe(
      expectedManifest(seeded.c, 'stream-c', [{ userId: BO, userName: 'Bo' }]),
    );
    // Every other object, media and the other meeting's recording included, is as it was.
    const after = await snapshot(media);
    const rewritten = [...Object.keys(AFTER), 'stream-a/manifest.json', 'stream-c/manifest.json'].map(
      (n) => `${K1}/${n}`,
    );
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [key, body] of before) if (!rewritten.includes(key)) expect(after.get(key), key).toBe(body);
    expect([...before.keys()].filter((k) => k.startsWith(`${K2}/`))).toHaveLength(6);
    if (store.contentType) {
      expect(await store.contentType(`${K1}/stream-a/transcript.vtt`)).toBe('text/vtt; charset=utf-8');
      expect(await store.contentType(`${K1}/stream-a/transcript.srt`)).toBe(
        'application/x-subrip; charset=utf-8',
      );
      expect(await store.contentType(`${K1}/stream-a/transcript.txt`)).toBe('text/plain; charset=utf-8');
      expect(await store.contentType(`${K1}/stream-a/manifest.json`)).toBe('application/json');
    }

    // A second run (dry or not) changes nothing and still reports the media kept.
    expect(await eraseFromRecordings(media, { ...opts, dryRun: true })).toEqual({ ...ZERO, keptMedia: KEPT });
    expect(await eraseFromRecordings(media, { ...opts, dryRun: false })).toEqual({
      ...ZERO,
      keptMedia: KEPT,
    });
    expect(await snapshot(media)).toEqual(after);

    // A run cut short after the transcripts: the next one completes both manifests, nothing more.
    for (const stream of ['stream-a', 'stream-c']) {
      const key = `${K1}/${stream}/manifest.json`;
      await media.upload(key, Buffer.from(before.get(key)!, 'base64'), 'application/json');
    }
    expect(await eraseFromRecordings(media, { ...opts, dryRun: false })).toEqual({
      ...ZERO,
      streams: 2,
      manifestsRedacted: 2,
      keptMedia: KEPT,
    });
    expect(await snapshot(media)).toEqual(after);
    await store.close();
  }, 60_000);

  it('with deleteMedia deletes exactly the streams that hold the person, nothing else', async () => {
    const store = await open();
    const { media } = store;
    await seed(media, join(dir, `capture-${++stores}`));
    const before = await snapshot(media);
    const opts = { meetingUuids: new Set([M1]), match, deleteMedia: true, log: silentLogger() };
    const gone = (k: string): boolean => KEPT.some((p) => k.startsWith(p));
    expect([...before.keys()].filter(gone)).toHaveLength(13); // 6 + 6 + 1 parked segment

    const expected: RecordingsErasure = {
      ...ZERO,
      streams: 3,
      deletedStreams: KEPT,
      deletedObjects: 13,
      keptMedia: [],
    };
    expect(await eraseFromRecordings(media, { ...opts, dryRun: true })).toEqual(expected);
    expect(await snapshot(media)).toEqual(before);

    expect(await eraseFromRecordings(media, { ...opts, dryRun: false })).toEqual(expected);
    const after = await snapshot(media);
    expect(after).toEqual(new Map([...before].filter(([k]) => !gone(k))));
    expect([...after.keys()]).toEqual(
      [
        `${K1}/stream-b/audio.wav`,
        `${K1}/stream-b/manifest.json`,
        `${K1}/stream-b/recording.mp4`,
        `${K1}/stream-b/transcript.srt`,
        `${K1}/stream-b/transcript.txt`,
        `${K1}/stream-b/transcript.vtt`,
        `${K2}/stream-x/audio.wav`,
        `${K2}/stream-x/manifest.json`,
        `${K2}/stream-x/recording.mp4`,
        `${K2}/stream-x/transcript.srt`,
        `${K2}/stream-x/transcript.txt`,
        `${K2}/stream-x/transcript.vtt`,
      ].sort(),
    );

    expect(await eraseFromRecordings(media, { ...opts, dryRun: false })).toEqual({ ...ZERO, keptMedia: [] });
    expect(await snapshot(media)).toEqual(after);
    await store.close();
  }, 60_000);
});

describe('redactManifest', () => {
  const manifest = {
    version: 1,
    meetingUuid: M1,
    participants: [
      { userId: ANN, userName: 'Ann Lee' },
      { userId: BO, userName: 'Bo' },
      { userId: 99, userName: 'ANN  LEE' },
      { userId: 12, userName: 'Annie' },
    ],
    files: [{ name: 'transcript.vtt', key: `${K1}/s/transcript.vtt`, bytes: 10, sha256: 'ab' }],
  };

  it('pseudonymises the person’s entries (by user id or by name) and nothing else', () => {
    const out = redactManifest(manifest, M1, match);
    expect(out.changed).toBe(true);
    expect(JSON.stringify(out.manifest)).toBe(
      JSON.stringify({
        version: 1,
        meetingUuid: M1,
        participants: [
          { userId: 'erased-1d00000000000001', userName: 'erased-a11ce0000001' },
          { userId: BO, userName: 'Bo' },
          { userId: 'erased-1d00000000000099', userName: 'erased-a11ce0000001' },
          { userId: 12, userName: 'Annie' },
        ],
        files: [{ name: 'transcript.vtt', key: `${K1}/s/transcript.vtt`, bytes: 10, sha256: 'ab' }],
      }),
    );
    // Pure and deterministic: the input is untouched, a second call gives the same JSON.
    expect(manifest.participants[0]).toEqual({ userId: ANN, userName: 'Ann Lee' });
    expect(JSON.stringify(redactManifest(manifest, M1, match).manifest)).toBe(JSON.stringify(out.manifest));
  });

  it('is idempotent and leaves what is not a manifest as given', () => {
    const once = redactManifest(manifest, M1, match).manifest;
    const twice = redactManifest(once, M1, match);
    expect(twice).toEqual({ manifest: once, changed: false });
    expect(twice.manifest).toBe(once);
    for (const v of [null, 'text', [1], { participants: 'x' }])
      expect(redactManifest(v, M1, match)).toEqual({ manifest: v, changed: false });
  });
});

describe('names that need care', () => {
  const ZOE = 'Zoë & Co: PM';
  const tricky: SpeakerMatch = {
    isPerson: (_m, s) => s.userId === '5' || (s.name !== undefined && norm(s.name) === norm(ZOE)),
    namesIn: () => [ZOE],
    pseudonymName(name) {
      if (norm(name) !== norm(ZOE)) throw new Error(`no pseudonym for name ${name}`);
      return 'erased-c0c0c0c0c0c0';
    },
    pseudonymId(userId) {
      if (userId !== '5') throw new Error(`no pseudonym for id ${userId}`);
      return 'erased-5555555555555555';
    },
  };

  it('escaped, non-ASCII and `: ` in names: only the person’s line and whole mentions change', async () => {
    const media = createLocalMediaStore(join(dir, `s3-${++stores}`));
    const M3 = 'M3abc==';
    await recordStream({
      media,
      rootDir: join(dir, `capture-${++stores}`),
      meetingUuid: M3,
      streamId: 's',
      t0: T0,
      speakers: [
        { userId: 5, userName: ZOE },
        { userId: 8, userName: 'Cy: Jr' },
      ],
      transcripts: [
        {
          userId: 5,
          timestamp: T0 + 100,
          startTime: T0 + 100,
          endTime: T0 + 900,
          text: 'Yes: <ok>',
          attribute: 1,
        },
        {
          userId: 8,
          timestamp: T0 + 1000,
          startTime: T0 + 1000,
          endTime: T0 + 1500,
          text: 'ZOË & co: pm: hi',
          attribute: 1,
        },
        {
          userId: 8,
          timestamp: T0 + 1600,
          startTime: T0 + 1600,
          endTime: T0 + 1900,
          text: 'Zoë & Co: PMs and Zoë',
          attribute: 1,
        },
      ],
    });
    const key = (n: string): string => `M3abc==/s/${n}`;
    expect(await text(media, key('transcript.vtt'))).toBe(
      'WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\n<v Zoë &amp; Co: PM>Yes: &lt;ok&gt;\n\n2\n00:00:01.000 --> 00:00:01.500\n<v Cy: Jr>ZOË &amp; co: pm: hi\n\n3\n00:00:01.600 --> 00:00:01.900\n<v Cy: Jr>Zoë &amp; Co: PMs and Zoë\n',
    );
    const result = await eraseFromRecordings(media, {
      meetingUuids: new Set([M3]),
      match: tricky,
      deleteMedia: false,
      dryRun: false,
      log: silentLogger(),
    });
    expect(result).toEqual({
      streams: 1,
      transcriptsRedacted: 3,
      linesRedacted: 6,
      manifestsRedacted: 1,
      deletedStreams: [],
      deletedObjects: 0,
      keptMedia: ['M3abc==/s/'],
    });
    expect(await text(media, key('transcript.vtt'))).toBe(
      'WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\n<v erased-c0c0c0c0c0c0>[erased]\n\n2\n00:00:01.000 --> 00:00:01.500\n<v Cy: Jr>erased-c0c0c0c0c0c0: hi\n\n3\n00:00:01.600 --> 00:00:01.900\n<v Cy: Jr>Zoë &amp; Co: PMs and Zoë\n',
    );
    expect(await text(media, key('transcript.srt'))).toBe(
      '1\n00:00:00,100 --> 00:00:00,900\nerased-c0c0c0c0c0c0: [erased]\n\n2\n00:00:01,000 --> 00:00:01,500\nCy: Jr: erased-c0c0c0c0c0c0: hi\n\n3\n00:00:01,600 --> 00:00:01,900\nCy: Jr: Zoë & Co: PMs and Zoë\n',
    );
    expect(await text(media, key('transcript.txt'))).toBe(
      '[00:00:00] erased-c0c0c0c0c0c0: [erased]\n[00:00:01] Cy: Jr: erased-c0c0c0c0c0c0: hi\n[00:00:01] Cy: Jr: Zoë & Co: PMs and Zoë\n',
    );
    const manifest = JSON.parse(await text(media, key('manifest.json'))) as Manifest;
    expect(manifest.participants).toEqual([
      { userId: 'erased-5555555555555555', userName: 'erased-c0c0c0c0c0c0' },
      { userId: 8, userName: 'Cy: Jr' },
    ]);
  }, 60_000);
});
