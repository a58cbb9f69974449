// Runs the load generator in a worker thread and summarises the result.
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadResult } from './load-worker.ts';

export interface LoadSummary {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

export function runLoad(job: LoadJob): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    // Node 20 will not start a worker from a .ts file: bootstrap it through tsx.
    const entry = new URL('./load-worker.ts', import.meta.url).href;
    const bootstrap = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: job });
    worker.once('error', reject);
    worker.once('message', (r: LoadResult) => {
      void worker.terminate();
      const sorted = [...r.latenciesMs].sort((a, b) => a - b);
      const q = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
      resolve({
        requests: sorted.length,
        perSecond: Math.round((sorted.length / r.elapsedMs) * 1000),
        p50: q(0.5),
        p99: q(0.99),
        max: q(1),
        statuses: r.statuses,
      });
    });
  });
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function mib(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}
