// The benchmarks' webhook load: unique, realistic signed deliveries (meetings with people joining,
// hopping breakout rooms and leaving, a day of them), shared by bench/webhook.ts and webhook-stages.ts.
import { signedHeaders } from '../../core/zoom/signature.ts';
import { zoom, type MeetingRef, type Person } from '../../demo/simulator/zoom-events.ts';

export const BENCH_SECRET = 'bench-secret';

/** Each seed's meetings start 90 s apart over the past day and last about 22 minutes. */
export function* generateEvents(seed: number): Generator<Record<string, unknown>> {
  const base = Date.now() - 24 * 3_600_000 + (seed % 100) * 60_000;
  for (let m = 0; ; m++) {
    const meeting: MeetingRef = {
      id: String(80_000_000_000 + seed * 1e6 + m),
      uuid: `bench-${seed}-${m}==`,
      topic: `Bench ${m}`,
      hostId: 'host',
      startTime: new Date(base).toISOString(),
    };
    const t = base + m * 90_000;
    yield zoom.meetingStarted(meeting, t);
    for (let p = 0; p < 20; p++) {
      const person: Person = {
        name: `Person ${p}`,
        email: `p${p}@example.com`,
        uuid: `uuid-${seed}-${m}-${p}`,
        userId: String(16_000_000 + p),
      };
      const at = t + p * 10;
      yield zoom.joined(meeting, person, at);
      yield zoom.leftToBreakout(meeting, person, at + 60_000);
      yield zoom.joinedRoom(meeting, person, `room-${p % 4}`, at + 60_000);
      yield zoom.leftRoom(meeting, person, `room-${p % 4}`, at + 600_000);
      yield zoom.joined(meeting, person, at + 600_001);
      yield zoom.left(meeting, person, at + 1_200_000);
    }
    if (m % 4 === 0) yield zoom.rtmsStarted(meeting, `stream-${seed}-${m}`, 'wss://rtms.zoom.us/m', t + 5);
    yield zoom.meetingEnded(meeting, t + 1_300_000);
  }
}

/** `count` signed deliveries of seed `seed`, signed for now. */
export function signedBatch(
  count: number,
  seed: number,
): { bodies: string[]; headers: Record<string, string>[] } {
  const gen = generateEvents(seed);
  const bodies: string[] = [];
  const headers: Record<string, string>[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify(gen.next().value);
    bodies.push(body);
    headers.push(signedHeaders(BENCH_SECRET, Buffer.from(body), now));
  }
  return { bodies, headers };
}
