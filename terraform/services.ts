// The two Cloud Run services: the webhook (the only public endpoint) and the private rtms-worker that
// Pub/Sub pushes to, with the settings each needs and the env both read (core/config.ts).
import type { Construct } from 'constructs';
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service/index.js';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member/index.js';
import type { StackInputs } from './inputs.ts';
import type { Foundation } from './foundation.ts';
import type { DataStores } from './data-stores.ts';
import type { Messaging } from './pubsub.ts';
import { plainEnv, secretEnv, type EnvEntry, type Secrets } from './secrets.ts';

export type ImageName = 'webhook' | 'rtms-worker' | 'jobs';

export function imageRef(f: Foundation, inputs: StackInputs, name: ImageName): string {
  return `${f.imageBase}/${name}:${inputs.imageTag ?? 'unset'}`;
}

/** The settings every BACKEND=gcp process reads; secrets are added per workload. */
export function commonEnv(inputs: StackInputs, d: DataStores, m: Messaging): Record<string, string> {
  return {
    BACKEND: 'gcp',
    GCP_PROJECT_ID: inputs.projectId,
    GCS_BUCKET: d.bucket.name,
    BQ_DATASET: d.dataset.datasetId,
    BQ_LOCATION: inputs.bqLocation,
    PUBSUB_TOPIC: m.topic.name,
    FIRESTORE_DATABASE: d.firestore.name,
    REPORT_TIMEZONE: inputs.timezone,
    RETENTION_LIVE_STATE_DAYS: String(inputs.liveState.endedDays),
    STATE_TTL_DAYS: String(inputs.liveState.openDays),
    LOG_FORMAT: 'json',
  };
}

/** Where the recordings are (the AWS keys come as secrets): the rtms-worker and the erase job. */
export function recordingsEnv(inputs: StackInputs): Record<string, string> {
  return { AWS_REGION: inputs.awsRegion, S3_BUCKET: inputs.s3Bucket ?? '' };
}

export interface Services {
  webhook: CloudRunV2Service;
  worker: CloudRunV2Service;
  /** The OIDC audience Pub/Sub puts in push tokens and the worker accepts. */
  workerAudience: string;
}

/** What the Cloud Run services and jobs are wired to. */
export interface RuntimeDeps {
  inputs: StackInputs;
  f: Foundation;
  d: DataStores;
  m: Messaging;
  secrets: Secrets;
}

export function addServices(scope: Construct, { inputs, f, d, m, secrets }: RuntimeDeps): Services {
  const env = commonEnv(inputs, d, m);
  const webhook = new CloudRunV2Service(scope, 'service_webhook', {
    name: 'zoom-tracker-webhook',
    location: inputs.region,
    dependsOn: secrets.readers.webhook,
    description: 'Receives Zoom webhooks: verify, archive, rows, live state, RTMS messages',
    ingress: 'INGRESS_TRAFFIC_ALL',
    deletionProtection: false,
    template: {
      serviceAccount: f.accounts.webhook.email,
      // Each request is short I/O (archive write, row insert, state update): many fit one instance.
      maxInstanceRequestConcurrency: 80,
      timeout: '30s',
      scaling: {
        minInstanceCount: inputs.webhook.minInstances,
        maxInstanceCount: inputs.webhook.maxInstances,
      },
      containers: [
        {
          image: imageRef(f, inputs, 'webhook'),
          args: ['serve'],
          ports: { containerPort: 8080 },
          // Request-based billing (CPU only while serving); the startup boost shortens cold starts,
          // which Zoom's 3 s delivery timeout would otherwise feel.
          resources: { limits: { cpu: '1', memory: '512Mi' }, cpuIdle: true, startupCpuBoost: true },
          env: [...plainEnv(env), ...secretEnv(secrets, 'webhook')] satisfies EnvEntry[],
        },
      ],
    },
  });
  new CloudRunV2ServiceIamMember(scope, 'service_webhook_public', {
    name: webhook.name,
    location: inputs.region,
    role: 'roles/run.invoker',
    member: 'allUsers',
  });

  const workerAudience = `zoom-tracker-rtms-worker.${inputs.projectId}`;
  const worker = new CloudRunV2Service(scope, 'service_rtms_worker', {
    name: 'zoom-tracker-rtms-worker',
    location: inputs.region,
    dependsOn: secrets.readers.worker,
    description: 'Captures RTMS streams pushed by Pub/Sub; muxes with ffmpeg; copies recordings to S3',
    // Reachable only with a token of an invoker (the Pub/Sub push identity); no public grant. Cloud
    // Run checks the token (signature, audience, invoker role) and forwards it with its signature
    // replaced by SIGNATURE_REMOVED_BY_GOOGLE, so the worker must not verify it again: no
    // WORKER_PUSH_AUDIENCE here (that setting is for a worker that the platform does not guard).
    ingress: 'INGRESS_TRAFFIC_ALL',
    customAudiences: [workerAudience],
    deletionProtection: false,
    template: {
      serviceAccount: f.accounts.worker.email,
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      maxInstanceRequestConcurrency: 20,
      timeout: '60s',
      scaling: { minInstanceCount: inputs.worker.minInstances, maxInstanceCount: inputs.worker.maxInstances },
      containers: [
        {
          image: imageRef(f, inputs, 'rtms-worker'),
          args: ['worker'],
          ports: { containerPort: 8080 },
          // Instance-based billing (cpuIdle=false): captures keep running between push requests.
          // Memory holds the in-progress captures (the filesystem is in memory): about 0.6 GB per
          // HD stream-hour, RTMS_MAX_STREAMS streams per instance, plus ffmpeg's mux at the end.
          resources: {
            limits: { cpu: inputs.worker.cpu, memory: inputs.worker.memory },
            cpuIdle: false,
            startupCpuBoost: true,
          },
          env: [
            ...plainEnv({
              ...env,
              ...recordingsEnv(inputs),
              RTMS_MAX_STREAMS: String(inputs.worker.maxStreams),
            }),
            ...secretEnv(secrets, 'worker'),
          ] satisfies EnvEntry[],
        },
      ],
    },
  });
  new CloudRunV2ServiceIamMember(scope, 'service_rtms_worker_push', {
    name: worker.name,
    location: inputs.region,
    role: 'roles/run.invoker',
    member: f.members.push,
  });
  return { webhook, worker, workerAudience };
}
