// A mock, not an emulator: Cloud Storage has no local emulator, so this in-process HTTP server speaks
// the subset of the GCS JSON API that @google-cloud/storage uses (media and multipart uploads with
// generation preconditions, metadata get, alt=media download, paged list, delete), with a 503 knob
// and a knob that refuses uploads only (a bucket that takes no writes but still lists and reads).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import {
  failureSwitch,
  listenOnLoopback,
  readBody,
  sendGoogleError as sendError,
  sendJson,
} from './loopback-http.ts';

export interface StoredObject {
  bytes: Buffer;
  contentType: string;
  generation: number;
  created: string;
}

export interface GcsTestServer {
  /** `http://127.0.0.1:<port>`: pass as STORAGE_EMULATOR_HOST. */
  url: string;
  /** bucket -> object name -> object. */
  buckets: Map<string, Map<string, StoredObject>>;
  /** Answer the next `count` requests (of any kind) with `status`; Infinity to stay down. */
  fail(count: number, status?: number): void;
  /**
   * Answer the next `count` uploads with `status` (default 403), reads, listings and deletes still
   * served; Infinity to keep refusing. The error message is `WRITE_REFUSED[status]`, or
   * `injected write failure` for another status.
   */
  failWrites(count: number, status?: number): void;
  /** Requests seen, e.g. to count upload attempts. */
  requests: { method: string; path: string; query: Record<string, string> }[];
  close(): Promise<void>;
}

export async function startGcsServer(): Promise<GcsTestServer> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const requests: GcsTestServer['requests'] = [];
  const failures = failureSwitch();
  const writeFailures = failureSwitch();
  let generation = 1_700_000_000_000_000;

  const bucket = (name: string): Map<string, StoredObject> => {
    let b = buckets.get(name);
    if (!b) buckets.set(name, (b = new Map()));
    return b;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, query });
    const body = await readBody(req);
    const injected = failures.next();
    if (injected !== undefined) return sendError(res, injected, 'backendError', 'injected failure');
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (upload && method === 'POST') {
      const refused = writeFailures.next();
      if (refused !== undefined) {
        const [reason, message] = WRITE_REFUSED[refused] ?? ['backendError', 'injected write failure'];
        return sendError(res, refused, reason, message);
      }
      const parsed = parseUpload(req, body, query);
      if (!parsed) return sendError(res, 400, 'invalid', 'unsupported upload');
      const objects = bucket(dec(upload[1]));
      const existing = objects.get(parsed.name);
      const want = query.ifGenerationMatch;
      if (want !== undefined && Number(want) !== (existing?.generation ?? 0)) {
        return sendError(
          res,
          412,
          'conditionNotMet',
          'At least one of the pre-conditions you specified did not hold.',
        );
      }
      const obj: StoredObject = {
        bytes: parsed.bytes,
        contentType: parsed.contentType,
        generation: ++generation,
        created: new Date().toISOString(),
      };
      objects.set(parsed.name, obj);
      return sendJson(res, 200, metadata(dec(upload[1]), parsed.name, obj));
    }
    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    if (object) {
      const [bucketName, name] = [dec(object[1]), dec(object[2])];
      const obj = bucket(bucketName).get(name);
      if (!obj) return sendError(res, 404, 'notFound', `No such object: ${bucketName}/${name}`);
      if (method === 'DELETE') {
        bucket(bucketName).delete(name);
        res.writeHead(204).end();
        return;
      }
      if (method !== 'GET') return sendError(res, 405, 'methodNotAllowed', method);
      if (query.alt !== 'media') return sendJson(res, 200, metadata(bucketName, name, obj));
      const meta = metadata(bucketName, name, obj);
      res.writeHead(200, {
        'content-type': obj.contentType,
        'content-length': obj.bytes.length,
        'x-goog-hash': `crc32c=${meta.crc32c},md5=${meta.md5Hash}`,
        'x-goog-stored-content-encoding': 'identity',
        'x-goog-generation': String(obj.generation),
      });
      res.end(obj.bytes);
      return;
    }
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (list && method === 'GET') {
      const bucketName = dec(list[1]);
      const prefix = query.prefix ?? '';
      const max = Math.min(Number(query.maxResults ?? 1000) || 1000, 1000);
      const names = [...bucket(bucketName).keys()]
        .filter((n) => n.startsWith(prefix) && (!query.pageToken || n > query.pageToken))
        .sort();
      const page = names.slice(0, max);
      const last = page.at(-1);
      return sendJson(res, 200, {
        kind: 'storage#objects',
        items: page.map((n) => metadata(bucketName, n, bucket(bucketName).get(n) as StoredObject)),
        ...(names.length > max && last !== undefined && { nextPageToken: last }),
      });
    }
    const bucketGet = /^\/storage\/v1\/b\/([^/]+)$/.exec(url.pathname);
    if (bucketGet && method === 'GET') {
      return sendJson(res, 200, {
        kind: 'storage#bucket',
        id: dec(bucketGet[1]),
        name: dec(bucketGet[1]),
        metageneration: '1',
      });
    }
    return sendError(res, 404, 'notFound', `unsupported: ${method} ${url.pathname}`);
  };

  const server = await listenOnLoopback(handle);
  return {
    url: server.url,
    buckets,
    requests,
    fail: failures.fail,
    failWrites: (count, status = 403) => writeFailures.fail(count, status),
    close: server.close,
  };
}

/** What Cloud Storage answers when it refuses an upload: [reason, message] by status. */
export const WRITE_REFUSED: Record<number, [string, string]> = {
  403: [
    'forbidden',
    'zoom-tracker@demo.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object.',
  ],
  429: ['rateLimitExceeded', 'The project exceeded the rate limit for CloudStorage and this API method.'],
  503: ['backendError', 'We encountered an internal error. Please try again.'],
};

function metadata(bucket: string, name: string, obj: StoredObject): Record<string, string> {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${obj.generation}`,
    name,
    bucket,
    generation: String(obj.generation),
    metageneration: '1',
    contentType: obj.contentType,
    size: String(obj.bytes.length),
    md5Hash: createHash('md5').update(obj.bytes).digest('base64'),
    crc32c: crc32cOf(obj.bytes),
    timeCreated: obj.created,
    updated: obj.created,
  };
}

function crc32cOf(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

/** uploadType=media (bytes, name in the query) or multipart/related (JSON metadata part, then bytes). */
function parseUpload(
  req: IncomingMessage,
  body: Buffer,
  query: Record<string, string>,
): { name: string; bytes: Buffer; contentType: string } | undefined {
  const type = req.headers['content-type'] ?? 'application/octet-stream';
  if (query.uploadType === 'media' && query.name) return { name: query.name, bytes: body, contentType: type };
  if (query.uploadType !== 'multipart') return undefined;
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!boundary) return undefined;
  const parts = splitMultipart(body, boundary);
  const [metaPart, dataPart] = parts;
  if (!metaPart || !dataPart) return undefined;
  const meta = JSON.parse(metaPart.body.toString('utf8')) as { name?: string; contentType?: string };
  const name = meta.name ?? query.name;
  if (!name) return undefined;
  return {
    name,
    bytes: dataPart.body,
    contentType: meta.contentType ?? dataPart.headers['content-type'] ?? 'application/octet-stream',
  };
}

function splitMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const chunk = body.subarray(start, next);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of chunk.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    // The part body ends before the CRLF that precedes the next delimiter.
    parts.push({ headers, body: chunk.subarray(headerEnd + 4, chunk.length - 2) });
    at = next;
  }
  return parts;
}

function dec(s: string | undefined): string {
  return decodeURIComponent(s ?? '');
}
