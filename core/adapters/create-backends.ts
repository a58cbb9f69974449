// The one backend factory: chooses the adapters for BACKEND=local (files, DuckDB, in-process state
// and queue) or BACKEND=gcp (Cloud Storage, BigQuery, Firestore, Pub/Sub), and the SQL engine the
// jobs and the report view query. Production modules load lazily so the embedded default starts
// without the Google clients.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Archive, LeaseStore, LiveState, MediaStore, Queue, Warehouse } from '../ports.ts';
import type { ReadEngine, SqlEngine } from '../warehouse/sql-engine.ts';
import { createFileArchive } from './local/file-archive.ts';
import { createMemoryQueue, type MemoryQueue } from './local/memory-queue.ts';

export interface Backends {
  archive: Archive;
  warehouse: Warehouse;
  liveState: LiveState;
  queue: Queue;
  /** Set only for the embedded default: the worker subscribes to it in-process. */
  localQueue?: MemoryQueue;
  /**
   * What the report view reads with, opened on first use: BigQuery on gcp; on the embedded default
   * the warehouse's own reader (a second DuckDB instance on the same file would corrupt it).
   */
  readEngine(): Promise<ReadEngine>;
  /**
   * A SQL engine for one job run in this process, closed by the job: BigQuery on gcp; on the
   * embedded default its own connection on the warehouse's DuckDB instance.
   */
  jobEngine(): Promise<SqlEngine>;
  close(): Promise<void>;
}

export function dataPaths(config: Config): {
  gcs: string;
  s3: string;
  warehouse: string;
  captures: string;
  leases: string;
} {
  return {
    gcs: join(config.DATA_DIR, 'gcs'),
    s3: join(config.DATA_DIR, 's3'),
    warehouse: join(config.DATA_DIR, 'warehouse.duckdb'),
    captures: join(config.DATA_DIR, 'captures'),
    leases: join(config.DATA_DIR, 'leases'),
  };
}

export async function createBackends(
  config: Config,
  log: Logger,
  now: () => number = Date.now,
): Promise<Backends> {
  if (config.BACKEND === 'gcp') {
    const [
      { createGcsArchive },
      { createBigQueryWarehouse },
      { createFirestoreLiveState },
      { createPubSubQueue },
    ] = await Promise.all([
      import('./gcp/gcs-archive.ts'),
      import('./gcp/bigquery-warehouse.ts'),
      import('./gcp/firestore-live-state.ts'),
      import('./gcp/pubsub-queue.ts'),
    ]);
    const archive = createGcsArchive(config, log);
    const warehouse = createBigQueryWarehouse(config, log);
    const liveState = createFirestoreLiveState(config, log, {
      now,
      lateAfterMins: config.ATTENDANCE_LATE_AFTER_MINS,
    });
    const queue = createPubSubQueue(config, log);
    let engine: Promise<SqlEngine> | undefined;
    return {
      archive,
      warehouse,
      liveState,
      queue,
      readEngine: () => (engine ??= createSqlEngine(config, archive, log)),
      jobEngine: () => createSqlEngine(config, archive, log),
      async close() {
        await Promise.allSettled([warehouse.close(), liveState.close(), queue.close()]);
      },
    };
  }
  const paths = dataPaths(config);
  const [{ createDuckDbWarehouse }, { createMemoryLiveState }] = await Promise.all([
    import('./local/duckdb-warehouse.ts'),
    import('./local/memory-live-state.ts'),
  ]);
  const archive = createFileArchive(paths.gcs);
  const warehouse = await createDuckDbWarehouse(paths.warehouse, log);
  const liveState = createMemoryLiveState({
    now,
    ttlDays: config.STATE_TTL_DAYS,
    endedDays: config.RETENTION_LIVE_STATE_DAYS,
    lateAfterMins: config.ATTENDANCE_LATE_AFTER_MINS,
  });
  const localQueue = createMemoryQueue(log);
  return {
    archive,
    warehouse,
    liveState,
    queue: localQueue,
    localQueue,
    readEngine: async () => warehouse.reader,
    jobEngine: async () => {
      const { createDuckDbEngine } = await import('./local/duckdb-engine.ts');
      return createDuckDbEngine({ path: paths.warehouse, instance: warehouse.instance, archive });
    },
    async close() {
      await localQueue.close();
      await Promise.allSettled([warehouse.close(), liveState.close()]);
    },
  };
}

/**
 * A SQL engine of its own (the jobs'): BigQuery jobs on gcp; on the embedded default a DuckDB
 * instance on DATA_DIR's warehouse file (only where no `serve` holds it: inside serve, jobs borrow its connection).
 */
export async function createSqlEngine(config: Config, archive: Archive, log: Logger): Promise<SqlEngine> {
  if (config.BACKEND === 'gcp') {
    const { createBigQueryEngine } = await import('./gcp/bigquery-engine.ts');
    return createBigQueryEngine({
      projectId: config.GCP_PROJECT_ID ?? '',
      dataset: config.BQ_DATASET,
      bucket: config.GCS_BUCKET ?? '',
      archive,
      log,
      ...(config.BQ_LOCATION && { location: config.BQ_LOCATION }),
      ...(config.BIGQUERY_API_ENDPOINT && { apiEndpoint: config.BIGQUERY_API_ENDPOINT }),
    });
  }
  const { createDuckDbEngine } = await import('./local/duckdb-engine.ts');
  return createDuckDbEngine({ path: dataPaths(config).warehouse, archive });
}

/** The recordings store a job reaches: always on the embedded default, on gcp only with S3_BUCKET. */
export async function jobMediaStore(config: Config, log: Logger): Promise<MediaStore | undefined> {
  return config.BACKEND === 'local' || config.S3_BUCKET ? createMediaStore(config, log) : undefined;
}

export async function createMediaStore(config: Config, log: Logger): Promise<MediaStore> {
  if (config.BACKEND === 'gcp' || config.S3_BUCKET) {
    const { createS3MediaStore } = await import('./s3-media-store.ts');
    return createS3MediaStore(config, log);
  }
  const { createLocalMediaStore } = await import('./local/local-media-store.ts');
  return createLocalMediaStore(dataPaths(config).s3);
}

/** Firestore in production; locally one lock file per stream under $DATA_DIR/leases/, so several worker processes share streams safely. */
export async function createLeaseStore(config: Config, log: Logger): Promise<LeaseStore> {
  if (config.BACKEND === 'gcp') {
    const { createFirestoreLeaseStore } = await import('./gcp/firestore-lease-store.ts');
    return createFirestoreLeaseStore(config, log);
  }
  const { createFileLeaseStore } = await import('./local/file-lease-store.ts');
  return createFileLeaseStore(dataPaths(config).leases);
}
