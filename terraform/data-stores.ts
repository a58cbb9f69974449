// Where the data lives: the Cloud Storage bucket (raw archive, quarantine, CSV exports), the BigQuery
// dataset and its tables, and the Firestore database with TTL on ended meetings, participants, leases.
import type { Construct } from 'constructs';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member/index.js';
import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset/index.js';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member/index.js';
import { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table/index.js';
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member/index.js';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { FirestoreDatabase } from '@cdktf/provider-google/lib/firestore-database/index.js';
import { FirestoreField } from '@cdktf/provider-google/lib/firestore-field/index.js';
import type { StackInputs } from './inputs.ts';
import type { Foundation, Workload } from './foundation.ts';
import { bigQuerySchema, tableSpecs, viewSpecs } from './table-schemas.ts';

/**
 * Firestore collection groups whose documents carry `expireAt` (state of ended meetings, stale
 * leases), and the single-field indexes the live-state queries need on it: `meetings` keeps the
 * automatic ones (`where('expireAt', '>', t)`); the collection-group query over `participants` needs
 * a COLLECTION_GROUP index, which is never automatic; `leases` is only read by id (no index).
 */
export const TTL_FIELDS = {
  meetings: 'automatic',
  participants: ['COLLECTION', 'COLLECTION_GROUP'],
  leases: [],
  pending: 'automatic',
} as const satisfies Record<string, 'automatic' | readonly ('COLLECTION' | 'COLLECTION_GROUP')[]>;

/** Large arrays of maps the live state stores and never queries: exempt from indexing (cheaper writes). */
export const UNINDEXED_FIELDS = {
  meetings: ['events', 'state'],
  participants: ['events', 'state'],
  pending: ['event'],
} as const satisfies Record<string, readonly string[]>;

/** Tables each service streams rows into (table-level grants); the jobs edit the whole dataset. */
export const TABLE_WRITERS: Partial<Record<Workload, readonly string[]>> = {
  webhook: ['raw_events'],
  // rtms.* events, and the recordings the worker finishes.
  worker: ['raw_events', 'recordings'],
};

export interface DataStores {
  bucket: StorageBucket;
  dataset: BigqueryDataset;
  firestore: FirestoreDatabase;
}

export function addDataStores(scope: Construct, inputs: StackInputs, f: Foundation): DataStores {
  const bucket = addBucket(scope, inputs, f);
  const dataset = addWarehouse(scope, inputs, f);
  const firestore = addFirestore(scope, inputs, f);
  return { bucket, dataset, firestore };
}

function addBucket(scope: Construct, inputs: StackInputs, f: Foundation): StorageBucket {
  const bucket = new StorageBucket(scope, 'bucket', {
    name: inputs.bucket,
    location: inputs.region.toUpperCase(),
    storageClass: 'STANDARD',
    uniformBucketLevelAccess: true,
    publicAccessPrevention: 'enforced',
    forceDestroy: !inputs.protectData,
    labels: { app: 'zoom-tracker' },
    lifecycleRule: [
      // raw/ is the source of truth for `replay`: kept forever, moved to colder classes as it ages.
      {
        condition: { age: 30, matchesPrefix: ['raw/'], matchesStorageClass: ['STANDARD'] },
        action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
      },
      {
        condition: { age: 365, matchesPrefix: ['raw/'], matchesStorageClass: ['NEARLINE'] },
        action: { type: 'SetStorageClass', storageClass: 'COLDLINE' },
      },
      // reports/ can be regenerated from daily_reports (`export --date D`).
      {
        condition: { age: 30, matchesPrefix: ['reports/'], matchesStorageClass: ['STANDARD'] },
        action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
      },
      { condition: { age: 400, matchesPrefix: ['reports/'] }, action: { type: 'Delete' } },
      { condition: { age: 90, matchesPrefix: ['quarantine/'] }, action: { type: 'Delete' } },
    ],
  });
  const grants: [Workload, string][] = [
    // Create-only writes (ifGenerationMatch=0) of raw/ and quarantine/; list/get for /health.
    ['webhook', 'roles/storage.objectCreator'],
    ['webhook', 'roles/storage.objectViewer'],
    // replay reads raw/, export replaces reports/ objects.
    ['jobs', 'roles/storage.objectUser'],
  ];
  for (const [w, role] of grants) {
    new StorageBucketIamMember(scope, `bucket_${w}_${role.split('.')[1]}`, {
      bucket: bucket.name,
      role,
      member: f.members[w],
    });
  }
  return bucket;
}

function addWarehouse(scope: Construct, inputs: StackInputs, f: Foundation): BigqueryDataset {
  const dataset = new BigqueryDataset(scope, 'dataset', {
    datasetId: inputs.dataset,
    location: inputs.bqLocation,
    description: 'zoom-tracker: raw events, camera minutes, daily reports, recordings, attendance',
    deleteContentsOnDestroy: !inputs.protectData,
    labels: { app: 'zoom-tracker' },
  });
  const tables = new Map<string, BigqueryTable>();
  for (const spec of tableSpecs()) {
    tables.set(
      spec.name,
      new BigqueryTable(scope, `table_${spec.name}`, {
        datasetId: dataset.datasetId,
        tableId: spec.name,
        description: spec.description,
        deletionProtection: inputs.protectData,
        schema: bigQuerySchema(spec),
        ...(spec.partitionField && { timePartitioning: { type: 'DAY', field: spec.partitionField } }),
        clustering: [...spec.clustering],
        labels: { app: 'zoom-tracker' },
      }),
    );
  }
  for (const view of viewSpecs(inputs.projectId, inputs.dataset)) {
    new BigqueryTable(scope, `view_${view.name}`, {
      datasetId: dataset.datasetId,
      tableId: view.name,
      deletionProtection: inputs.protectData,
      view: { query: view.query, useLegacySql: false },
      dependsOn: view.reads.map((name) => {
        const table = tables.get(name);
        if (!table) throw new Error(`view ${view.name} reads unknown table ${name}`);
        return table;
      }),
      labels: { app: 'zoom-tracker' },
    });
  }
  for (const [w, names] of Object.entries(TABLE_WRITERS) as [Workload, readonly string[]][]) {
    for (const name of names) {
      const table = tables.get(name);
      if (!table) throw new Error(`TABLE_WRITERS names unknown table ${name}`);
      new BigqueryTableIamMember(scope, `table_${name}_${w}`, {
        datasetId: dataset.datasetId,
        tableId: table.tableId,
        role: 'roles/bigquery.dataEditor',
        member: f.members[w],
      });
    }
  }
  // The jobs query (report, attendance), write (replay, report) and export (EXPORT DATA to reports/).
  new BigqueryDatasetIamMember(scope, 'dataset_jobs', {
    datasetId: dataset.datasetId,
    role: 'roles/bigquery.dataEditor',
    member: f.members.jobs,
  });
  new ProjectIamMember(scope, 'project_jobs_bigquery_job_user', {
    project: inputs.projectId,
    role: 'roles/bigquery.jobUser',
    member: f.members.jobs,
  });
  return dataset;
}

function addFirestore(scope: Construct, inputs: StackInputs, f: Foundation): FirestoreDatabase {
  const db = new FirestoreDatabase(scope, 'firestore', {
    name: inputs.firestoreDatabase,
    locationId: inputs.firestoreLocation,
    type: 'FIRESTORE_NATIVE',
    deleteProtectionState: inputs.protectData ? 'DELETE_PROTECTION_ENABLED' : 'DELETE_PROTECTION_DISABLED',
    deletionPolicy: inputs.protectData ? 'ABANDON' : 'DELETE',
  });
  for (const [group, indexes] of Object.entries(TTL_FIELDS)) {
    new FirestoreField(scope, `firestore_ttl_${group}`, {
      database: db.name,
      collection: group,
      field: 'expireAt',
      ttlConfig: {},
      // An explicit index list replaces the automatic indexes; an empty one exempts the field.
      ...(indexes !== 'automatic' && {
        indexConfig: { indexes: indexes.map((queryScope) => ({ queryScope, order: 'ASCENDING' })) },
      }),
    });
  }
  for (const [group, fields] of Object.entries(UNINDEXED_FIELDS)) {
    for (const field of fields) {
      new FirestoreField(scope, `firestore_unindexed_${group}_${field}`, {
        database: db.name,
        collection: group,
        field,
        indexConfig: { indexes: [] },
      });
    }
  }
  // Live state (webhook; the worker resolves RTMS user ids) and stream leases (worker): this database only.
  for (const w of ['webhook', 'worker'] as const) {
    new ProjectIamMember(scope, `project_${w}_datastore_user`, {
      project: inputs.projectId,
      role: 'roles/datastore.user',
      member: f.members[w],
      condition: {
        title: `zoom-tracker-${w}-firestore`,
        expression: `resource.name == "projects/${inputs.projectId}/databases/${inputs.firestoreDatabase}"`,
      },
    });
  }
  return db;
}
