// Recordings in S3 (or an S3-compatible store via S3_ENDPOINT, path-style): multipart streaming
// uploads through @aws-sdk/lib-storage, so a recording never has to fit in memory.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform, pipeline } from 'node:stream';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { NonRetriableError, TransientUpstreamError, errorMessage } from '../errors.ts';
import type { HealthStatus, MediaStore, StoredObjectInfo } from '../ports.ts';
import { checkObjectKey, checkPrefix } from './object-keys.ts';

export interface S3MediaStoreOptions {
  /** Explicit credentials (tests against a local server); otherwise the standard AWS chain. */
  credentials?: S3ClientConfig['credentials'];
  /** Multipart part size (default 8 MiB, S3's minimum is 5 MiB). */
  partSize?: number;
}

export function createS3MediaStore(
  config: Pick<Config, 'S3_BUCKET' | 'S3_ENDPOINT' | 'AWS_REGION'>,
  log: Logger,
  opts: S3MediaStoreOptions = {},
): MediaStore {
  const bucket = config.S3_BUCKET;
  if (!bucket) throw new NonRetriableError('S3_BUCKET is required for the S3 media store');
  const client = new S3Client({
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT
      ? {
          endpoint: config.S3_ENDPOINT,
          forcePathStyle: true,
          // Compatible stores often lack the newer flexible checksums.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    maxAttempts: 3,
  });
  const partSize = opts.partSize ?? 8 * 1024 * 1024;

  async function* listObjects(prefix: string): AsyncGenerator<StoredObjectInfo> {
    checkPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await client
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
        .catch((err: unknown) => {
          throw new TransientUpstreamError(`S3 list failed for ${prefix}: ${errorMessage(err)}`, {
            cause: err,
          });
        });
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield { key: o.Key, modifiedAt: o.LastModified?.getTime() ?? 0, bytes: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async function* list(prefix: string): AsyncGenerator<string> {
    for await (const o of listObjects(prefix)) yield o.key;
  }

  return {
    async upload(key, body, contentType) {
      checkObjectKey(key);
      let bytes = 0;
      // pipeline (not pipe) so a failing source fails the upload instead of leaving it waiting.
      const counted =
        body instanceof Readable
          ? pipeline(
              body,
              new Transform({
                transform(chunk: Buffer, _enc, cb) {
                  bytes += chunk.length;
                  cb(null, chunk);
                },
              }),
              () => undefined,
            )
          : body;
      if (!(body instanceof Readable)) bytes = body.byteLength;
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: counted, ContentType: contentType },
        partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (err) {
        if (body instanceof Readable) body.destroy();
        throw new TransientUpstreamError(`S3 upload failed for ${key}: ${errorMessage(err)}`, { cause: err });
      }
      log.debug({ key, bytes }, 's3 upload done');
      return { bytes };
    },

    async deletePrefix(prefix) {
      checkPrefix(prefix, { forDelete: true });
      let batch: string[] = [];
      let deleted = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const res = await client
          .send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          )
          .catch((err: unknown) => {
            throw new TransientUpstreamError(`S3 delete failed under ${prefix}: ${errorMessage(err)}`, {
              cause: err,
            });
          });
        if (res.Errors && res.Errors.length > 0) {
          throw new TransientUpstreamError(
            `S3 delete failed for ${res.Errors.length} objects under ${prefix}`,
          );
        }
        deleted += batch.length;
        batch = [];
      };
      for await (const key of list(prefix)) {
        batch.push(key);
        if (batch.length === 1000) await flush();
      }
      await flush();
      return deleted;
    },

    list,
    listObjects,

    async get(key) {
      checkObjectKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return res.Body as Readable | undefined;
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw new TransientUpstreamError(`S3 get failed for ${key}: ${errorMessage(err)}`, { cause: err });
      }
    },

    async health(): Promise<HealthStatus> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return { ok: true, backend: 's3', detail: bucket };
      } catch (err) {
        return { ok: false, backend: 's3', detail: errorMessage(err) };
      }
    },
  };
}
