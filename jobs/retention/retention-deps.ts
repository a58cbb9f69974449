// Which stores the retention job handles on each backend. Embedded default: all of them. Google
// Cloud: only the recordings in S3, which Terraform does not manage (lifecycle rules, partition
// expiration and Firestore TTL delete the rest).
import { jobMediaStore } from '../../core/adapters/create-backends.ts';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive, LiveState, MediaStore } from '../../core/ports.ts';
import { retentionSettingsOf } from '../../core/retention-settings.ts';
import type { SqlEngine } from '../../core/warehouse/sql-engine.ts';
import type { RetentionDeps } from './run-retention.ts';
import { enginePartitions } from './warehouse-partitions.ts';

export interface RetentionStores {
  archive?: Archive;
  engine?: SqlEngine;
  /** The in-process live state, inside `serve`. */
  liveState?: LiveState;
  /** Default: the store the config names (files under $DATA_DIR/s3/, or S3 when S3_BUCKET is set). */
  media?: MediaStore;
}

export async function retentionDeps(
  ctx: { config: Config; log: Logger; now: () => number },
  stores: RetentionStores,
): Promise<RetentionDeps> {
  const { config, log, now } = ctx;
  const settings = retentionSettingsOf(config);
  const media = stores.media ?? (await jobMediaStore(config, log));
  if (config.BACKEND === 'gcp') return { settings, log, now, ...(media && { media }) };
  return {
    settings,
    log,
    now,
    ...(media && { media }),
    ...(stores.archive && { archive: stores.archive }),
    ...(stores.engine && { partitions: enginePartitions(stores.engine) }),
    ...(stores.liveState && { liveState: stores.liveState }),
  };
}
