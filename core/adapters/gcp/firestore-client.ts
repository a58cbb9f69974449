// One way to build the Firestore client for the live state and the lease store: project, database and,
// for the emulator, an explicit plain-text host (FIRESTORE_EMULATOR_HOST comes from config, not env).
import { Firestore } from '@google-cloud/firestore';
import type { Config } from '../../config.ts';

export type FirestoreConfig = Pick<
  Config,
  'GCP_PROJECT_ID' | 'FIRESTORE_DATABASE' | 'FIRESTORE_EMULATOR_HOST'
>;

export function createFirestore(config: FirestoreConfig): Firestore {
  const host = config.FIRESTORE_EMULATOR_HOST?.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return new Firestore({
    ...(config.GCP_PROJECT_ID && { projectId: config.GCP_PROJECT_ID }),
    databaseId: config.FIRESTORE_DATABASE,
    ignoreUndefinedProperties: true,
    // The emulator needs no credentials: a fixed universe stops the auth library probing for a GCE metadata server.
    ...(host && { host, ssl: false, clientOptions: { universeDomain: 'googleapis.com' } }),
  });
}
