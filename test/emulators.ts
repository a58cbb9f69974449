// Starts the Google Cloud SDK's Firestore and Pub/Sub emulators with `java` directly on a free
// loopback port, waits until they answer HTTP, and stops them by process group. Test-only.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const SDK = '/usr/lib/google-cloud-sdk/platform';
const FIRESTORE_JAR = `${SDK}/cloud-firestore-emulator/cloud-firestore-emulator.jar`;
const PUBSUB_LIB = `${SDK}/pubsub-emulator/lib`;

export interface Emulator {
  /** `127.0.0.1:<port>`, the value of FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST. */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Overrides the jar path (default: the Debian google-cloud-cli-*-emulator packages). */
  jar?: string;
  readyTimeoutMs?: number;
}

/** Firestore in native mode. */
export async function startFirestoreEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const jar = opts.jar ?? FIRESTORE_JAR;
  const port = await freePort();
  return launch('firestore', jar, port, opts.readyTimeoutMs, [
    '-Duser.language=en',
    '-cp',
    jar,
    'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
    'start',
    '--host=127.0.0.1',
    `--port=${port}`,
  ]);
}

export async function startPubSubEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const jar = opts.jar ?? findPubSubJar();
  const port = await freePort();
  return launch('pubsub', jar, port, opts.readyTimeoutMs, [
    '-jar',
    jar,
    '--host=127.0.0.1',
    `--port=${port}`,
  ]);
}

function findPubSubJar(): string {
  const name = existsSync(PUBSUB_LIB)
    ? readdirSync(PUBSUB_LIB).find((f) => /^cloud-pubsub-emulator-.*-all\.jar$/.test(f))
    : undefined;
  return name ? join(PUBSUB_LIB, name) : `${PUBSUB_LIB}/cloud-pubsub-emulator-all.jar`;
}

async function launch(
  kind: string,
  jar: string,
  port: number,
  readyTimeoutMs = 60_000,
  args: string[],
): Promise<Emulator> {
  if (!existsSync(jar)) {
    throw new Error(
      `${kind} emulator jar not found at ${jar}: install google-cloud-cli-${kind === 'pubsub' ? 'pubsub' : 'firestore'}-emulator and a Java runtime`,
    );
  }
  // detached: the JVM leads its own process group, so stop() can signal it and anything it forks.
  const child = spawn('java', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (err) => output.push(String(err)));
  const host = `127.0.0.1:${port}`;
  // If the test process dies without calling stop(), the JVM must not outlive it.
  const killOnExit = (): void => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);
  const emulator: Emulator = {
    host,
    pid: child.pid ?? -1,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopGroup(child, exited);
    },
  };
  try {
    await waitReady(host, exited, readyTimeoutMs);
  } catch (err) {
    await emulator.stop();
    throw new Error(
      `${kind} emulator did not start: ${(err as Error).message}\n${output.join('').slice(-2000)}`,
    );
  }
  return emulator;
}

async function waitReady(host: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code ?? -1));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`process exited with ${gone}`);
    try {
      const res = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A port the OS just handed out on 127.0.0.1 (released before the emulator binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
