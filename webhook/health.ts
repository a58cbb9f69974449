// GET /health: every backend asked in parallel, each cut off after a deadline (a backend that hangs,
// like Firestore unreachable, is reported, never waited for), plus how start-up recovery went.
import type { HealthStatus } from '../core/ports.ts';
import { errorMessage } from '../core/errors.ts';

/** What start-up recovery skipped (embedded default); `ok` is false when it skipped anything. */
export interface RecoveryReport {
  ok: boolean;
  events: number;
  skipped: number;
  lastError?: string;
}

export interface HealthSources {
  archive: { health(): Promise<HealthStatus> };
  warehouse: { health(): Promise<HealthStatus> };
  liveState: { health(): Promise<HealthStatus> };
  queue: { health(): Promise<HealthStatus> };
  recovery?: () => RecoveryReport | undefined;
}

export interface HealthReply {
  /** 503 only when the archive is down: it alone makes a webhook durable. */
  status: 200 | 503;
  body: Record<string, unknown> & { status: 'ok' | 'degraded'; degraded: string[] };
}

/** Each backend gets this long; the whole answer comes within it (well inside 2 s). */
export const HEALTH_TIMEOUT_MS = 1_500;

/** Builds the /health answer; a check still running from an earlier call is joined, not repeated. */
export function createHealthCheck(
  sources: HealthSources,
  timeoutMs = HEALTH_TIMEOUT_MS,
): () => Promise<HealthReply> {
  const running = new Map<string, Promise<HealthStatus>>();

  function probe(name: keyof Omit<HealthSources, 'recovery'>): Promise<HealthStatus> {
    let check = running.get(name);
    if (!check) {
      check = Promise.resolve()
        .then(() => sources[name].health())
        .catch((err: unknown): HealthStatus => ({ ok: false, backend: name, detail: errorMessage(err) }))
        .finally(() => running.delete(name));
      running.set(name, check);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<HealthStatus>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, backend: name, detail: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    return Promise.race([check, late]).finally(() => clearTimeout(timer));
  }

  return async () => {
    const [archive, warehouse, liveState, queue] = await Promise.all([
      probe('archive'),
      probe('warehouse'),
      probe('liveState'),
      probe('queue'),
    ]);
    const recovery = sources.recovery?.();
    const parts: Record<string, { ok: boolean }> = { archive, warehouse, liveState, queue };
    if (recovery) parts['recovery'] = recovery;
    const degraded = Object.entries(parts)
      .filter(([, p]) => !p.ok)
      .map(([name]) => name);
    return {
      status: archive.ok ? 200 : 503,
      body: { status: degraded.length === 0 ? 'ok' : 'degraded', degraded, ...parts },
    };
  };
}
