// The batch commands as Cloud Run jobs, and Cloud Scheduler triggers for the daily ones in the
// report timezone: camera backfill after the day's meetings, the report at 23:00, the CSV at 23:30
// (by default). replay, attendance and erase run by hand only.
import type { Construct } from 'constructs';
import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job/index.js';
import { CloudRunV2JobIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-job-iam-member/index.js';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job/index.js';
import type { StackInputs } from './inputs.ts';
import type { Foundation } from './foundation.ts';
import { plainEnv, secretEnv, type EnvEntry } from './secrets.ts';
import { commonEnv, imageRef, recordingsEnv, type RuntimeDeps } from './services.ts';

// A schedule cannot compute a date: the commands run without --date, which the CLI takes as the
// scheduled pair, yesterday then today in REPORT_TIMEZONE (jobs/job-args.ts). So a day is final
// once the next day's run redid it, as on the embedded default, where `serve` runs the same
// schedules (BACKFILL_SCHEDULE, REPORT_SCHEDULE, EXPORT_SCHEDULE: core/schedules.ts, via inputs.ts).

/** The identities jobs run as: the shared one, or erase's own (more stores, fewer jobs). */
export type JobAccount = 'jobs' | 'erase';

export interface JobSpec {
  /** The CLI command the job runs (no --date: see above). */
  command: 'report' | 'export' | 'backfill-camera' | 'replay' | 'attendance' | 'erase';
  /** Which input schedule triggers it; manual jobs run with `gcloud run jobs execute --args`. */
  schedule: keyof StackInputs['schedules'] | undefined;
  timeout: string;
  memory: string;
  /** Mount the bucket read-only at BUCKET_MOUNT (attendance reads `--roster FILE` from `rosters/`). */
  mountsBucket?: boolean;
  /** Its service account, whose grants and secrets it gets (default `jobs`). */
  account?: JobAccount;
  /** Retries of a failed task (default 1). */
  maxRetries?: number;
  /** Reaches the recordings in S3 (S3_BUCKET, AWS_REGION; the keys are secrets of its account). */
  recordings?: boolean;
}

export const BUCKET_MOUNT = '/mnt/bucket';

export const JOBS: readonly JobSpec[] = [
  { command: 'backfill-camera', schedule: 'backfill', timeout: '3600s', memory: '1Gi' },
  { command: 'report', schedule: 'report', timeout: '1800s', memory: '2Gi' },
  { command: 'export', schedule: 'export', timeout: '1800s', memory: '1Gi' },
  { command: 'replay', schedule: undefined, timeout: '3600s', memory: '2Gi' },
  { command: 'attendance', schedule: undefined, timeout: '1800s', memory: '1Gi', mountsBucket: true },
  // By hand, with the person on the command line (`--args=erase,--email,...`). Two hours: rows stay in
  // BigQuery's streaming buffer, where DML cannot change them, up to about 90 minutes, and the job
  // waits for them (`--wait-minutes`, 100 by default; Cloud Run allows up to 168 h). No retry: a
  // second run is safe, but an operator must see the failure.
  {
    command: 'erase',
    schedule: undefined,
    timeout: '7200s',
    memory: '2Gi',
    account: 'erase',
    maxRetries: 0,
    recordings: true,
  },
];

export const jobName = (command: JobSpec['command']): string => `zoom-tracker-${command}`;

export function addJobs(scope: Construct, { inputs, f, d, m, secrets }: RuntimeDeps): CloudRunV2Job[] {
  const common = commonEnv(inputs, d, m);
  const envOf = (spec: JobSpec, account: JobAccount): EnvEntry[] => [
    ...plainEnv(spec.recordings ? { ...common, ...recordingsEnv(inputs) } : common),
    ...secretEnv(secrets, account),
  ];
  return JOBS.map((spec) => {
    const id = spec.command.replaceAll('-', '_');
    const account = spec.account ?? 'jobs';
    const job = new CloudRunV2Job(scope, `job_${id}`, {
      name: jobName(spec.command),
      location: inputs.region,
      dependsOn: secrets.readers[account],
      deletionProtection: false,
      template: {
        taskCount: 1,
        template: {
          serviceAccount: f.accounts[account].email,
          executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
          // The date jobs are idempotent for their date, so one retry of a failed task is safe.
          maxRetries: spec.maxRetries ?? 1,
          timeout: spec.timeout,
          ...(spec.mountsBucket && {
            volumes: [{ name: 'bucket', gcs: { bucket: d.bucket.name, readOnly: true } }],
          }),
          containers: [
            {
              image: imageRef(f, inputs, 'jobs'),
              args: [spec.command],
              resources: { limits: { cpu: '1', memory: spec.memory } },
              env: envOf(spec, account),
              ...(spec.mountsBucket && { volumeMounts: [{ name: 'bucket', mountPath: BUCKET_MOUNT }] }),
            },
          ],
        },
      },
    });
    if (spec.schedule) addSchedule(scope, inputs, f, job, id, inputs.schedules[spec.schedule]);
    return job;
  });
}

function addSchedule(
  scope: Construct,
  inputs: StackInputs,
  f: Foundation,
  job: CloudRunV2Job,
  id: string,
  schedule: string,
): void {
  new CloudRunV2JobIamMember(scope, `job_${id}_scheduler`, {
    name: job.name,
    location: inputs.region,
    role: 'roles/run.invoker',
    member: f.members.scheduler,
  });
  new CloudSchedulerJob(scope, `schedule_${id}`, {
    name: `${job.name}-daily`,
    region: inputs.region,
    schedule,
    timeZone: inputs.timezone,
    attemptDeadline: '180s',
    retryConfig: { retryCount: 3, minBackoffDuration: '60s', maxBackoffDuration: '600s' },
    httpTarget: {
      httpMethod: 'POST',
      uri: `https://run.googleapis.com/v2/projects/${inputs.projectId}/locations/${inputs.region}/jobs/${job.name}:run`,
      // run.googleapis.com is a Google API: it takes an OAuth access token of the scheduler's own
      // identity (an OIDC ID token is what a Cloud Run *service* URL takes, as on the push subscription).
      oauthToken: {
        serviceAccountEmail: f.accounts.scheduler.email,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      },
    },
  });
}
