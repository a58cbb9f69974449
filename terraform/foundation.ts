// The project's groundwork: the APIs to enable, the Artifact Registry repository for the images and
// one service account per workload (roles are granted on each resource, next to it, never Owner/Editor).
import type { Construct } from 'constructs';
import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project/index.js';
import type { StackInputs } from './inputs.ts';

export const APIS = [
  'artifactregistry.googleapis.com',
  'bigquery.googleapis.com',
  'cloudbuild.googleapis.com',
  'cloudscheduler.googleapis.com',
  'firestore.googleapis.com',
  'iam.googleapis.com',
  'pubsub.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
  'storage.googleapis.com',
] as const;

export type Workload = 'webhook' | 'worker' | 'jobs' | 'erase' | 'push' | 'scheduler';

const ACCOUNTS: Record<Workload, { id: string; name: string }> = {
  webhook: { id: 'zt-webhook', name: 'zoom-tracker webhook (Cloud Run service)' },
  worker: { id: 'zt-rtms-worker', name: 'zoom-tracker rtms-worker (Cloud Run service)' },
  jobs: { id: 'zt-jobs', name: 'zoom-tracker jobs (Cloud Run jobs)' },
  // Its own identity: only the erase job rewrites every store (Firestore, S3 recordings included)
  // and reads ERASURE_SECRET; the scheduled jobs get none of that.
  erase: { id: 'zt-erase', name: 'zoom-tracker erase (Cloud Run job, run by hand)' },
  push: { id: 'zt-pubsub-push', name: 'zoom-tracker Pub/Sub push identity (invokes the rtms-worker)' },
  scheduler: { id: 'zt-scheduler', name: 'zoom-tracker Cloud Scheduler identity (runs the jobs)' },
};

export interface Foundation {
  apis: ProjectService[];
  accounts: Record<Workload, ServiceAccount>;
  /** `serviceAccount:<email>` of each workload, for IAM members. */
  members: Record<Workload, string>;
  /** The Pub/Sub service agent (dead-lettering and OIDC tokens for push). */
  pubsubAgent: string;
  /** `<region>-docker.pkg.dev/<project>/<repo>`. */
  imageBase: string;
}

export function addFoundation(scope: Construct, inputs: StackInputs): Foundation {
  const apis = APIS.map(
    (api) =>
      new ProjectService(scope, `api_${api.split('.')[0]}`, {
        service: api,
        disableOnDestroy: false,
        disableDependentServices: false,
      }),
  );

  new ArtifactRegistryRepository(scope, 'image_repository', {
    repositoryId: inputs.imageRepository,
    location: inputs.region,
    format: 'DOCKER',
    description: 'zoom-tracker images: webhook, rtms-worker, jobs',
    cleanupPolicyDryRun: false,
    cleanupPolicies: [
      { id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: 10 } },
      { id: 'delete-old', action: 'DELETE', condition: { tagState: 'ANY', olderThan: '2592000s' } },
    ],
  });

  const accounts = Object.fromEntries(
    (Object.keys(ACCOUNTS) as Workload[]).map((w) => [
      w,
      new ServiceAccount(scope, `sa_${w}`, { accountId: ACCOUNTS[w].id, displayName: ACCOUNTS[w].name }),
    ]),
  ) as Record<Workload, ServiceAccount>;
  const members = Object.fromEntries(
    (Object.keys(accounts) as Workload[]).map((w) => [w, `serviceAccount:${accounts[w].email}`]),
  ) as Record<Workload, string>;

  const project = new DataGoogleProject(scope, 'project', { projectId: inputs.projectId });
  return {
    apis,
    accounts,
    members,
    pubsubAgent: `serviceAccount:service-${project.number}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    imageBase: `${inputs.region}-docker.pkg.dev/${inputs.projectId}/${inputs.imageRepository}`,
  };
}
