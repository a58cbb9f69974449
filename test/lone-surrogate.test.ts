// A signed participant_joined whose name was cut inside an emoji (`"Ana \ud83d"`, a lone UTF-16
// surrogate as a raw JSON escape) among 20 neighbours, on the embedded default with real DuckDB:
// every event lands (the bad one with U+FFFD), the archive keeps the exact bytes, a restart and
// `replay` work. And start-up recovery skips an archived event it cannot read, and says so.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../core/adapters/local/duckdb-engine.ts';
import { runReplay } from '../jobs/replay.ts';
import type { DuckDbWarehouse } from '../core/adapters/local/duckdb-warehouse.ts';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { silentLogger } from '../core/log.ts';
import { MEETING, zoom, type Person } from '../demo/simulator/zoom-events.ts';
import { startLocalWebhook, type LocalWebhook } from './helpers/local-webhook.ts';

const t0 = Date.parse(MEETING.startTime);
const offset = Date.now() - (t0 + 30 * 60_000);
const now = () => Date.now() - offset; // the fixture meeting is live "now"
const DATE = '2026-02-03';
const open: LocalWebhook[] = [];
afterAll(async () => {
  for (const hook of open) await hook.close();
});

async function start(dataDir?: string): Promise<LocalWebhook> {
  const hook = await startLocalWebhook({ now, ...(dataDir && { dataDir }) });
  open.push(hook);
  return hook;
}

async function stop(hook: LocalWebhook): Promise<void> {
  await hook.close({ keepData: true });
  open.splice(open.indexOf(hook), 1);
}

async function query(hook: LocalWebhook, sql: string): Promise<Record<string, unknown>[]> {
  await hook.service.warehouse.flush();
  const wh = hook.service.backends.warehouse as DuckDbWarehouse;
  return (await wh.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

const person = (i: number): Person => ({
  name: `Person ${i}`,
  email: `p${i}@example.com`,
  uuid: `UUID-${String(i).padStart(4, '0')}`,
  userId: String(16_800_000 + i),
});

// The JSON text as Zoom would send it: `\ud83d` is a raw escape in the body, not a character.
const ana = zoom.joined(MEETING, { ...person(99), name: 'ANA_PLACEHOLDER' }, t0 + 60_000);
const badBody = JSON.stringify(ana).replace('ANA_PLACEHOLDER', 'Ana \\ud83d');

describe('a lone surrogate in a signed event', () => {
  let hook: LocalWebhook;
  let badId: string;

  it('is accepted with its 20 neighbours: 21 rows in DuckDB, the bad name as U+FFFD', async () => {
    hook = await start();
    const neighbours = Array.from({ length: 20 }, (_, i) => zoom.joined(MEETING, person(i), t0 + i * 1000));
    const results = await Promise.all([
      ...neighbours.slice(0, 10).map((b) => hook.post(b)),
      hook.post(badBody, { raw: true }),
      ...neighbours.slice(10).map((b) => hook.post(b)),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 21 }, () => 200));
    badId = results[10]?.json['event_id'] as string;

    expect(await query(hook, 'SELECT count(*)::INT AS n FROM raw_events')).toEqual([{ n: 21 }]);
    expect(
      await query(
        hook,
        `SELECT participant_name, raw_payload->>'$.payload.object.participant.user_name' AS in_payload
         FROM raw_events WHERE event_id = '${badId}'`,
      ),
    ).toEqual([{ participant_name: 'Ana \uFFFD', in_payload: 'Ana \uFFFD' }]);
    // The archive keeps the bytes exactly as sent (the escape included).
    const archived = await readFile(join(hook.dataDir, 'gcs', 'raw', DATE, `${badId}.json`), 'utf8');
    expect(archived).toBe(badBody);
    expect(archived).toContain('"user_name":"Ana \\ud83d"');
    const live = JSON.stringify(await hook.service.backends.liveState.liveParticipants(MEETING.id));
    expect(live).toContain('"Ana \uFFFD"');
    expect(live).not.toContain('\\ud83d');
  });

  it('does not stop a restart: state and rows come back from the archive, nothing skipped', async () => {
    await stop(hook);
    const restarted = await start(hook.dataDir);
    expect(await query(restarted, 'SELECT count(*)::INT AS n FROM raw_events')).toEqual([{ n: 21 }]);
    const health = (await (await fetch(`${restarted.url}/health`)).json()) as Record<string, unknown>;
    expect(health['recovery']).toEqual({ ok: true, events: 21, skipped: 0 });
    expect(JSON.stringify(await restarted.service.backends.liveState.liveParticipants(MEETING.id))).toContain(
      '"Ana \uFFFD"',
    );
    await stop(restarted);
  });

  it('does not stop replay: the day is rebuilt with all 21 rows', async () => {
    const archive = createFileArchive(join(hook.dataDir, 'gcs'));
    const engine = await createDuckDbEngine({ path: join(hook.dataDir, 'warehouse.duckdb'), archive });
    try {
      const summary = await runReplay({ engine, archive, log: silentLogger() }, { date: DATE });
      expect(summary).toMatchObject({ files: 21, rows: 21, skipped: 0 });
      const { rows } = await engine.query(
        `SELECT participant_name AS name FROM zoom_tracker.raw_events WHERE event_id = @id`,
        { id: badId },
      );
      expect(rows).toEqual([{ name: 'Ana \uFFFD' }]);
    } finally {
      await engine.close();
    }
  });
});

describe('start-up recovery', () => {
  it('skips an archived event it cannot read, starts anyway, and says so in /health', async () => {
    const first = await start();
    expect((await first.post(zoom.joined(MEETING, person(1), t0 + 1000))).status).toBe(200);
    await stop(first);
    // A body nested 5,000 levels deep (hashing it recursed past the stack before) under a valid name.
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const dir = join(first.dataDir, 'gcs', 'raw', DATE);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${'d'.repeat(32)}.json`), deep);

    const restarted = await start(first.dataDir);
    const res = await fetch(`${restarted.url}/health`);
    const health = (await res.json()) as { status: string; degraded: string[]; recovery: unknown };
    expect(res.status).toBe(200); // the archive is fine: events are still accepted
    expect(health.status).toBe('degraded');
    expect(health.degraded).toEqual(['recovery']);
    expect(health.recovery).toEqual({
      ok: false,
      events: 1,
      skipped: 1,
      lastError: 'archived body has no event id: JSON nested deeper than 64 levels',
    });
    expect(JSON.stringify(await restarted.service.backends.liveState.liveParticipants(MEETING.id))).toContain(
      'Person 1',
    );
  });
});
