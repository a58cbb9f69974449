// Every job works beside a running `serve` on the same DATA_DIR (the CLI hands it to the service
// over its loopback job channel) and gives the same CSV as when run alone; a second serve on the
// folder fails with one line naming the first. All through the real CLI.
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServeCli, type BackgroundServe } from './helpers/run-cli.ts';
import { SEED_DATE, seedFixtureArchive } from './helpers/seed-archive.ts';

const csvOf = (dir: string): Promise<string> =>
  readFile(join(dir, 'gcs', 'reports', `DAILY_REPORT_${SEED_DATE}_000000000000.csv`), 'utf8');

let tmp = '';
let alone = '';
let beside = '';
let serve: BackgroundServe | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zt-beside-'));
  alone = join(tmp, 'alone');
  beside = join(tmp, 'beside');
  await seedFixtureArchive(alone);
  await cp(alone, beside, { recursive: true });
});
afterAll(async () => {
  await serve?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const env = (dataDir: string): Record<string, string> => ({ DATA_DIR: dataDir, REPORT_TIMEZONE: 'UTC' });

async function jobs(dataDir: string): Promise<string[]> {
  const outputs: string[] = [];
  for (const argv of [
    ['replay', '--date', SEED_DATE],
    ['report', '--date', SEED_DATE],
    ['export', '--date', SEED_DATE],
  ]) {
    const r = await runCli(argv, env(dataDir));
    expect(r.code, `${argv.join(' ')}:\n${r.stdout}${r.stderr}`).toBe(0);
    outputs.push(r.stdout);
  }
  return outputs;
}

describe('jobs beside a running serve', () => {
  it('replay, report and export run alone, then beside serve on the same DATA_DIR, with the same CSV', async () => {
    const aloneOut = await jobs(alone);
    expect(aloneOut.join('')).not.toContain('handed to the running serve');
    const expected = await csvOf(alone);
    expect(expected.trim().split('\n').length).toBeGreaterThan(5);

    serve = await startServeCli(env(beside));
    const besideOut = await jobs(beside);
    for (const out of besideOut) {
      expect(out).toContain('handed to the running serve');
      expect(out).toContain(`"pid":${serve.child.pid}`);
    }
    // The job's own log lines come back to the CLI, and the service logged them too.
    expect(besideOut[1]).toContain('"message":"daily report written"');
    expect(serve.output()).toMatch(/"job":"report","from":"cli".*"message":"daily report written"/);
    expect(await csvOf(beside)).toBe(expected);
    expect(serve.child.exitCode).toBeNull();
  }, 180_000);

  it('a failing job beside serve exits 1 with its one-line reason', async () => {
    const r = await runCli(
      ['attendance', '--date', SEED_DATE, '--roster', join(tmp, 'nope.csv')],
      env(beside),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`zoom-tracker: cannot read roster ${join(tmp, 'nope.csv')}: ENOENT`);
  }, 60_000);

  it('attendance beside serve reads the roster and writes --out relative to where the CLI runs', async () => {
    await writeFile(join(tmp, 'roster.csv'), 'nobody@example.org,No,Body,1,Ops\n');
    const r = await runCli(
      ['attendance', '--date', SEED_DATE, '--roster', 'roster.csv', '--out', 'att.csv'],
      env(beside),
      60_000,
      tmp,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('handed to the running serve');
    expect(await readFile(join(tmp, 'att.csv'), 'utf8')).toMatch(/,Absent,nobody@example\.org,/);
  }, 60_000);

  it('a second serve on the same DATA_DIR fails with one line naming the first', async () => {
    const running = serve as BackgroundServe;
    const r = await runCli(['serve'], env(beside));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `zoom-tracker: another serve is already serving ${beside} on ${running.url} (pid ${running.child.pid})`,
    );
    expect(running.child.exitCode).toBeNull();
  }, 60_000);

  it('after serve stops, the lock is gone and the jobs run alone again', async () => {
    expect(await serve?.stop()).toBe(0);
    serve = undefined;
    await expect(stat(join(beside, 'serve.lock'))).rejects.toThrow(/ENOENT/);
    const r = await runCli(['report', '--date', SEED_DATE], env(beside));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('handed to the running serve');
  }, 60_000);
});
