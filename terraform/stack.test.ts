// Synthesizes the stack offline with cdktf's Testing helpers and checks what must hold: exact IAM,
// one public endpoint, OIDC on push, authenticated schedules, partitioning, TTL, secrets mounted by
// reference. The full JSON is snapshotted in __snapshots__/ and reviewed with each change.
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdktf';
import { RAW_EVENT_COLUMNS } from '../core/warehouse/raw-events.ts';
import { InputsError, SECRET_ENV_NAMES, parseInputs } from './inputs.ts';
import { STACK_NAME, ZoomTrackerStack } from './stack.ts';
import { tableSpecs } from './table-schemas.ts';

const TABLES = tableSpecs();
import { PUSH_DELIVERY } from './pubsub.ts';

type Json = Record<string, unknown>;
interface TfJson {
  resource: Record<string, Record<string, Json>>;
  output?: Record<string, { value: string }>;
  terraform: Json;
}

const BASE = {
  ZT_PROJECT_ID: 'acme-zoom-prod',
  ZT_REGION: 'europe-west1',
  ZT_IMAGE_TAG: 'v1.2.3',
  ZT_S3_BUCKET: 'acme-recordings',
  ZT_REPORT_TIMEZONE: 'Europe/Berlin',
};

function synth(env: Record<string, string> = BASE): { json: TfJson; text: string; ms: number } {
  const t0 = performance.now();
  const app = Testing.app();
  const stack = new ZoomTrackerStack(app, STACK_NAME, parseInputs(env));
  const text = Testing.synth(stack);
  return { json: JSON.parse(text) as TfJson, text, ms: performance.now() - t0 };
}

const full = synth();
const res = (type: string): Record<string, Json> => full.json.resource[type] ?? {};
const one = (type: string, name: string): Json => {
  const r = res(type)[name];
  if (!r) throw new Error(`no ${type}.${name}`);
  return r;
};
const sa = (w: string) => `serviceAccount:\${google_service_account.sa_${w}.email}`;
const AGENT =
  'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com';

/** Every IAM member grant as `type target role member`, members shortened to sa:<workload>. */
function iamGrants(json: TfJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(json.resource)) {
    if (!type.includes('_iam_')) continue;
    for (const r of Object.values(byName)) {
      const target = String(
        r.bucket ??
          r.secret_id ??
          r.table_id ??
          r.dataset_id ??
          r.topic ??
          r.subscription ??
          r.name ??
          r.service_account_id ??
          r.project,
      );
      const member = String(r.member)
        .replace(/^serviceAccount:\$\{google_service_account\.sa_(\w+)\.email\}$/, 'sa:$1')
        .replace(AGENT, 'pubsub-agent');
      out.push(
        `${type.replace(/^google_/, '')} ${target.replace(/^\$\{google_[\w]+\.([\w]+)\.[\w]+\}$/, '$1')} ${String(r.role)} ${member}`,
      );
    }
  }
  return out.sort();
}

type Container = {
  volume_mounts?: Json[];
  image: string;
  args?: string[];
  env: {
    name: string;
    value?: string;
    value_source?: { secret_key_ref: { secret: string; version: string } };
  }[];
  resources: Json;
};
const containerOf = (service: Json): Container =>
  ((service.template as Json).containers as Container[])[0] as Container;
const jobContainer = (job: Json): Container =>
  (((job.template as Json).template as Json).containers as Container[])[0] as Container;

describe('terraform stack (full stage)', () => {
  it('synthesizes offline and fast, pinned to the prebuilt provider', () => {
    expect(full.ms).toBeLessThan(10_000);
    expect(full.json.terraform.required_providers).toEqual({
      google: { source: 'google', version: '6.50.0' },
    });
  });

  it('has every resource the deployment needs', () => {
    const counts = Object.fromEntries(
      Object.entries(full.json.resource).map(([t, r]) => [t, Object.keys(r).length]),
    );
    expect(counts).toMatchObject({
      google_project_service: 10,
      google_artifact_registry_repository: 1,
      google_service_account: 6,
      google_secret_manager_secret: SECRET_ENV_NAMES.length,
      google_storage_bucket: 1,
      google_bigquery_dataset: 1,
      google_bigquery_table: TABLES.length + 3, // + the two dedupe views and raw_events_resolved
      google_firestore_database: 1,
      google_firestore_field: 9,
      google_pubsub_topic: 2,
      google_pubsub_subscription: 2,
      google_cloud_run_v2_service: 2,
      google_cloud_run_v2_job: 6,
      google_cloud_scheduler_job: 3,
    });
    expect(Object.keys(full.json.output ?? {}).sort()).toEqual([
      'bucket_name',
      'dataset_id',
      'image_base',
      'webhook_url',
      'worker_url',
    ]);
    expect(full.json.output?.webhook_url?.value).toBe(
      '${google_cloud_run_v2_service.service_webhook.uri}/webhook',
    );
  });

  it('grants exactly these roles, none of them Owner or Editor', () => {
    expect(iamGrants(full.json)).toEqual(
      [
        'bigquery_dataset_iam_member dataset roles/bigquery.dataEditor sa:jobs',
        'bigquery_dataset_iam_member dataset roles/bigquery.dataEditor sa:erase',
        'bigquery_table_iam_member table_raw_events roles/bigquery.dataEditor sa:webhook',
        'bigquery_table_iam_member table_raw_events roles/bigquery.dataEditor sa:worker',
        'bigquery_table_iam_member table_recordings roles/bigquery.dataEditor sa:worker',
        'cloud_run_v2_job_iam_member job_backfill_camera roles/run.invoker sa:scheduler',
        'cloud_run_v2_job_iam_member job_export roles/run.invoker sa:scheduler',
        'cloud_run_v2_job_iam_member job_report roles/run.invoker sa:scheduler',
        'cloud_run_v2_service_iam_member service_rtms_worker roles/run.invoker sa:push',
        'cloud_run_v2_service_iam_member service_webhook roles/run.invoker allUsers',
        'project_iam_member acme-zoom-prod roles/bigquery.jobUser sa:jobs',
        'project_iam_member acme-zoom-prod roles/bigquery.jobUser sa:erase',
        'project_iam_member acme-zoom-prod roles/datastore.user sa:erase',
        'project_iam_member acme-zoom-prod roles/datastore.user sa:webhook',
        'project_iam_member acme-zoom-prod roles/datastore.user sa:worker',
        'pubsub_subscription_iam_member subscription_rtms_worker roles/pubsub.subscriber pubsub-agent',
        'pubsub_subscription_iam_member subscription_rtms_worker roles/pubsub.subscriber sa:worker',
        'pubsub_topic_iam_member topic_rtms roles/pubsub.publisher sa:webhook',
        'pubsub_topic_iam_member topic_rtms roles/pubsub.publisher sa:worker',
        'pubsub_topic_iam_member topic_rtms_dead_letter roles/pubsub.publisher pubsub-agent',
        'secret_manager_secret_iam_member secret_aws_access_key_id roles/secretmanager.secretAccessor sa:worker',
        'secret_manager_secret_iam_member secret_aws_secret_access_key roles/secretmanager.secretAccessor sa:worker',
        'secret_manager_secret_iam_member secret_aws_access_key_id roles/secretmanager.secretAccessor sa:erase',
        'secret_manager_secret_iam_member secret_aws_secret_access_key roles/secretmanager.secretAccessor sa:erase',
        'secret_manager_secret_iam_member secret_erasure_secret roles/secretmanager.secretAccessor sa:erase',
        'secret_manager_secret_iam_member secret_erasure_secret roles/secretmanager.secretAccessor sa:jobs',
        'secret_manager_secret_iam_member secret_zm_client_id roles/secretmanager.secretAccessor sa:worker',
        'secret_manager_secret_iam_member secret_zm_client_secret roles/secretmanager.secretAccessor sa:worker',
        'secret_manager_secret_iam_member secret_dashboard_token roles/secretmanager.secretAccessor sa:webhook',
        'secret_manager_secret_iam_member secret_zoom_account_id roles/secretmanager.secretAccessor sa:jobs',
        'secret_manager_secret_iam_member secret_zoom_client_id roles/secretmanager.secretAccessor sa:jobs',
        'secret_manager_secret_iam_member secret_zoom_client_secret roles/secretmanager.secretAccessor sa:jobs',
        'secret_manager_secret_iam_member secret_zoom_webhook_secret_token roles/secretmanager.secretAccessor sa:webhook',
        'service_account_iam_member sa_push roles/iam.serviceAccountTokenCreator pubsub-agent',
        'storage_bucket_iam_member bucket roles/storage.objectCreator sa:webhook',
        'storage_bucket_iam_member bucket roles/storage.objectUser sa:jobs',
        'storage_bucket_iam_member bucket roles/storage.objectUser sa:erase',
        'storage_bucket_iam_member bucket roles/storage.objectViewer sa:webhook',
      ].sort(),
    );
    expect(full.text).not.toMatch(/roles\/(owner|editor)"/);
    // Additive members only: no binding or policy resource that would take over a role project-wide.
    expect(Object.keys(full.json.resource).filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
    // Firestore access is limited to the one database.
    for (const w of ['webhook', 'worker', 'erase']) {
      const c = one('google_project_iam_member', `project_${w}_datastore_user`).condition as Json;
      expect(c.expression).toBe('resource.name == "projects/acme-zoom-prod/databases/(default)"');
    }
  });

  it('exposes only the webhook publicly; the bucket cannot be made public', () => {
    const publicGrants = iamGrants(full.json).filter((g) => /allUsers|allAuthenticatedUsers/.test(g));
    expect(publicGrants).toEqual([
      'cloud_run_v2_service_iam_member service_webhook roles/run.invoker allUsers',
    ]);
    const bucket = one('google_storage_bucket', 'bucket');
    expect(bucket).toMatchObject({
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      force_destroy: false,
    });
    expect(one('google_cloud_run_v2_service', 'service_rtms_worker').invoker_iam_disabled).toBeUndefined();
  });

  it('lifecycles each archive prefix: colder classes where they pay, deleted at its retention age', () => {
    const rules = one('google_storage_bucket', 'bucket').lifecycle_rule as {
      action: Json;
      condition: Json;
    }[];
    expect(
      rules.map(
        (r) =>
          `${(r.condition.matches_prefix as string[]).join('+')} ${String(r.condition.age)}:${String(r.action.type)}:${String(r.action.storage_class ?? '')}`,
      ),
    ).toEqual([
      // Default 400 days: Nearline from 30; Coldline (billed 90 days at least) would not pay.
      'raw/+qos/ 30:SetStorageClass:NEARLINE',
      'raw/+qos/ 400:Delete:',
      'quarantine/ 90:Delete:',
      'reports/ 30:SetStorageClass:NEARLINE',
      'reports/ 400:Delete:',
    ]);
    // The erase job's receipts under erasures/ are kept: every rule is limited to prefixes, none of
    // which an erasures/ key starts with (a rule without matches_prefix would match every object).
    const receipt = 'erasures/2026-12-06/3f9a.json';
    for (const r of rules) {
      expect(Object.keys(r.condition).sort()).toEqual(
        r.action.type === 'Delete'
          ? ['age', 'matches_prefix']
          : ['age', 'matches_prefix', 'matches_storage_class'],
      );
      const prefixes = r.condition.matches_prefix as string[];
      expect(prefixes.length).toBeGreaterThan(0);
      expect(prefixes.filter((p) => receipt.startsWith(p) || p.startsWith('erasures'))).toEqual([]);
    }
  });

  it('expires warehouse partitions: 400 days, recordings rows with the recordings (180 days)', () => {
    const day = 86_400_000;
    const expiry = Object.fromEntries(
      TABLES.filter((t) => t.partitionField).map((t) => [
        t.name,
        (one('google_bigquery_table', `table_${t.name}`).time_partitioning as Json).expiration_ms,
      ]),
    );
    expect(expiry).toEqual({
      attendance: 400 * day,
      camera_minutes: 400 * day,
      daily_reports: 400 * day,
      raw_events: 400 * day,
      recordings: 180 * day,
    });
    expect(one('google_bigquery_dataset', 'dataset').default_partition_expiration_ms).toBe(400 * day);
  });

  it('pushes RTMS messages in order to the private worker with an OIDC token', () => {
    const sub = one('google_pubsub_subscription', 'subscription_rtms_worker');
    const worker = one('google_cloud_run_v2_service', 'service_rtms_worker');
    const audience = (worker.custom_audiences as string[])[0];
    expect(sub).toMatchObject({
      topic: '${google_pubsub_topic.topic_rtms.id}',
      enable_message_ordering: true,
      ack_deadline_seconds: PUSH_DELIVERY.ackDeadlineSeconds,
      retry_policy: { minimum_backoff: '5s', maximum_backoff: '60s' },
      dead_letter_policy: {
        dead_letter_topic: '${google_pubsub_topic.topic_rtms_dead_letter.id}',
        max_delivery_attempts: 5,
      },
      push_config: {
        push_endpoint: '${google_cloud_run_v2_service.service_rtms_worker.uri}/pubsub/push',
        oidc_token: { service_account_email: '${google_service_account.sa_push.email}', audience },
      },
    });
    // Cloud Run verifies the token and strips its signature: the worker must not verify it again.
    expect(containerOf(worker).env.map((e) => e.name)).not.toContain('WORKER_PUSH_AUDIENCE');
    expect(audience).toBe('zoom-tracker-rtms-worker.acme-zoom-prod');
    // Dead-lettered messages are kept, not dropped.
    expect(one('google_pubsub_subscription', 'subscription_rtms_dead_letter').topic).toBe(
      '${google_pubsub_topic.topic_rtms_dead_letter.id}',
    );
  });

  it('sizes the webhook for bursts and the worker for long captures', () => {
    const webhook = one('google_cloud_run_v2_service', 'service_webhook');
    expect(webhook).toMatchObject({
      ingress: 'INGRESS_TRAFFIC_ALL',
      template: {
        max_instance_request_concurrency: 80,
        scaling: { min_instance_count: 0 },
        service_account: sa('webhook').slice(15),
      },
    });
    expect(containerOf(webhook)).toMatchObject({
      args: ['serve'],
      image: 'europe-west1-docker.pkg.dev/acme-zoom-prod/zoom-tracker/webhook:v1.2.3',
      resources: { cpu_idle: true, startup_cpu_boost: true },
    });
    const worker = one('google_cloud_run_v2_service', 'service_rtms_worker');
    expect(worker).toMatchObject({
      template: {
        execution_environment: 'EXECUTION_ENVIRONMENT_GEN2',
        scaling: { min_instance_count: 0, max_instance_count: 10 },
      },
    });
    expect(containerOf(worker)).toMatchObject({
      args: ['worker'],
      resources: { cpu_idle: false, limits: { cpu: '2', memory: '4Gi' } },
    });
    expect(containerOf(worker).env).toContainEqual({ name: 'RTMS_MAX_STREAMS', value: '4' });
    const tuned = synth({
      ...BASE,
      ZT_WORKER_MIN_INSTANCES: '1',
      ZT_WEBHOOK_MIN_INSTANCES: '1',
      ZT_WORKER_MEMORY: '8Gi',
    }).json;
    expect(
      (tuned.resource.google_cloud_run_v2_service?.service_rtms_worker?.template as Json).scaling,
    ).toMatchObject({ min_instance_count: 1 });
    expect(
      (tuned.resource.google_cloud_run_v2_service?.service_webhook?.template as Json).scaling,
    ).toMatchObject({ min_instance_count: 1 });
  });

  it('mounts every secret by Secret Manager reference, never as a plain value', () => {
    const containers = [
      ...Object.values(res('google_cloud_run_v2_service')).map(containerOf),
      ...Object.values(res('google_cloud_run_v2_job')).map(jobContainer),
    ];
    expect(containers).toHaveLength(8);
    for (const c of containers) {
      for (const e of c.env) {
        if (/SECRET|TOKEN|PASSWORD|KEY|CLIENT_ID|ACCOUNT_ID/.test(e.name)) {
          expect(e.value, e.name).toBeUndefined();
          expect(e.value_source?.secret_key_ref).toEqual({
            secret: `\${google_secret_manager_secret.secret_${e.name.toLowerCase()}.secret_id}`,
            version: 'latest',
          });
        }
      }
      expect(c.env.find((e) => e.name === 'BACKEND')?.value).toBe('gcp');
    }
    const names = (c: Container) => c.env.filter((e) => e.value_source).map((e) => e.name);
    expect(names(containerOf(one('google_cloud_run_v2_service', 'service_webhook')))).toEqual([
      'ZOOM_WEBHOOK_SECRET_TOKEN',
      'DASHBOARD_TOKEN',
    ]);
    // Each revision waits for its identity's accessor grants (Cloud Run checks them when deploying).
    expect(one('google_cloud_run_v2_service', 'service_webhook').depends_on).toContain(
      'google_secret_manager_secret_iam_member.secret_zoom_webhook_secret_token_webhook',
    );
    const jobDeps = one('google_cloud_run_v2_job', 'job_backfill_camera').depends_on as string[];
    for (const name of ['zoom_account_id', 'zoom_client_id', 'zoom_client_secret']) {
      expect(jobDeps).toContain(`google_secret_manager_secret_iam_member.secret_${name}_jobs`);
    }
    // Values never pass through Terraform (they would sit in its state).
    expect(res('google_secret_manager_secret_version')).toEqual({});
  });

  it('creates the tables of sql/ddl with their partitioning and clustering, and the dedupe views', () => {
    expect(TABLES.map((t) => t.name).sort()).toEqual([
      'attendance',
      'camera_minutes',
      'daily_reports',
      'raw_events',
      'recordings',
      'roster',
    ]);
    const raw = one('google_bigquery_table', 'table_raw_events');
    expect(raw).toMatchObject({
      table_id: 'raw_events',
      time_partitioning: { type: 'DAY', field: 'event_date' },
      clustering: ['meeting_uuid', 'event_type'],
      deletion_protection: true,
    });
    // The DDL of raw_events is the column list of core/warehouse/raw-events.ts, name for name.
    const schema = JSON.parse(String(raw.schema)) as {
      name: string;
      type: string;
      mode: string;
      description?: string;
    }[];
    const apiType = (t: string) => ({ INT64: 'INTEGER' })[t] ?? t;
    expect(schema).toEqual(
      RAW_EVENT_COLUMNS.map((c) => ({
        name: c.name,
        type: apiType(c.type),
        mode: c.mode,
        description: c.description,
      })),
    );
    for (const spec of TABLES) {
      const t = one('google_bigquery_table', `table_${spec.name}`);
      // expiration_ms: checked in the retention test above.
      expect(t.time_partitioning, spec.name).toEqual(
        spec.partitionField
          ? { type: 'DAY', field: spec.partitionField, expiration_ms: expect.any(Number) }
          : undefined,
      );
      expect(t.clustering, spec.name).toEqual(spec.clustering);
      expect(t.description, spec.name).toBe(spec.description);
      if (spec.partitionField)
        expect(spec.columns.find((c) => c.name === spec.partitionField)?.type).toBe('DATE');
      for (const key of spec.clustering) expect(spec.columns.map((c) => c.name)).toContain(key);
      const types = (JSON.parse(String(t.schema)) as { type: string }[]).map((c) => c.type);
      expect(
        types.filter(
          (x) => !['STRING', 'DATE', 'TIMESTAMP', 'INTEGER', 'FLOAT', 'BOOLEAN', 'JSON'].includes(x),
        ),
        spec.name,
      ).toEqual([]);
    }
    expect(
      TABLES.filter((t) => t.partitionField)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['attendance', 'camera_minutes', 'daily_reports', 'raw_events', 'recordings']);
    const daily = JSON.parse(String(one('google_bigquery_table', 'table_daily_reports').schema)) as {
      name: string;
    }[];
    expect(
      daily
        .map((c) => c.name)
        .slice(0, 16)
        .join(','),
    ).toBe(
      'report_date,participant_name,participant_email,meeting_join_time,meeting_leave_time,meeting_duration_mins,room_number,room_name,room_uuid,room_join_time,room_leave_time,room_duration_mins,camera_on_mins,camera_off_mins,camera_percentage,next_room',
    );
    expect(daily.map((c) => c.name).slice(16)).toEqual([
      'meeting_id',
      'meeting_uuid',
      'participant_key',
      'camera_source',
      'join_time_source',
      'meeting_topic',
    ]);
    const view = one('google_bigquery_table', 'view_raw_events_dedup');
    expect(view).toMatchObject({
      table_id: 'raw_events_dedup',
      depends_on: expect.arrayContaining(['google_bigquery_table.table_raw_events']),
    });
    expect((view.view as { query: string; use_legacy_sql: boolean }).query).toMatch(
      /^SELECT \* FROM `acme-zoom-prod\.zoom_tracker\.raw_events`/,
    );
    expect((view.view as { use_legacy_sql: boolean }).use_legacy_sql).toBe(false);
    expect(one('google_bigquery_table', 'view_camera_minutes_dedup').table_id).toBe('camera_minutes_dedup');
    expect(one('google_bigquery_table', 'view_raw_events_resolved').table_id).toBe('raw_events_resolved');
  });

  it('expires ended meetings, participants and leases in Firestore by TTL', () => {
    expect(one('google_firestore_database', 'firestore')).toMatchObject({
      name: '(default)',
      type: 'FIRESTORE_NATIVE',
      location_id: 'europe-west1',
      delete_protection_state: 'DELETE_PROTECTION_ENABLED',
    });
    for (const group of ['meetings', 'participants', 'leases', 'pending']) {
      expect(one('google_firestore_field', `firestore_ttl_${group}`)).toMatchObject({
        collection: group,
        field: 'expireAt',
        ttl_config: {},
        database: '${google_firestore_database.firestore.name}',
      });
    }
    // Which expireAt the services write: the live-state settings reach them (defaults 1 and 7 days).
    const webhookEnv = containerOf(one('google_cloud_run_v2_service', 'service_webhook')).env.map(
      (e) => `${e.name}=${e.value ?? ''}`,
    );
    expect(webhookEnv).toEqual(expect.arrayContaining(['RETENTION_LIVE_STATE_DAYS=1', 'STATE_TTL_DAYS=7']));
    // The live-state queries: meetings keep the automatic indexes; the collection-group query over
    // participants (`where('expireAt', '>', t)`) needs a COLLECTION_GROUP index; leases none.
    expect(one('google_firestore_field', 'firestore_ttl_meetings').index_config).toBeUndefined();
    expect(one('google_firestore_field', 'firestore_ttl_participants').index_config).toEqual({
      indexes: [
        { order: 'ASCENDING', query_scope: 'COLLECTION' },
        { order: 'ASCENDING', query_scope: 'COLLECTION_GROUP' },
      ],
    });
    expect(one('google_firestore_field', 'firestore_ttl_leases').index_config).toEqual({ indexes: [] });
    // The stored event lists and folded state are never queried: not indexed.
    for (const [group, field] of [
      ['meetings', 'events'],
      ['meetings', 'state'],
      ['participants', 'events'],
      ['participants', 'state'],
      ['pending', 'event'],
    ]) {
      expect(one('google_firestore_field', `firestore_unindexed_${group}_${field}`)).toMatchObject({
        collection: group,
        field,
        index_config: { indexes: [] },
      });
    }
  });

  it('runs the daily jobs on schedule in the report timezone, authenticated as the scheduler', () => {
    const schedules = Object.values(res('google_cloud_scheduler_job')).map((s) => {
      const target = s.http_target as { uri: string; oauth_token: Json; oidc_token?: Json };
      expect(target.oauth_token).toEqual({
        service_account_email: '${google_service_account.sa_scheduler.email}',
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      });
      expect(s.time_zone).toBe('Europe/Berlin');
      return `${String(s.schedule)} ${target.uri}`;
    });
    const uri = (job: string) =>
      `https://run.googleapis.com/v2/projects/acme-zoom-prod/locations/europe-west1/jobs/\${google_cloud_run_v2_job.job_${job}.name}:run`;
    expect(schedules.sort()).toEqual(
      [
        `0 23 * * * ${uri('report')}`,
        `30 22 * * * ${uri('backfill_camera')}`,
        `30 23 * * * ${uri('export')}`,
      ].sort(),
    );
    const args = Object.values(res('google_cloud_run_v2_job')).map((j) => jobContainer(j).args?.[0]);
    expect(args.sort()).toEqual(['attendance', 'backfill-camera', 'erase', 'export', 'replay', 'report']);
    // The attendance job reads its roster from the bucket, mounted read-only.
    const attendance = one('google_cloud_run_v2_job', 'job_attendance').template as { template: Json };
    expect(attendance.template.volumes).toEqual([
      { name: 'bucket', gcs: { bucket: '${google_storage_bucket.bucket.name}', read_only: true } },
    ]);
    expect(jobContainer(one('google_cloud_run_v2_job', 'job_attendance')).volume_mounts).toEqual([
      { name: 'bucket', mount_path: '/mnt/bucket' },
    ]);
    expect(
      (one('google_cloud_run_v2_job', 'job_report').template as { template: Json }).template.volumes,
    ).toBeUndefined();
    for (const j of Object.values(res('google_cloud_run_v2_job'))) {
      expect(jobContainer(j).image).toMatch(/\/jobs:v1\.2\.3$/);
      // No --date: the CLI then runs yesterday and today in REPORT_TIMEZONE (a schedule cannot compute a date).
      expect(jobContainer(j).args).toHaveLength(1);
      expect(jobContainer(j).env).toContainEqual({ name: 'REPORT_TIMEZONE', value: 'Europe/Berlin' });
    }
  });

  it('erase runs by hand only, as zt-erase, for up to two hours, without retry', () => {
    const erase = one('google_cloud_run_v2_job', 'job_erase');
    expect(erase).toMatchObject({
      name: 'zoom-tracker-erase',
      location: 'europe-west1',
      template: {
        task_count: 1,
        template: {
          service_account: '${google_service_account.sa_erase.email}',
          execution_environment: 'EXECUTION_ENVIRONMENT_GEN2',
          // The job waits up to about 90 minutes for rows in BigQuery's streaming buffer.
          timeout: '7200s',
          max_retries: 0,
        },
      },
    });
    const c = jobContainer(erase);
    expect(c.args).toEqual(['erase']);
    expect(c.image).toBe('europe-west1-docker.pkg.dev/acme-zoom-prod/zoom-tracker/jobs:v1.2.3');
    expect(c.resources).toEqual({ limits: { cpu: '1', memory: '2Gi' } });
    // ERASURE_SECRET and the S3 keys by reference; where the recordings are, in plain values.
    const ref = (name: string) => ({
      name: name.toUpperCase(),
      value_source: {
        secret_key_ref: {
          secret: `\${google_secret_manager_secret.secret_${name}.secret_id}`,
          version: 'latest',
        },
      },
    });
    expect(c.env.filter((e) => e.value_source)).toEqual([
      ref('erasure_secret'),
      ref('aws_access_key_id'),
      ref('aws_secret_access_key'),
    ]);
    expect(c.env.filter((e) => !e.value_source).map((e) => `${e.name}=${String(e.value)}`)).toEqual([
      'BACKEND=gcp',
      'GCP_PROJECT_ID=acme-zoom-prod',
      'GCS_BUCKET=${google_storage_bucket.bucket.name}',
      'BQ_DATASET=${google_bigquery_dataset.dataset.dataset_id}',
      'BQ_LOCATION=europe-west1',
      'PUBSUB_TOPIC=${google_pubsub_topic.topic_rtms.name}',
      'FIRESTORE_DATABASE=${google_firestore_database.firestore.name}',
      'REPORT_TIMEZONE=Europe/Berlin',
      'RETENTION_LIVE_STATE_DAYS=1',
      'STATE_TTL_DAYS=7',
      'LOG_FORMAT=json',
      'AWS_REGION=us-east-1',
      'S3_BUCKET=acme-recordings',
    ]);
    expect(erase.depends_on).toEqual(
      expect.arrayContaining([
        'google_secret_manager_secret_iam_member.secret_erasure_secret_erase',
        'google_secret_manager_secret_iam_member.secret_aws_access_key_id_erase',
        'google_secret_manager_secret_iam_member.secret_aws_secret_access_key_erase',
      ]),
    );
    // Not scheduled: no Scheduler job calls it and the scheduler may not run it.
    expect(JSON.stringify(res('google_cloud_scheduler_job'))).not.toContain('job_erase');
    expect(iamGrants(full.json).filter((g) => g.includes('job_erase'))).toEqual([]);
    // The other jobs hold ERASURE_SECRET (the camera backfill pseudonymises what it fetches for a
    // meeting someone was erased from), never the S3 keys; they keep their one retry.
    for (const [name, j] of Object.entries(res('google_cloud_run_v2_job'))) {
      if (name === 'job_erase') continue;
      const secretNames = jobContainer(j)
        .env.filter((e) => e.value_source)
        .map((e) => e.name);
      expect(secretNames, name).toEqual([
        'ZOOM_ACCOUNT_ID',
        'ZOOM_CLIENT_ID',
        'ZOOM_CLIENT_SECRET',
        'ERASURE_SECRET',
      ]);
      expect(
        jobContainer(j).env.map((e) => e.name),
        name,
      ).not.toContain('S3_BUCKET');
      expect(((j.template as Json).template as Json).max_retries, name).toBe(1);
      expect(((j.template as Json).template as Json).service_account, name).toBe(
        '${google_service_account.sa_jobs.email}',
      );
    }
    for (const svc of Object.values(res('google_cloud_run_v2_service')))
      expect(containerOf(svc).env.map((e) => e.name)).not.toContain('ERASURE_SECRET');
    expect(one('google_secret_manager_secret', 'secret_erasure_secret')).toMatchObject({
      secret_id: 'zoom-tracker-erasure-secret',
      replication: { auto: {} },
    });
  });

  it('matches the reviewed snapshot', async () => {
    await expect(`${JSON.stringify(full.json, null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/zoom-tracker.tf.json',
    );
  });
});

describe('terraform stack (other inputs)', () => {
  it('foundation stage: no Cloud Run, push subscription or schedules, and no image tag needed', () => {
    const { json } = synth({ ZT_PROJECT_ID: 'acme-zoom-prod', ZT_STAGE: 'foundation' });
    for (const t of ['google_cloud_run_v2_service', 'google_cloud_run_v2_job', 'google_cloud_scheduler_job'])
      expect(json.resource[t]).toBeUndefined();
    expect(Object.keys(json.resource.google_pubsub_subscription ?? {})).toEqual([
      'subscription_rtms_dead_letter',
    ]);
    expect(Object.keys(json.resource.google_secret_manager_secret ?? {})).toHaveLength(
      SECRET_ENV_NAMES.length,
    );
  });

  it('teardown mode lifts the data protections; a state bucket switches the backend', () => {
    const { json } = synth({ ...BASE, ZT_PROTECT_DATA: 'false', ZT_STATE_BUCKET: 'acme-tfstate' });
    expect(json.resource.google_storage_bucket?.bucket?.force_destroy).toBe(true);
    expect(json.resource.google_bigquery_dataset?.dataset?.delete_contents_on_destroy).toBe(true);
    expect(json.resource.google_bigquery_table?.table_raw_events?.deletion_protection).toBe(false);
    expect(json.resource.google_firestore_database?.firestore).toMatchObject({
      delete_protection_state: 'DELETE_PROTECTION_DISABLED',
      deletion_policy: 'DELETE',
    });
    expect(json.terraform.backend).toEqual({
      gcs: { bucket: 'acme-tfstate', prefix: 'zoom-tracker/acme-zoom-prod' },
    });
  });

  it('lists every input problem at once', () => {
    const err = (() => {
      try {
        parseInputs({
          ZT_PROJECT_ID: 'Bad_Project',
          ZT_REPORT_TIMEZONE: 'Mars/Olympus',
          ZT_SECRET_ZM_CLIENT_ID: 'no spaces allowed',
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputsError);
    const problems = (err as InputsError).problems.join('\n');
    expect(problems).toMatch(/ZT_PROJECT_ID/);
    expect(problems).toMatch(/ZT_REPORT_TIMEZONE/);
    expect(problems).toMatch(/ZT_SECRET_ZM_CLIENT_ID/);
    expect(problems).toMatch(/ZT_IMAGE_TAG is required/);
    expect(() => parseInputs({ ZT_PROJECT_ID: 'acme-zoom-prod' })).toThrow(
      /ZT_IMAGE_TAG is required[\s\S]*ZT_S3_BUCKET is required/,
    );
  });
});
