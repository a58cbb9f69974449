// The zoom-tracker stack: everything one environment needs on Google Cloud, synthesized from the
// inputs. `foundation` stops before Cloud Run and Scheduler (no images or secret values yet).
import type { Construct } from 'constructs';
import {
  GcsBackend,
  LocalBackend,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  dependable,
} from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';
import type { StackInputs } from './inputs.ts';
import { addFoundation } from './foundation.ts';
import { addSecrets } from './secrets.ts';
import { addDataStores } from './data-stores.ts';
import { addPushSubscription, addTopics } from './pubsub.ts';
import { addServices } from './services.ts';
import { addJobs } from './jobs.ts';

export const STACK_NAME = 'zoom-tracker';

export class ZoomTrackerStack extends TerraformStack {
  constructor(scope: Construct, id: string, inputs: StackInputs) {
    super(scope, id);
    if (inputs.stateBucket)
      new GcsBackend(this, { bucket: inputs.stateBucket, prefix: `zoom-tracker/${inputs.projectId}` });
    else new LocalBackend(this, { path: inputs.localStatePath });
    new GoogleProvider(this, 'google', {
      project: inputs.projectId,
      region: inputs.region,
      defaultLabels: { app: 'zoom-tracker' },
    });

    const f = addFoundation(this, inputs);
    const secrets = addSecrets(this, inputs, f);
    const data = addDataStores(this, inputs, f);
    const messaging = addTopics(this, inputs, f);

    new TerraformOutput(this, 'bucket_name', {
      value: data.bucket.name,
      description: 'Cloud Storage bucket (raw/, quarantine/, reports/)',
    });
    new TerraformOutput(this, 'dataset_id', {
      value: `${inputs.projectId}.${data.dataset.datasetId}`,
      description: 'BigQuery dataset',
    });
    new TerraformOutput(this, 'image_base', { value: f.imageBase, description: 'Push the images here' });

    if (inputs.stage === 'full') {
      const deps = { inputs, f, d: data, m: messaging, secrets };
      const services = addServices(this, deps);
      addPushSubscription(this, messaging, f, {
        uri: services.worker.uri,
        audience: services.workerAudience,
      });
      addJobs(this, deps);
      new TerraformOutput(this, 'webhook_url', {
        value: `${services.webhook.uri}/webhook`,
        description: 'Paste into the Zoom app: Event notification endpoint URL',
      });
      new TerraformOutput(this, 'worker_url', {
        value: services.worker.uri,
        description: 'rtms-worker (private)',
      });
    }

    waitForApis(this, f.apis);
  }
}

/** Every resource except the API switches and IAM members (which follow their target) waits for the APIs. */
function waitForApis(stack: TerraformStack, apis: ProjectService[]): void {
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformResource) || node instanceof ProjectService) continue;
    if (/_iam_member$/.test(node.terraformResourceType)) continue;
    node.dependsOn = [...(node.dependsOn ?? []), ...apis.map((a) => dependable(a))];
  }
}
