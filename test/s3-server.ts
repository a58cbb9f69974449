// An in-process S3 server (s3rver) on a free loopback port with one bucket, for tests of the
// S3 media store and the RTMS capture. Test-only; data lives in a temp dir removed on stop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  port: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server (keeps the files, so `start` again brings the same objects back). */
  stop(): Promise<void>;
  /** Restarts on the same port (after stop), for "S3 unavailable, then back" tests. */
  start(): Promise<void>;
  /** Stops and removes the data directory. */
  close(): Promise<void>;
}

export async function startTestS3Server(bucket = 'recordings'): Promise<TestS3Server> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  let port = 0;
  let server: S3rver | undefined;
  const launch = async (): Promise<void> => {
    const s = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    const addr = (await s.run()) as { port: number };
    port = addr.port;
    server = s;
  };
  await launch();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    bucket,
    get port() {
      return port;
    },
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await s.close();
    },
    start: launch,
    async close() {
      const s = server;
      server = undefined;
      if (s) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
