// The raw archive and CSV exports on Cloud Storage: create-only writes by generation precondition,
// streamed replacements, lexical listing, deletes. STORAGE_EMULATOR_HOST (from config) points it at
// a local server. Health reports the last failed write until a later write succeeds (kept in memory:
// no extra request on the webhook's path).
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Storage, type File } from '@google-cloud/storage';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { Archive, HealthStatus } from '../../ports.ts';
import { NonRetriableError, TransientUpstreamError, errorMessage } from '../../errors.ts';
import { httpStatusOf, isTransient } from './upstream-errors.ts';

// Zoom wants an answer within 3 s, so the create-only write (the webhook's one blocking call) uses a
// client with a short request timeout and one quick retry, then fails into a 503 that makes Zoom
// redeliver. Exports, reads and listings use a patient client.
export interface GcsArchiveOptions {
  /** Client retries (a create-only write is idempotent thanks to its precondition); default 1 for writes, 3 otherwise. */
  maxRetries?: number;
  /** Request timeout of a create-only write, ms (default 800). */
  createTimeoutMs?: number;
}

type ArchiveConfig = Pick<Config, 'GCS_BUCKET' | 'GCP_PROJECT_ID' | 'STORAGE_EMULATOR_HOST'>;

export function createGcsArchive(config: ArchiveConfig, log: Logger, opts: GcsArchiveOptions = {}): Archive {
  if (!config.GCS_BUCKET) throw new NonRetriableError('GCS_BUCKET is required for the Cloud Storage archive');
  const client = (timeoutMs: number, maxRetries: number, totalTimeoutS: number): Storage =>
    new Storage({
      ...(config.GCP_PROJECT_ID && { projectId: config.GCP_PROJECT_ID }),
      ...(config.STORAGE_EMULATOR_HOST && { apiEndpoint: endpointUrl(config.STORAGE_EMULATOR_HOST) }),
      // The client applies its own timeout to every request (a per-call one is overridden).
      timeout: timeoutMs,
      retryOptions: {
        autoRetry: maxRetries > 0,
        maxRetries,
        totalTimeout: totalTimeoutS,
        maxRetryDelay: Math.max(1, totalTimeoutS / 4), // the first pause is 1 s; the client refuses a smaller cap
        retryDelayMultiplier: 2,
      },
    });
  const ingest = client(opts.createTimeoutMs ?? 800, opts.maxRetries ?? 1, 2.5).bucket(config.GCS_BUCKET);
  const bucket = client(60_000, opts.maxRetries ?? 3, 60).bucket(config.GCS_BUCKET);
  /** The last failed write, until a later one succeeds (what /health reports). */
  let lastWriteFailure: { at: string; error: string } | undefined;
  const writeFailed = (err: unknown): void => {
    lastWriteFailure = { at: new Date().toISOString(), error: errorMessage(err) };
  };
  const fail = (op: string, key: string, err: unknown): never => {
    const status = httpStatusOf(err);
    log.warn({ op, key, status, err: errorMessage(err) }, 'cloud storage call failed');
    if (isTransient(err))
      throw new TransientUpstreamError(`cloud storage ${op} failed: ${errorMessage(err)}`, { cause: err });
    throw new NonRetriableError(
      `cloud storage ${op} of ${key} failed (${status ?? 'no status'}): ${errorMessage(err)}`,
      { cause: err },
    );
  };

  return {
    async putIfAbsent(key, body, contentType) {
      try {
        // ifGenerationMatch=0: succeeds only if no live object has this name, so retries cannot double-write.
        await ingest.file(key).save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
          resumable: false,
          contentType,
          preconditionOpts: { ifGenerationMatch: 0 },
        });
        lastWriteFailure = undefined;
        return 'created';
      } catch (err) {
        if (httpStatusOf(err) === 412) {
          // The bucket answered the write: the object is there already (a redelivery).
          lastWriteFailure = undefined;
          return 'exists';
        }
        writeFailed(err);
        return fail('putIfAbsent', key, err);
      }
    },

    async put(key, body, contentType) {
      const file = bucket.file(key);
      try {
        if (body instanceof Readable) {
          await pipeline(body, writeStream(file, contentType));
        } else {
          await file.save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
            resumable: false,
            contentType,
          });
        }
        lastWriteFailure = undefined;
      } catch (err) {
        writeFailed(err);
        fail('put', key, err);
      }
    },

    async get(key) {
      try {
        const [bytes] = await bucket.file(key).download();
        return bytes;
      } catch (err) {
        if (httpStatusOf(err) === 404) return undefined;
        return fail('get', key, err);
      }
    },

    async *list(prefix) {
      let pageToken: string | undefined;
      do {
        let files: File[];
        let next: { pageToken?: string } | null | undefined;
        try {
          [files, next] = await bucket.getFiles({
            prefix,
            autoPaginate: false,
            maxResults: 1000,
            ...(pageToken && { pageToken }),
          });
        } catch (err) {
          return fail('list', prefix, err);
        }
        // GCS lists in lexical (UTF-8 byte) order already; sort defensively within the page.
        for (const name of files.map((f) => f.name).sort()) yield name;
        pageToken = next?.pageToken;
      } while (pageToken);
    },

    async delete(key) {
      try {
        await bucket.file(key).delete();
        return true;
      } catch (err) {
        if (httpStatusOf(err) === 404) return false;
        return fail('delete', key, err);
      }
    },

    async health(): Promise<HealthStatus> {
      try {
        await bucket.getFiles({ autoPaginate: false, maxResults: 1 });
      } catch (err) {
        return { ok: false, backend: 'gcs', detail: errorMessage(err) };
      }
      if (lastWriteFailure)
        return {
          ok: false,
          backend: 'gcs',
          detail: `last write failed at ${lastWriteFailure.at}: ${lastWriteFailure.error}`,
        };
      return { ok: true, backend: 'gcs', detail: `gs://${bucket.name}` };
    },
  };
}

/** A streaming simple (multipart) upload: one request, all or nothing. Large exports could go resumable. */
function writeStream(file: File, contentType: string): NodeJS.WritableStream {
  return file.createWriteStream({ resumable: false, contentType, metadata: { contentType } });
}

/** STORAGE_EMULATOR_HOST may be `host:port` or a URL. */
function endpointUrl(hostOrUrl: string): string {
  return /^https?:\/\//.test(hostOrUrl) ? hostOrUrl.replace(/\/+$/, '') : `http://${hostOrUrl}`;
}
