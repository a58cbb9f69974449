// Load generator running in a worker thread (its own event loop, the second core): sends signed
// requests closed-loop (fixed concurrency) or open-loop (fixed rate) and returns latencies.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadJob {
  url: string;
  bodies: string[];
  headers: Record<string, string>[];
  concurrency: number;
  /** Requests per second for open-loop runs; 0 = saturate with `concurrency` in flight. */
  rate: number;
  /** Open-loop runs stop sending once another thread sets element 0 to 1. */
  stop?: Int32Array;
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
  elapsedMs: number;
}

const job = workerData as LoadJob;
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
const target = new URL(job.url);

function send(i: number): Promise<[number, number]> {
  const body = job.bodies[i] ?? '';
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { ...job.headers[i], 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve([res.statusCode ?? 0, performance.now() - start]));
      },
    );
    req.on('error', () => resolve([0, performance.now() - start]));
    req.end(body);
  });
}

async function run(): Promise<LoadResult> {
  const latenciesMs: number[] = new Array<number>(job.bodies.length);
  const statuses: Record<string, number> = {};
  const record = ([status, ms]: [number, number], i: number) => {
    latenciesMs[i] = ms;
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const began = performance.now();
  if (job.rate > 0) {
    const pending: Promise<void>[] = [];
    const interval = 1000 / job.rate;
    for (let i = 0; i < job.bodies.length; i++) {
      if (job.stop && Atomics.load(job.stop, 0) === 1) {
        latenciesMs.length = i;
        break;
      }
      const due = began + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(send(i).then((r) => record(r, i)));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    const lanes = Array.from({ length: job.concurrency }, async () => {
      while (next < job.bodies.length) {
        const i = next++;
        record(await send(i), i);
      }
    });
    await Promise.all(lanes);
  }
  agent.destroy();
  return { latenciesMs, statuses, elapsedMs: performance.now() - began };
}

run().then((r) => parentPort?.postMessage(r));
