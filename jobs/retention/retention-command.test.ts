// The `retention` command on the embedded default: its options, `--dry-run`, and `--date D` (as it
// stood at the end of D, which the scheduler passes) on a DATA_DIR opened as the CLI opens it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from '../../core/adapters/local/file-archive.ts';
import { parseConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import { UsageError } from '../job-args.ts';
import { retentionCommand } from './retention-command.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-retention-cmd-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

// With the default 90 days: the first day kept is 2025-11-06 at noon UTC on 2026-02-04.
const NOW = Date.parse('2026-02-04T12:00:00Z');
const KEY = 'quarantine/2025-11-05/ab.bin';

async function run(argv: string[]): Promise<string[]> {
  const config = parseConfig({ DATA_DIR: dir, REPORT_TIMEZONE: 'Europe/Berlin' });
  await retentionCommand.run(argv, { config, log: silentLogger(), env: {}, now: () => NOW });
  const out: string[] = [];
  for await (const k of createFileArchive(join(dir, 'gcs')).list('quarantine/')) out.push(k);
  return out;
}

describe('zoom-tracker retention', () => {
  it('checks its options: --dry-run and --date, nothing else', () => {
    expect(retentionCommand.check(['--dry-run', '--date=2026-02-03'], '/x')).toEqual([
      '--date',
      '2026-02-03',
      '--dry-run',
    ]);
    expect(() => retentionCommand.check(['--force'], '/x')).toThrow(
      new UsageError('unknown option "--force" (options: --date, --dry-run)'),
    );
    expect(() => retentionCommand.check(['--date', '2026-02-30'], '/x')).toThrow(/2026-02-30/);
  });

  it('--dry-run deletes nothing; a run deletes the expired key', async () => {
    await createFileArchive(join(dir, 'gcs')).put(KEY, Buffer.from('x'), 'application/octet-stream');
    expect(await run(['--dry-run'])).toEqual([KEY]);
    expect(await run([])).toEqual([]);
  });

  it('--date D judges as at the end of D (never later than now)', async () => {
    await createFileArchive(join(dir, 'gcs')).put(KEY, Buffer.from('x'), 'application/octet-stream');
    // End of 2026-02-02 in Berlin: 2026-02-02T23:00Z, first day kept 2025-11-04.
    expect(await run(['--date', '2026-02-02'])).toEqual([KEY]);
    // A date after today is now.
    expect(await run(['--date', '2026-03-01'])).toEqual([]);
  });
});
