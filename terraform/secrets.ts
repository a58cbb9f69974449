// Secret Manager secrets (containers only: values are added with gcloud, so they never enter the
// Terraform state), who may read each one, and the env entries that mount them into Cloud Run.
import type { Construct } from 'constructs';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret/index.js';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member/index.js';
import { SECRET_ENV_NAMES, type SecretEnvName, type StackInputs } from './inputs.ts';
import type { Foundation, Workload } from './foundation.ts';

/**
 * Which workload reads which secret, and nothing more: the webhook verifies Zoom's signature and the
 * dashboard token; the worker talks RTMS and writes recordings to S3; the scheduled jobs call Zoom's
 * API (camera backfill); the erase job keys its pseudonyms with ERASURE_SECRET and rewrites or
 * deletes recordings in S3.
 */
export const SECRETS_FOR = {
  webhook: ['ZOOM_WEBHOOK_SECRET_TOKEN', 'DASHBOARD_TOKEN'],
  worker: ['ZM_CLIENT_ID', 'ZM_CLIENT_SECRET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  jobs: ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ERASURE_SECRET'],
  erase: ['ERASURE_SECRET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
} as const satisfies Partial<Record<Workload, readonly SecretEnvName[]>>;

export type SecretReader = keyof typeof SECRETS_FOR;

export interface Secrets {
  byName: Record<SecretEnvName, SecretManagerSecret>;
  /** The accessor grants of each reader: its Cloud Run resources wait for them (a revision that cannot read a referenced secret fails to deploy). */
  readers: Record<SecretReader, SecretManagerSecretIamMember[]>;
}

/** A Cloud Run container env entry (the service and job resources take the same shape). */
export interface EnvEntry {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef: { secret: string; version: string } };
}

export function addSecrets(scope: Construct, inputs: StackInputs, f: Foundation): Secrets {
  const byName = Object.fromEntries(
    SECRET_ENV_NAMES.map((name) => [
      name,
      new SecretManagerSecret(scope, `secret_${name.toLowerCase()}`, {
        secretId: inputs.secretIds[name],
        replication: { auto: {} },
        labels: { app: 'zoom-tracker' },
      }),
    ]),
  ) as Secrets['byName'];
  const grant = (reader: SecretReader): SecretManagerSecretIamMember[] =>
    SECRETS_FOR[reader].map(
      (name) =>
        new SecretManagerSecretIamMember(scope, `secret_${name.toLowerCase()}_${reader}`, {
          secretId: byName[name].id,
          role: 'roles/secretmanager.secretAccessor',
          member: f.members[reader],
        }),
    );
  const readers = Object.fromEntries(
    (Object.keys(SECRETS_FOR) as SecretReader[]).map((reader) => [reader, grant(reader)]),
  ) as Secrets['readers'];
  return { byName, readers };
}

/** Env entries referencing the latest version of each secret a reader may read (resolved by Cloud Run at instance start). */
export function secretEnv(secrets: Secrets, reader: SecretReader): EnvEntry[] {
  return SECRETS_FOR[reader].map((name) => ({
    name,
    valueSource: { secretKeyRef: { secret: secrets.byName[name].secretId, version: 'latest' } },
  }));
}

/** Plain env entries from a record, in key order. */
export function plainEnv(values: Readonly<Record<string, string>>): EnvEntry[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}
