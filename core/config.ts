// The one configuration schema (every setting is listed in README.md): parsed once from an env-like
// object into a frozen, typed Config; every problem is reported together in a single ConfigError.
import { z } from 'zod';
import { cronProblem, SCHEDULE_DEFAULTS } from './schedules.ts';
import { RETENTION_DEFAULTS as KEEP, retentionDays } from './retention-settings.ts';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegative = z.coerce.number().min(0);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

const url = z.string().trim().refine(isUrl, 'must be an absolute URL');
const schedule = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const configSchema = z
  .object({
    PORT: port.default(8080),
    /** Listen address; unset: 127.0.0.1 on the embedded default, every interface on gcp (listen-address.ts). */
    HOST: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:-]+$/, 'must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0')
      .optional(),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    BACKEND: z.enum(['local', 'gcp']).default('local'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

    ZOOM_WEBHOOK_SECRET_TOKEN: optionalString,
    WEBHOOK_TIMESTAMP_TOLERANCE_S: positiveInt.default(300),
    ZM_CLIENT_ID: optionalString,
    ZM_CLIENT_SECRET: optionalString,
    ZOOM_ACCOUNT_ID: optionalString,
    ZOOM_CLIENT_ID: optionalString,
    ZOOM_CLIENT_SECRET: optionalString,
    ZOOM_API_BASE_URL: url.default('https://api.zoom.us/v2'),
    ZOOM_OAUTH_TOKEN_URL: url.default('https://zoom.us/oauth/token'),
    ZOOM_HEAVY_REQUESTS_PER_SECOND: z.coerce.number().positive().default(1),
    ZOOM_DAILY_HEAVY_BUDGET: positiveInt.default(1000),

    GCP_PROJECT_ID: optionalString,
    GCS_BUCKET: optionalString,
    BQ_DATASET: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only')
      .default('zoom_tracker'),
    BQ_LOCATION: optionalString,
    PUBSUB_TOPIC: optionalString,
    FIRESTORE_DATABASE: z.string().trim().min(1).default('(default)'),
    FIRESTORE_EMULATOR_HOST: optionalString,
    PUBSUB_EMULATOR_HOST: optionalString,
    STORAGE_EMULATOR_HOST: optionalString,
    BIGQUERY_API_ENDPOINT: optionalString,

    AWS_REGION: z.string().trim().min(1).default('us-east-1'),
    S3_BUCKET: optionalString,
    S3_ENDPOINT: optionalString,

    REPORT_TIMEZONE: z
      .string()
      .trim()
      .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Berlin')
      .default('UTC'),
    /** Cron in REPORT_TIMEZONE: Cloud Scheduler in production, the running `serve` on the embedded default. */
    BACKFILL_SCHEDULE: schedule.default(SCHEDULE_DEFAULTS.BACKFILL_SCHEDULE),
    REPORT_SCHEDULE: schedule.default(SCHEDULE_DEFAULTS.REPORT_SCHEDULE),
    EXPORT_SCHEDULE: schedule.default(SCHEDULE_DEFAULTS.EXPORT_SCHEDULE),
    /** Cron in REPORT_TIMEZONE of the retention job inside `serve` (embedded default only). */
    RETENTION_SCHEDULE: schedule.default(SCHEDULE_DEFAULTS.RETENTION_SCHEDULE),
    FFMPEG_PATH: z.string().trim().min(1).default('ffmpeg'),
    FFPROBE_PATH: z.string().trim().min(1).default('ffprobe'),

    STATE_TTL_DAYS: positiveInt.default(7),
    /** Days the live state of an ended meeting (and of a person who left) is kept after the end. */
    RETENTION_LIVE_STATE_DAYS: positiveInt.default(1),
    /** How long each kind of data is kept: whole days or `forever` (core/retention-settings.ts). */
    RETENTION_RAW_DAYS: retentionDays(KEEP.rawDays),
    RETENTION_QUARANTINE_DAYS: retentionDays(KEEP.quarantineDays),
    RETENTION_WAREHOUSE_DAYS: retentionDays(KEEP.warehouseDays),
    RETENTION_RECORDINGS_DAYS: retentionDays(KEEP.recordingsDays),
    RETENTION_EXPORTS_DAYS: retentionDays(KEEP.exportsDays),
    RTMS_VIDEO_FPS: z.coerce.number().int().min(6).max(30).default(25),
    RTMS_VIDEO_RESOLUTION: z.enum(['sd', 'hd', 'fhd']).default('hd'),
    RTMS_MAX_STREAMS: positiveInt.default(200),
    /** Hosts RTMS sockets may open (`*.zoom.us` = any host under zoom.us); ws:// only to a listed loopback host. */
    RTMS_ALLOWED_HOSTS: z
      .string()
      .default('*.zoom.us')
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== ''),
      )
      .pipe(
        z
          .array(z.string().regex(/^(\*\.)?[a-z0-9.:[\]-]+$/, 'host names, IPs or *.domain, comma-separated'))
          .min(1, 'must name at least one host'),
      ),
    WORKER_PUSH_AUDIENCE: optionalString,
    WORKER_ID: optionalString,
    /** Shared secret a push to the worker must carry as `Authorization: Bearer …` (locally generated when unset). */
    WORKER_PUSH_SECRET: optionalString,
    /** Local multi-process mode: where a stopping worker posts its handover messages (a peer's /pubsub/push). */
    RTMS_HANDOVER_PUSH_URL: optionalString,

    ATTENDANCE_LATE_AFTER_MINS: nonNegative.default(5),
    ATTENDANCE_LEFT_EARLY_BEFORE_MINS: nonNegative.default(5),
    ATTENDANCE_MIN_PRESENCE_PERCENT: z.coerce.number().min(0).max(100).default(50),

    DASHBOARD_TOKEN: optionalString,
    /** Key of the pseudonyms `erase` writes (locally generated when unset; required on gcp by `erase`). */
    ERASURE_SECRET: optionalString,
    ROSTER_FILE: optionalString,
  })
  .superRefine((c, ctx) => {
    if (c.BACKEND === 'gcp') {
      for (const key of ['GCP_PROJECT_ID', 'GCS_BUCKET', 'PUBSUB_TOPIC'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when BACKEND=gcp' });
      }
    }
    if (Boolean(c.ZM_CLIENT_ID) !== Boolean(c.ZM_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZM_CLIENT_SECRET'],
        message: 'ZM_CLIENT_ID and ZM_CLIENT_SECRET go together',
      });
    }
  });

export type Config = Readonly<z.output<typeof configSchema>>;
export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown with every configuration problem listed, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; keys the schema does not know are ignored. */
export function parseConfig(env: Env): Config {
  const known: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') known[key] = value;
  }
  const result = configSchema.safeParse(known);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = i.path.join('.') || '(config)';
        const given =
          typeof i.path[0] === 'string' && known[i.path[0]] !== undefined
            ? ` (got "${redact(i.path[0], known[i.path[0]] ?? '')}")`
            : '';
        return `${key} ${i.message}${given}`;
      }),
    );
  }
  return Object.freeze(result.data);
}

/** Names a missing setting for a command that needs it, as a ConfigError. */
export function requireSettings<K extends keyof Config>(
  config: Config,
  keys: readonly K[],
  why: string,
): void {
  const missing = keys.filter((k) => config[k] === undefined || config[k] === '');
  if (missing.length > 0) throw new ConfigError(missing.map((k) => `${String(k)} is required ${why}`));
}

const SECRET_KEYS = /SECRET|TOKEN|PASSWORD|KEY/;
function redact(key: string, value: string): string {
  return SECRET_KEYS.test(key) ? '***' : value;
}
