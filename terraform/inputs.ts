// The few inputs one environment is synthesized from (ZT_* environment variables, see README.md),
// parsed once into a frozen object; every problem is reported together.
import { z } from 'zod';
import { cronProblem, SCHEDULE_DEFAULTS, type ScheduleSetting } from '../core/schedules.ts';
import {
  RETENTION_DEFAULTS as KEEP,
  retentionDays,
  retentionSettingsOf,
  type RetentionSettings,
} from '../core/retention-settings.ts';

/** Env var names of the Secret Manager secrets, as the services read them (core/config.ts + AWS chain). */
export const SECRET_ENV_NAMES = [
  'ZOOM_WEBHOOK_SECRET_TOKEN',
  'ZM_CLIENT_ID',
  'ZM_CLIENT_SECRET',
  'ZOOM_ACCOUNT_ID',
  'ZOOM_CLIENT_ID',
  'ZOOM_CLIENT_SECRET',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  // Bearer token of the live-state API and dashboard: the webhook is public, live names are not.
  'DASHBOARD_TOKEN',
  // Key of the pseudonyms `erase` writes (HMAC): set once, never changed, or pseudonyms change.
  'ERASURE_SECRET',
] as const;
export type SecretEnvName = (typeof SECRET_ENV_NAMES)[number];

const count = z.coerce.number().int().min(0);
// The daily schedules are checked by the same parser, with the same defaults, as the running `serve`.
const cron = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const bool = z.enum(['true', 'false']).transform((s) => s === 'true');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  ZT_PROJECT_ID: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a GCP project id'),
  ZT_REGION: z
    .string()
    .trim()
    .regex(/^[a-z]+-[a-z]+\d$/, 'must be a region like europe-west1')
    .default('us-central1'),
  ZT_STAGE: z.enum(['foundation', 'full']).default('full'),
  ZT_IMAGE_TAG: z
    .string()
    .trim()
    .regex(/^[\w][\w.-]{0,127}$/, 'must be a docker tag')
    .optional(),
  ZT_IMAGE_REPOSITORY: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]*$/)
    .default('zoom-tracker'),
  ZT_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a bucket name')
    .optional(),
  ZT_DATASET: z.string().trim().regex(/^\w+$/, 'letters, digits and _ only').default('zoom_tracker'),
  ZT_BQ_LOCATION: z.string().trim().min(2).optional(),
  ZT_FIRESTORE_LOCATION: z.string().trim().min(2).optional(),
  ZT_FIRESTORE_DATABASE: z.string().trim().min(1).default('(default)'),
  ZT_PUBSUB_TOPIC: z
    .string()
    .trim()
    .regex(/^[A-Za-z][\w.~+%-]{2,254}$/)
    .default('zoom-tracker-rtms'),
  ZT_REPORT_TIMEZONE: z.string().trim().refine(isTimeZone, 'must be an IANA time zone').default('UTC'),
  ZT_S3_BUCKET: z.string().trim().min(3).optional(),
  ZT_AWS_REGION: z.string().trim().min(1).default('us-east-1'),
  ZT_STATE_BUCKET: z.string().trim().min(3).optional(),
  ZT_LOCAL_STATE: z.string().trim().min(1).default('terraform.zoom-tracker.tfstate'),
  ZT_PROTECT_DATA: bool.default(true),
  ZT_WEBHOOK_MIN_INSTANCES: count.default(0),
  ZT_WEBHOOK_MAX_INSTANCES: count.min(1).default(10),
  ZT_WORKER_MIN_INSTANCES: count.default(0),
  ZT_WORKER_MAX_INSTANCES: count.min(1).default(10),
  ZT_WORKER_CPU: z.enum(['1', '2', '4', '8']).default('2'),
  ZT_WORKER_MEMORY: z
    .string()
    .trim()
    .regex(/^\d+(Mi|Gi)$/)
    .default('4Gi'),
  ZT_WORKER_MAX_STREAMS: count.min(1).default(4),
  ZT_REPORT_SCHEDULE: cron.default(SCHEDULE_DEFAULTS.REPORT_SCHEDULE),
  ZT_EXPORT_SCHEDULE: cron.default(SCHEDULE_DEFAULTS.EXPORT_SCHEDULE),
  ZT_BACKFILL_SCHEDULE: cron.default(SCHEDULE_DEFAULTS.BACKFILL_SCHEDULE),
  // The same settings and defaults as RETENTION_* in core/config.ts (whole days or `forever`).
  ZT_RETENTION_RAW_DAYS: retentionDays(KEEP.rawDays),
  ZT_RETENTION_QUARANTINE_DAYS: retentionDays(KEEP.quarantineDays),
  ZT_RETENTION_WAREHOUSE_DAYS: retentionDays(KEEP.warehouseDays),
  ZT_RETENTION_RECORDINGS_DAYS: retentionDays(KEEP.recordingsDays),
  ZT_RETENTION_EXPORTS_DAYS: retentionDays(KEEP.exportsDays),
  // Live state in Firestore (its TTL policy deletes a document after its expireAt): an ended
  // meeting RETENTION_LIVE_STATE_DAYS after its end, one without an end STATE_TTL_DAYS after its start.
  ZT_RETENTION_LIVE_STATE_DAYS: count.min(1).default(1),
  ZT_STATE_TTL_DAYS: count.min(1).default(7),
});
const secretId = /^[\w-]{1,255}$/;

export interface StackInputs {
  projectId: string;
  region: string;
  /** `foundation`: everything but Cloud Run and Scheduler (first apply, before images and secret values exist). */
  stage: 'foundation' | 'full';
  imageTag: string | undefined;
  imageRepository: string;
  bucket: string;
  dataset: string;
  bqLocation: string;
  firestoreLocation: string;
  firestoreDatabase: string;
  topic: string;
  timezone: string;
  s3Bucket: string | undefined;
  awsRegion: string;
  stateBucket: string | undefined;
  /** Local state file when there is no state bucket (main.ts makes it absolute; a relative path would be taken from the stack folder). */
  localStatePath: string;
  /** Deletion protection on the bucket, dataset, tables and Firestore; false only to tear down. */
  protectData: boolean;
  webhook: { minInstances: number; maxInstances: number };
  worker: { minInstances: number; maxInstances: number; cpu: string; memory: string; maxStreams: number };
  schedules: { report: string; export: string; backfill: string };
  /** How long the bucket's prefixes and the dataset's partitions are kept (lifecycle rules, partition expiration). */
  retention: RetentionSettings;
  /** Days live state is kept: after an ended meeting's end, after an open meeting's start. */
  liveState: { endedDays: number; openDays: number };
  /** Secret Manager secret id per env var name. */
  secretIds: Readonly<Record<SecretEnvName, string>>;
}

export class InputsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid terraform inputs:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InputsError';
  }
}

/** Parses ZT_* variables; unknown keys are ignored, empty strings count as unset. */
export function parseInputs(env: Readonly<Record<string, string | undefined>>): Readonly<StackInputs> {
  const known: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') known[key] = value;
  }
  // A schedule set for `serve` (BACKFILL_SCHEDULE, REPORT_SCHEDULE, EXPORT_SCHEDULE) is the one
  // Cloud Scheduler gets too, unless ZT_<name> overrides it for the deployment.
  for (const setting of Object.keys(SCHEDULE_DEFAULTS) as ScheduleSetting[]) {
    const value = env[setting];
    if (known[`ZT_${setting}`] === undefined && value !== undefined && value.trim() !== '')
      known[`ZT_${setting}`] = value;
  }
  const result = schema.safeParse(known);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  const secretIds = Object.fromEntries(
    SECRET_ENV_NAMES.map((n) => [
      n,
      env[`ZT_SECRET_${n}`]?.trim() || `zoom-tracker-${n.toLowerCase().replaceAll('_', '-')}`,
    ]),
  ) as Record<SecretEnvName, string>;
  for (const [name, id] of Object.entries(secretIds)) {
    if (!secretId.test(id)) problems.push(`ZT_SECRET_${name} must be a Secret Manager secret id`);
  }
  if ((known.ZT_STAGE ?? 'full') === 'full') {
    if (!known.ZT_IMAGE_TAG) problems.push('ZT_IMAGE_TAG is required when ZT_STAGE=full');
    if (!known.ZT_S3_BUCKET)
      problems.push('ZT_S3_BUCKET is required when ZT_STAGE=full (the recordings bucket)');
  }
  if (!result.success || problems.length > 0) throw new InputsError(problems);
  const d = result.data;
  return Object.freeze({
    projectId: d.ZT_PROJECT_ID,
    region: d.ZT_REGION,
    stage: d.ZT_STAGE,
    imageTag: d.ZT_IMAGE_TAG,
    imageRepository: d.ZT_IMAGE_REPOSITORY,
    bucket: d.ZT_BUCKET ?? `${d.ZT_PROJECT_ID}-zoom-tracker`,
    dataset: d.ZT_DATASET,
    bqLocation: d.ZT_BQ_LOCATION ?? d.ZT_REGION,
    firestoreLocation: d.ZT_FIRESTORE_LOCATION ?? d.ZT_REGION,
    firestoreDatabase: d.ZT_FIRESTORE_DATABASE,
    topic: d.ZT_PUBSUB_TOPIC,
    timezone: d.ZT_REPORT_TIMEZONE,
    s3Bucket: d.ZT_S3_BUCKET,
    awsRegion: d.ZT_AWS_REGION,
    stateBucket: d.ZT_STATE_BUCKET,
    localStatePath: d.ZT_LOCAL_STATE,
    protectData: d.ZT_PROTECT_DATA,
    webhook: { minInstances: d.ZT_WEBHOOK_MIN_INSTANCES, maxInstances: d.ZT_WEBHOOK_MAX_INSTANCES },
    worker: {
      minInstances: d.ZT_WORKER_MIN_INSTANCES,
      maxInstances: d.ZT_WORKER_MAX_INSTANCES,
      cpu: d.ZT_WORKER_CPU,
      memory: d.ZT_WORKER_MEMORY,
      maxStreams: d.ZT_WORKER_MAX_STREAMS,
    },
    schedules: {
      report: d.ZT_REPORT_SCHEDULE,
      export: d.ZT_EXPORT_SCHEDULE,
      backfill: d.ZT_BACKFILL_SCHEDULE,
    },
    retention: retentionSettingsOf(d, 'ZT_'),
    liveState: { endedDays: d.ZT_RETENTION_LIVE_STATE_DAYS, openDays: d.ZT_STATE_TTL_DAYS },
    secretIds: Object.freeze(secretIds),
  });
}
