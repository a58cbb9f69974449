// The backends a job runs on (its engine and archive): BigQuery + Cloud Storage, or DuckDB + files under DATA_DIR.
// Inside a running `serve` the jobs get a connection on the service's own DuckDB instance instead.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSqlEngine, dataPaths } from '../core/adapters/create-backends.ts';
import { createFileArchive } from '../core/adapters/local/file-archive.ts';
import { requireSettings, type Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Archive } from '../core/ports.ts';
import type { SqlEngine } from '../core/warehouse/sql-engine.ts';

export interface JobBackends {
  engine: SqlEngine;
  archive: Archive;
  dataset?: string;
}

/** A DATA_DIR without the archive folder or the warehouse file of zoom-tracker. */
export class NoArchiveError extends Error {
  override name = 'NoArchiveError';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** True when DATA_DIR holds zoom-tracker data (the raw archive folder or the warehouse file). */
export async function holdsZoomTrackerData(config: Config): Promise<boolean> {
  const paths = dataPaths(config);
  return (await exists(paths.gcs)) || (await exists(paths.warehouse));
}

export async function openJobBackends(config: Config, log: Logger): Promise<JobBackends> {
  if (config.BACKEND === 'gcp') {
    requireSettings(config, ['GCP_PROJECT_ID', 'GCS_BUCKET'], 'for the jobs with BACKEND=gcp');
    const { createGcsArchive } = await import('../core/adapters/gcp/gcs-archive.ts');
    const archive = createGcsArchive(config, log);
    return { engine: await createSqlEngine(config, archive, log), archive, dataset: config.BQ_DATASET };
  }
  const paths = dataPaths(config);
  if (!(await holdsZoomTrackerData(config))) {
    throw new NoArchiveError(
      `no archive under ${resolve(config.DATA_DIR)} (no gcs/ folder or warehouse.duckdb): set DATA_DIR to the folder \`zoom-tracker serve\` uses`,
    );
  }
  const archive = createFileArchive(paths.gcs);
  try {
    return { engine: await createSqlEngine(config, archive, log), archive };
  } catch (err) {
    if (/lock/i.test((err as Error).message)) {
      throw new Error(
        `${resolve(paths.warehouse)} is in use by another process that is not a zoom-tracker serve (${(err as Error).message.split('\n')[0]})`,
        { cause: err },
      );
    }
    throw err;
  }
}
