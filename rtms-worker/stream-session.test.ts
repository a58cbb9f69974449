// One StreamSession fed by a hostile RTMS server through fake sockets, with the real capture, DuckDB
// and live state: 40,000 distinct user ids with 8 KiB names, in media frames and in one join event,
// leave the per-stream maps bounded (size cap and name length asserted, not RSS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../core/log.ts';
import { createDuckDbWarehouse, type DuckDbWarehouse } from '../core/adapters/local/duckdb-warehouse.ts';
import { createLocalMediaStore } from '../core/adapters/local/local-media-store.ts';
import { createMemoryLeaseStore } from '../core/adapters/local/memory-lease-store.ts';
import { createMemoryLiveState } from '../core/adapters/local/memory-live-state.ts';
import { openCapture } from './capture/capture.ts';
import { MAX_NAME_CHARS, MAX_USERS } from './capture/name-book.ts';
import { FakeSocket, MEDIA_URL, SIG_URL } from './protocol/client-fakes.ts';
import { StreamSession } from './stream-session.ts';

const T0 = 1_700_000_000_000;
let dir: string;
let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stream-session-'));
  warehouse = await createDuckDbWarehouse(join(dir, 'w.duckdb'), silentLogger());
});
afterAll(async () => {
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

const nameOf = (i: number) => `user ${i} `.padEnd(8 * 1024, 'x');

it('40,000 user ids with 8 KiB names: the name book holds 5,000 names of 128 characters; rows are bounded too', async () => {
  const sockets: FakeSocket[] = [];
  const session = new StreamSession(
    {
      leases: createMemoryLeaseStore(),
      warehouse,
      liveState: createMemoryLiveState({ now: Date.now, ttlDays: 7 }),
      media: createLocalMediaStore(join(dir, 's3')),
      openCapture,
      socketFactory: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      log: silentLogger(),
      now: Date.now,
    },
    {
      workerId: 'w1',
      clientId: 'cid',
      clientSecret: 'secret',
      capturesDir: join(dir, 'captures'),
      ffmpegPath: 'ffmpeg',
      media: { videoFps: 25, resolution: 'hd' },
      allowedHosts: ['*.zoom.us'],
      leaseTtlMs: 30_000,
      heartbeatMs: 600_000, // no heartbeat while the flood runs: this test is about names, not leases
    },
    { meetingUuid: 'names+flood/A==', streamId: 'flood-1', serverUrls: SIG_URL, eventId: 'e1' },
  );
  await session.start();
  const [sig] = sockets as [FakeSocket];
  sig.emitOpen();
  sig.recv({ msg_type: 2, status_code: 0, media_server: { server_urls: { all: MEDIA_URL } } });
  const media = sockets[1]!;
  media.emitOpen();
  media.recv({ msg_type: 4, status_code: 0 });

  for (let i = 0; i < 40_000; i++)
    media.recv({
      msg_type: 14,
      content: { user_id: 1_000_000 + i, user_name: nameOf(i), data: 'AAAA', timestamp: T0 + i * 20 },
    });
  expect(session.names.size).toBe(MAX_USERS);
  expect(session.names.counts).toEqual({ refused: 40_000 - MAX_USERS, truncated: MAX_USERS });
  expect(session.names.get(1_000_000)).toBe(nameOf(0).slice(0, MAX_NAME_CHARS));
  expect(session.names.get(1_000_000 + MAX_USERS)).toBeUndefined();
  expect(Math.max(...[...session.names.entries()].map(([, n]) => n.length))).toBe(MAX_NAME_CHARS);

  // one join event naming 6,000 more users (about 48 MiB of names): rows for the first 5,000 only
  const participants = Array.from({ length: 6_000 }, (_, i) => ({
    user_id: 2_000_000 + i,
    user_name: nameOf(i),
  }));
  sig.recv({ msg_type: 6, event: { event_type: 3, timestamp: T0, participants } });
  expect(session.names.size).toBe(MAX_USERS);
  expect(session.captureStats).toMatchObject({ audioFrames: 40_000, namesRefused: 40_000 - MAX_USERS });

  let rows: { n: number; longest: number; payload: number }[] = [];
  for (let i = 0; i < 200; i++) {
    rows = (
      await warehouse.connection.runAndReadAll(
        `SELECT count(*)::INT AS n, max(length(participant_name))::INT AS longest,
                max(length(CAST(raw_payload AS VARCHAR)))::INT AS payload
         FROM raw_events WHERE source = 'rtms' AND rtms_stream_id = 'flood-1'`,
      )
    ).getRowObjectsJS() as typeof rows;
    if (rows[0]!.n >= MAX_USERS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(rows[0]).toMatchObject({ n: MAX_USERS, longest: MAX_NAME_CHARS });
  expect(rows[0]!.payload).toBeLessThan(400); // the row's own participant only, name bounded

  expect(await session.handOver()).toBe('handed-over');
}, 60_000);
