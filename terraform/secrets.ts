// Secret Manager secrets (containers only: values are added with gcloud, so they never enter the
// Terraform state), who may read each one, and the env entries that mount them into Cloud Run.
import type { Construct } from 'constructs';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret/index.js';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member/index.js';
import { SECRET_ENV_NAMES, type SecretEnvName, type StackInputs } from './inputs.ts';
import type { Foundation } from './foundation.ts';

/**
 * Which workload reads which secret. The config schema requires ZOOM_WEBHOOK_SECRET_TOKEN for every
 * BACKEND=gcp process (core/config.ts), so the worker and the jobs get it too.
 */
export const SECRETS_FOR = {
  webhook: ['ZOOM_WEBHOOK_SECRET_TOKEN'],
  worker: [
    'ZOOM_WEBHOOK_SECRET_TOKEN',
    'ZM_CLIENT_ID',
    'ZM_CLIENT_SECRET',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ],
  jobs: ['ZOOM_WEBHOOK_SECRET_TOKEN', 'ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'],
} as const satisfies Record<string, readonly SecretEnvName[]>;

export type Secrets = Record<SecretEnvName, SecretManagerSecret>;

/** A Cloud Run container env entry (the service and job resources take the same shape). */
export interface EnvEntry {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef: { secret: string; version: string } };
}

export function addSecrets(scope: Construct, inputs: StackInputs, f: Foundation): Secrets {
  const secrets = Object.fromEntries(
    SECRET_ENV_NAMES.map((name) => [
      name,
      new SecretManagerSecret(scope, `secret_${name.toLowerCase()}`, {
        secretId: inputs.secretIds[name],
        replication: { auto: {} },
        labels: { app: 'zoom-tracker' },
      }),
    ]),
  ) as Secrets;
  for (const [workload, names] of Object.entries(SECRETS_FOR) as [
    keyof typeof SECRETS_FOR,
    readonly SecretEnvName[],
  ][]) {
    for (const name of names) {
      new SecretManagerSecretIamMember(scope, `secret_${name.toLowerCase()}_${workload}`, {
        secretId: secrets[name].id,
        role: 'roles/secretmanager.secretAccessor',
        member: f.members[workload],
      });
    }
  }
  return secrets;
}

/** Env entries referencing the latest version of each secret (resolved by Cloud Run at instance start). */
export function secretEnv(secrets: Secrets, names: readonly SecretEnvName[]): EnvEntry[] {
  return names.map((name) => ({
    name,
    valueSource: { secretKeyRef: { secret: secrets[name].secretId, version: 'latest' } },
  }));
}

/** Plain env entries from a record, in key order. */
export function plainEnv(values: Readonly<Record<string, string>>): EnvEntry[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}
