// The dashboard's server-sent events on both live-state stores: the in-process one and Firestore
// (on the Google Cloud SDK emulator, started with java). A client connected to /events gets a
// snapshot at once, a new one after state changes, and one when a pending move settles, without polling.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestoreLiveState } from '../../core/adapters/gcp/firestore-live-state.ts';
import { createMemoryLiveState } from '../../core/adapters/local/memory-live-state.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import type { LiveState } from '../../core/ports.ts';
import type { StateEvent } from '../../core/zoom/types.ts';
import { startFirestoreEmulator, type Emulator } from '../../test/emulators.ts';
import { MOVE_GRACE_MS } from '../../core/state/settle.ts';
import { createLiveEvents, reportDatesOf, type LiveSnapshot } from './live-events.ts';

const T0 = Date.now() - 3_600_000;
const UUID = 'sse/Meeting+1==';
let seq = 0;
const ev = (action: string, atS: number, extra: Partial<StateEvent> = {}): StateEvent => ({
  eventId: `sse-${++seq}`,
  type: `t.${action}`,
  action,
  at: T0 + atS * 1000,
  ts: T0 + atS * 1000 + 5,
  meetingUuid: UUID,
  meetingId: '81111111111',
  ...extra,
});
const ana = { participantKey: 'pu-ana', participantUuid: 'pu-ana', name: 'Ana', userId: '100' };

/** Serves /events for a live state and reads snapshots off one connection. */
async function sseClient(liveState: LiveState) {
  const events = createLiveEvents(liveState, silentLogger(), { throttleMs: 20 });
  const server: Server = createServer((req, res) =>
    events.handle(req, res, new URL(req.url ?? '/', 'http://x')),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, {
    signal: abort.signal,
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const snapshots: LiveSnapshot[] = [];
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: state\ndata: (.*)$/ms.exec(frame)?.[1];
        if (data) snapshots.push(JSON.parse(data) as LiveSnapshot);
      }
    }
  })();
  return {
    snapshots,
    async until(pred: (s: LiveSnapshot) => boolean): Promise<LiveSnapshot> {
      await expect.poll(() => snapshots.some(pred), { timeout: 10_000 }).toBe(true);
      return snapshots.find(pred)!;
    },
    async close() {
      abort.abort();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function changesLive(liveState: LiveState): Promise<void> {
  const client = await sseClient(liveState);
  try {
    const first = await client.until(() => true);
    expect(first.meetings).toEqual([]);
    await liveState.apply([ev('MEETING_START', 0, { topic: 'SSE test' }), ev('JOIN', 10, ana)]);
    const joined = await client.until(
      (s) => s.view?.participants.some((p) => p.name === 'Ana' && p.location === 'main') ?? false,
    );
    expect(joined.selected).toBe(UUID);
    expect(joined.view?.stats.inMeeting).toBe(1);
    await liveState.apply([
      ev('LEAVE_TO_BREAKOUT', 60, { ...ana, leaveReason: 'left the meeting to join a breakout room' }),
      ev('JOIN', 60, { ...ana, userId: '200', parentUserId: '100', roomUuid: 'room-1' }),
    ]);
    const moved = await client.until((s) => s.view?.stats.breakout === 1);
    expect(moved.view?.participants[0]).toMatchObject({ location: 'breakout', roomName: 'Room-1' });

    // A lone leave is "transit" while its move partner may still come; the view is sent again when
    // that time is over, with no new event.
    const leftAt = Date.now() - MOVE_GRACE_MS + 1000;
    await liveState.apply([
      {
        ...ev('LEAVE', 0, { ...ana, leaveReason: 'left the meeting. Reason : left the meeting' }),
        at: leftAt,
        ts: leftAt,
      },
    ]);
    const transit = await client.until((s) => s.view?.participants[0]?.location === 'transit');
    expect(transit.view?.refreshAt).toBe(new Date(leftAt + MOVE_GRACE_MS).toISOString());
    const settled = await client.until((s) => s.view?.participants[0]?.location === 'left');
    expect(settled.view?.stats.inMeeting).toBe(0);
    expect(settled.view?.notices[0]).toMatchObject({ kind: 'left', at: new Date(leftAt).toISOString() });
  } finally {
    await client.close();
  }
}

describe('live events', () => {
  it('in-process live state: a snapshot at once, and one after each change', async () => {
    const state = createMemoryLiveState({ now: Date.now, ttlDays: 7 });
    await changesLive(state);
    await state.close();
  });

  describe('on Firestore (emulator)', () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await startFirestoreEmulator();
    });
    afterAll(async () => {
      await emulator?.stop();
    });

    it('Firestore live state: the same, driven by its snapshot listeners', async () => {
      const config = parseConfig({
        GCP_PROJECT_ID: `sse-${randomUUID()}`,
        FIRESTORE_EMULATOR_HOST: emulator.host,
      });
      const state = createFirestoreLiveState(config, silentLogger(), { watchDebounceMs: 20 });
      await changesLive(state);
      await state.close();
    }, 60_000);
  });
});

describe('report links of an ended meeting', () => {
  const summary = (startedAt: string, endedAt?: string) => ({
    meetingUuid: 'u',
    meetingKey: 'u',
    status: endedAt ? ('ended' as const) : ('started' as const),
    scheduled: false,
    startedAt,
    ...(endedAt && { endedAt }),
    recording: 'none' as const,
    rtmsStreams: [],
    counts: { inMeeting: 0, main: 0, breakout: 0, byRoom: {}, waitingRoom: 0, cameraOn: 0, sharing: 0 },
  });
  it.each([
    ['still running: none', '2026-02-03T09:00:00Z', undefined, 'UTC', []],
    ['one day', '2026-02-03T09:00:00Z', '2026-02-03T10:00:00Z', 'UTC', ['2026-02-03']],
    ['across midnight', '2026-02-03T23:55:56Z', '2026-02-04T00:03:26Z', 'UTC', ['2026-02-03', '2026-02-04']],
    ['in the report time zone', '2026-02-03T23:30:00Z', '2026-02-04T00:30:00Z', 'Asia/Seoul', ['2026-02-04']],
  ])('%s', (_n, start, end, tz, dates) => {
    expect(reportDatesOf(summary(start, end), tz)).toEqual(dates);
  });
});
