// The whole webhook handler in-process over real HTTP, on the embedded default (files, DuckDB,
// in-process state and queue) in a temp DATA_DIR.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientUpstreamError } from '../core/errors.ts';
import type { DuckDbWarehouse } from '../core/adapters/local/duckdb-warehouse.ts';
import { decodePushEnvelope, type PushEnvelope } from '../core/zoom/push-envelope.ts';
import { computeSignature, signedHeaders } from '../core/zoom/signature.ts';
import { MEETING, PEOPLE, zoom } from '../demo/simulator/zoom-events.ts';
import { startLocalWebhook, TEST_SECRET, type LocalWebhook } from '../test/helpers/local-webhook.ts';
import { listen, urlOf } from '../core/http-server.ts';
import { createServer } from './server.ts';

const t0 = Date.parse(MEETING.startTime);
const [ana, bjorn] = PEOPLE as [(typeof PEOPLE)[0], (typeof PEOPLE)[0]];
let hook: LocalWebhook;
const pushed: PushEnvelope[] = [];

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  await hook.service.warehouse.flush();
  const wh = hook.service.backends.warehouse as DuckDbWarehouse;
  return (await wh.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function filesUnder(sub: string): Promise<string[]> {
  const root = join(hook.dataDir, 'gcs', sub);
  try {
    return (await readdir(root, { recursive: true })).filter((f) => f.includes('.')).sort();
  } catch {
    return [];
  }
}

const clockOffset = Date.now() - (t0 + 30 * 60_000);
const now = () => Date.now() - clockOffset; // the fixture meeting is live "now"

beforeAll(async () => {
  hook = await startLocalWebhook({ now });
  hook.service.backends.localQueue?.subscribe(async (e) => {
    pushed.push(e);
    return 204;
  });
});
afterAll(async () => hook.close());

describe('POST /webhook', () => {
  it('answers endpoint.url_validation with the encrypted token', async () => {
    const res = await hook.post({
      event: 'endpoint.url_validation',
      event_ts: Date.now(),
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
    });
    expect(res.status).toBe(200);
    expect(res.json['plainToken']).toBe('qgg8vlvZRS6UYooatFL8Aw');
    expect(res.json['encryptedToken']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('archives the exact bytes, writes one row and updates live state', async () => {
    const body = zoom.joined(MEETING, ana, t0 + 60_000);
    const raw = JSON.stringify(body, null, 1); // not compact: the bytes must be kept as sent
    const res = await hook.post(raw, { raw: true });
    expect(res.status).toBe(200);
    const id = res.json['event_id'] as string;
    const stored = await readFile(join(hook.dataDir, 'gcs', 'raw', '2026-02-03', `${id}.json`), 'utf8');
    expect(stored).toBe(raw);
    const [row] = await rows(
      `SELECT participant_name, action, gcs_path, meeting_id FROM raw_events WHERE event_id = '${id}'`,
    );
    expect(row).toEqual({
      participant_name: 'Ana García',
      action: 'JOIN',
      gcs_path: `raw/2026-02-03/${id}.json`,
      meeting_id: MEETING.id,
    });
    const live = await hook.service.backends.liveState.liveParticipants(MEETING.id);
    expect(live?.participants.map((p) => [p.name, p.location])).toContainEqual(['Ana García', 'main']);
  });

  it('stores a duplicate delivered three times once', async () => {
    const body = zoom.joined(MEETING, bjorn, t0 + 120_000);
    const results = await Promise.all([hook.post(body), hook.post(body), hook.post(body)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.filter((r) => r.json['duplicate'] === false)).toHaveLength(1);
    const id = results[0]?.json['event_id'] as string;
    expect(await rows(`SELECT count(*)::INT AS n FROM raw_events WHERE event_id = '${id}'`)).toEqual([
      { n: 1 },
    ]);
    expect((await filesUnder('raw')).filter((f) => f.includes(id))).toHaveLength(1);
  });

  it('keeps unicode and emoji in names and topics', async () => {
    const res = await hook.post(zoom.sharing(MEETING, bjorn, t0 + 180_000, true));
    const [row] = await rows(
      `SELECT participant_name, raw_payload->>'$.payload.object.topic' AS topic FROM raw_events WHERE event_id = '${res.json['event_id'] as string}'`,
    );
    expect(row).toEqual({ participant_name: 'Björn 🦊 Ek', topic: 'Weekly sync ✨ Ünïcode' });
  });

  it('keeps QoS rows a pure function of their body (meeting_id is mapped by the views)', async () => {
    const shape = async () =>
      (await hook.service.backends.liveState.liveParticipants(MEETING.id))?.participants.map((p) => [
        p.key,
        p.location,
        p.sessions.length,
      ]);
    const before = await shape();
    const res = await hook.post(zoom.qos(MEETING, bjorn, t0 + 240_000, '863 kbps'));
    expect(res.status).toBe(200);
    const [row] = await rows(
      `SELECT meeting_id, meeting_uuid, action FROM raw_events WHERE event_id = '${res.json['event_id'] as string}'`,
    );
    expect(row).toEqual({ meeting_id: null, meeting_uuid: MEETING.uuid, action: 'QOS' });
    expect(await hook.service.backends.liveState.meetingIdFor(MEETING.uuid)).toBe(MEETING.id);
    expect(await shape()).toEqual(before);
  });

  it('publishes RTMS start to the queue as a push envelope', async () => {
    const res = await hook.post(zoom.rtmsStarted(MEETING, 'stream-9', 'wss://rtms.example/a', t0));
    expect(res.status).toBe(200);
    await hook.service.backends.localQueue?.idle();
    const message = pushed
      .map((e) => decodePushEnvelope(e).message)
      .find((m) => m.rtmsStreamId === 'stream-9');
    expect(message).toMatchObject({
      kind: 'started',
      meetingUuid: MEETING.uuid,
      serverUrls: 'wss://rtms.example/a',
    });
  });

  it('records an unknown event without changing state', async () => {
    const res = await hook.post({
      event: 'meeting.chat_message_sent',
      event_ts: t0,
      payload: { object: { uuid: 'other-uuid', id: '1' } },
    });
    expect(res.status).toBe(200);
    expect(await hook.service.backends.liveState.liveParticipants('other-uuid')).toBeUndefined();
  });
});

describe('bad input', () => {
  const body = Buffer.from(JSON.stringify(zoom.joined(MEETING, ana, t0)));
  const ts = () => String(Math.floor(now() / 1000));
  const send = (raw: Buffer | string, headers: Record<string, string>) =>
    fetch(`${hook.url}/webhook`, { method: 'POST', headers, body: raw }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as Record<string, unknown>,
    }));

  const cases: [string, () => Promise<{ status: number; json: Record<string, unknown> }>, number][] = [
    [
      'a bad signature',
      () =>
        send(body, {
          'content-type': 'application/json',
          'x-zm-request-timestamp': ts(),
          'x-zm-signature': `v0=${'0'.repeat(64)}`,
        }),
      401,
    ],
    [
      'a stale timestamp',
      () => {
        const old = String(Math.floor(now() / 1000) - 600);
        return send(body, {
          'content-type': 'application/json',
          'x-zm-request-timestamp': old,
          'x-zm-signature': computeSignature(TEST_SECRET, old, body),
        });
      },
      401,
    ],
    [
      'a missing timestamp',
      () =>
        send(body, {
          'content-type': 'application/json',
          'x-zm-signature': computeSignature(TEST_SECRET, ts(), body),
        }),
      401,
    ],
    [
      'a wrong content type',
      () => hook.post(JSON.parse(body.toString()), { headers: { 'content-type': 'text/plain' } }),
      415,
    ],
    ['a body that is not JSON', () => hook.post('not json at all', { raw: true }), 400],
    ['a truncated body', () => hook.post(body.toString().slice(0, 40), { raw: true }), 400],
    ['JSON without event', () => hook.post({ event_ts: 1, payload: {} }), 400],
    [
      'a recording event with a mistyped start',
      () =>
        hook.post({
          event: 'recording.started',
          event_ts: 1,
          payload: { object: { id: 5, uuid: 'u', start_time: 7 } },
        }),
      400,
    ],
    [
      'a body over 1 MiB',
      () => hook.post({ event: 'meeting.started', event_ts: 1, payload: { pad: 'x'.repeat(1024 * 1024) } }),
      413,
    ],
  ];
  it.each(cases)('refuses %s with a clear status and error', async (_name, run, status) => {
    const res = await run();
    expect(res.status).toBe(status);
    expect(typeof res.json['error']).toBe('string');
  });

  it('quarantines signed bodies it cannot parse, once per content', async () => {
    const a = '{"event": "meeting.started", "event_ts": ';
    const b = '{"event": "meeting.ended", "event_ts": ';
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const day = new Date(now()).toISOString().slice(0, 10);
    const before = await filesUnder('quarantine');
    expect((await hook.post(a, { raw: true })).status).toBe(400);
    expect((await hook.post(a, { raw: true })).status).toBe(400);
    const afterSame = await filesUnder('quarantine');
    // Two deliveries of the same bytes: exactly one new file, named by the SHA-256 of the body.
    expect(afterSame.filter((f) => !before.includes(f))).toEqual([join(day, `${sha(a)}.bin`)]);
    expect(await readFile(join(hook.dataDir, 'gcs', 'quarantine', day, `${sha(a)}.bin`), 'utf8')).toBe(a);
    expect((await hook.post(b, { raw: true })).status).toBe(400);
    const afterOther = await filesUnder('quarantine');
    expect(afterOther.filter((f) => !before.includes(f))).toEqual(
      [join(day, `${sha(a)}.bin`), join(day, `${sha(b)}.bin`)].sort(),
    );
  });

  it('answers 503 when the archive is down, so Zoom retries, and writes nothing downstream', async () => {
    const { deps } = hook.service;
    const original = deps.archive.putIfAbsent;
    deps.archive.putIfAbsent = () => Promise.reject(new TransientUpstreamError('disk gone'));
    try {
      const res = await hook.post(zoom.joined(MEETING, ana, t0 + 999_000));
      expect(res.status).toBe(503);
      expect(
        await rows(`SELECT count(*)::INT AS n FROM raw_events WHERE event_timestamp = '2026-02-03T09:16:39'`),
      ).toEqual([{ n: 0 }]);
    } finally {
      deps.archive.putIfAbsent = original;
    }
  });

  it('still answers 200 when the warehouse fails after the archive write', async () => {
    const { deps } = hook.service;
    const original = deps.warehouse.insertEvents;
    deps.warehouse.insertEvents = () => Promise.reject(new Error('warehouse down'));
    try {
      const res = await hook.post(zoom.left(MEETING, ana, t0 + 998_000));
      expect(res.status).toBe(200);
      expect(await filesUnder('raw')).toContain(join('2026-02-03', `${res.json['event_id'] as string}.json`));
    } finally {
      deps.warehouse.insertEvents = original;
    }
  });

  it('never answers 429: in-flight budget exhausted, archive down and a burst get 503 or 200', async () => {
    const statuses: number[] = [];
    const postTo = async (base: string, body: unknown): Promise<number> => {
      const raw = Buffer.from(JSON.stringify(body));
      const res = await fetch(`${base}/webhook`, {
        method: 'POST',
        headers: signedHeaders(TEST_SECRET, raw, now()),
        body: raw,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      return res.status;
    };
    const burst = (base: string, from: number) =>
      Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          postTo(base, { ...zoom.joined(MEETING, ana, t0 + from + i), pad: 'p'.repeat(2048) }),
        ),
      );
    // 1. A burst of 32 concurrent deliveries on the service as configured: every one is accepted.
    expect(new Set(await burst(hook.url, 500_000))).toEqual(new Set([200]));
    // 2. The same burst against an in-flight budget that holds two bodies: the rest are 503.
    const tight = await listen(
      createServer(hook.service.deps, { maxBytesInFlight: 6 * 1024 }),
      0,
      '127.0.0.1',
    );
    try {
      const answers = await burst(urlOf(tight), 600_000);
      expect(answers).toContain(503);
      expect(answers.every((s) => s === 200 || s === 503)).toBe(true);
    } finally {
      tight.closeAllConnections();
      await new Promise((r) => tight.close(r));
    }
    // 3. The archive is down: 503 so that Zoom retries.
    const { deps } = hook.service;
    const original = deps.archive.putIfAbsent;
    deps.archive.putIfAbsent = () => Promise.reject(new TransientUpstreamError('disk gone'));
    try {
      expect(await postTo(hook.url, zoom.joined(MEETING, ana, t0 + 700_000))).toBe(503);
    } finally {
      deps.archive.putIfAbsent = original;
    }
    expect(statuses).not.toContain(429);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
  });

  it('answers other methods on /webhook with 405', async () => {
    const res = await fetch(`${hook.url}/webhook`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('GET endpoints', () => {
  it('/health reports each backend', async () => {
    const res = await fetch(`${hook.url}/health`);
    const json = (await res.json()) as Record<string, { ok: boolean }>;
    expect(res.status).toBe(200);
    expect(json['archive']?.ok).toBe(true);
    expect(json['warehouse']?.ok).toBe(true);
  });

  it('/api/meetings lists the live meeting with counts', async () => {
    const res = await fetch(`${hook.url}/api/meetings`);
    const json = (await res.json()) as { meetings: { meetingId: string; counts: { inMeeting: number } }[] };
    expect(json.meetings.find((m) => m.meetingId === MEETING.id)?.counts.inMeeting).toBeGreaterThan(0);
    const live = await fetch(`${hook.url}/api/meetings/${MEETING.id}/live-participants`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { participants: unknown[] }).participants.length).toBeGreaterThan(0);
    expect((await fetch(`${hook.url}/api/meetings/nope/live-participants`)).status).toBe(404);
  });
});

describe('roster matching', () => {
  it('marks participants whose e-mail is on the roster (case-insensitive)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'zt-roster-'));
    const roster = join(dir, 'roster.csv');
    await writeFile(roster, 'email,first name,last name,id,department\nANA@example.com,Ana,García,1,Ops\n');
    const withRoster = await startLocalWebhook({ now, env: { ROSTER_FILE: roster } });
    try {
      await withRoster.post(zoom.joined(MEETING, ana, t0 + 60_000));
      await withRoster.post(zoom.joined(MEETING, bjorn, t0 + 60_000));
      const res = await fetch(`${withRoster.url}/api/meetings/${MEETING.id}/live-participants`);
      const view = (await res.json()) as { participants: { name: string; rosterMatch: boolean }[] };
      expect(view.participants.map((p) => [p.name, p.rosterMatch])).toEqual([
        ['Ana García', true],
        ['Björn 🦊 Ek', false],
      ]);
    } finally {
      await withRoster.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('production secret', () => {
  it('refuses to start the webhook on BACKEND=gcp without ZOOM_WEBHOOK_SECRET_TOKEN', async () => {
    const { resolveWebhookSecret } = await import('./secret.ts');
    const { parseConfig } = await import('../core/config.ts');
    const config = parseConfig({
      BACKEND: 'gcp',
      GCP_PROJECT_ID: 'p',
      GCS_BUCKET: 'b',
      PUBSUB_TOPIC: 't',
      DATA_DIR: '/nonexistent',
    });
    await expect(resolveWebhookSecret(config)).rejects.toThrow(
      /ZOOM_WEBHOOK_SECRET_TOKEN is required for the webhook service/,
    );
  });
});

describe('live-state API in production', () => {
  it('is refused with 403 when no DASHBOARD_TOKEN is set', async () => {
    const { createServer } = await import('./server.ts');
    const { listen, urlOf } = await import('../core/http-server.ts');
    const server = await listen(
      createServer(hook.service.deps, { access: { kind: 'closed' } }),
      0,
      '127.0.0.1',
    );
    try {
      const res = await fetch(`${urlOf(server)}/api/meetings`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/DASHBOARD_TOKEN/);
    } finally {
      server.close();
    }
  });
});
