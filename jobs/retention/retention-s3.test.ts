// Retention of recordings in an S3 bucket without a lifecycle rule (s3rver in-process), on the Google
// Cloud backend: the job deletes expired streams from S3 and leaves the bucket archive to its rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { createS3MediaStore } from '../../core/adapters/s3-media-store.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import type { MediaStore } from '../../core/ports.ts';
import { startTestS3Server, type TestS3Server } from '../../test/s3-server.ts';
import { retentionDeps } from './retention-deps.ts';
import { runRetention } from './run-retention.ts';

const DAY = 86_400_000;
let s3: TestS3Server;
let dir: string;
beforeAll(async () => {
  s3 = await startTestS3Server();
  dir = await mkdtemp(join(tmpdir(), 'zt-retention-s3-'));
});
afterAll(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

const gcp = parseConfig({
  BACKEND: 'gcp',
  GCP_PROJECT_ID: 'acme',
  GCS_BUCKET: 'acme-zt',
  PUBSUB_TOPIC: 't',
  S3_BUCKET: 'recordings',
  RETENTION_RECORDINGS_DAYS: '30',
});

async function keys(store: MediaStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list('')) out.push(k);
  return out;
}

describe('retention of S3 recordings (no lifecycle rule on the bucket)', () => {
  it('deletes the streams older than RETENTION_RECORDINGS_DAYS and nothing else, on any backend', async () => {
    const media = createS3MediaStore(
      { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' },
      silentLogger(),
      { credentials: s3.credentials },
    );
    const stored = [
      'mk-1/s-1/manifest.json',
      'mk-1/s-1/recording.mp4',
      'mk-1/s-2/manifest.json',
      'mk-2/s-3/transcript.vtt',
    ];
    for (const k of stored) await media.upload(k, Buffer.from(k), 'application/octet-stream');
    const uploaded = Date.now();
    const archive = createFileArchive(join(dir, 'gcs'));
    await archive.put('raw/2000-01-01/a.json', Buffer.from('{}'), 'application/json');

    // 29 days later: every stream is younger than 30 days.
    let now = uploaded + 29 * DAY;
    const deps = await retentionDeps(
      { config: gcp, log: silentLogger(), now: () => now },
      { media, archive },
    );
    expect(await runRetention(deps)).toEqual({ dryRun: false, archive: [], recordings: [], partitions: [] });
    expect(await keys(media)).toEqual(stored);

    // 31 days later: every stream goes, each whole; the archive is the bucket lifecycle's job on gcp.
    now = uploaded + 31 * DAY;
    const result = await runRetention(deps);
    expect(result.recordings).toEqual([
      { prefix: 'mk-1/s-1/', objects: 2 },
      { prefix: 'mk-1/s-2/', objects: 1 },
      { prefix: 'mk-2/s-3/', objects: 1 },
    ]);
    expect(await keys(media)).toEqual([]);
    expect(await archive.get('raw/2000-01-01/a.json')).toEqual(Buffer.from('{}'));
  });

  it('on the embedded default the job takes every store it is given', async () => {
    const local = parseConfig({ DATA_DIR: dir });
    const archive = createFileArchive(join(dir, 'gcs'));
    const deps = await retentionDeps({ config: local, log: silentLogger(), now: Date.now }, { archive });
    expect(deps.archive).toBe(archive);
    // No S3_BUCKET: the recordings are the files under $DATA_DIR/s3/.
    expect((await deps.media?.health())?.detail).toBe(join(dir, 's3'));
  });
});
