// What the scheduler remembers across restarts, in $DATA_DIR/schedule.json: per job the instant up
// to which every fire ran without error (catch-up starts after it) and the outcome of its last run.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunRecord } from '../../core/schedules.ts';

export interface JobState {
  /** Every fire up to this instant ran without error (ISO); set to the start time on first start. */
  doneUntil?: string;
  lastRun?: RunRecord;
}

export interface ScheduleState {
  jobs: Record<string, JobState>;
}

export interface ScheduleStateStore {
  load(): Promise<ScheduleState>;
  save(state: ScheduleState): Promise<void>;
}

export function fileStateStore(path: string): ScheduleStateStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { jobs: {} };
        throw err;
      }
      try {
        const parsed = JSON.parse(text) as Partial<ScheduleState>;
        return { ...parsed, jobs: parsed.jobs ?? {} };
      } catch {
        // A torn file (crash while writing without rename support) starts afresh rather than blocking serve.
        return { jobs: {} };
      }
    },
    async save(state) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
      await rename(tmp, path);
    },
  };
}
