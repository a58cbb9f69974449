// The engine the report view reads with: BigQuery in production (the jobs' engine), and on the
// embedded default the warehouse's own reader (a read-only view of the DuckDB connection it holds).
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { Archive, Warehouse } from '../../core/ports.ts';
import type { ReadEngine } from '../../core/warehouse/sql-engine.ts';

export async function createReportEngine(
  config: Config,
  warehouse: Warehouse,
  archive: Archive,
  log: Logger,
): Promise<ReadEngine> {
  if (config.BACKEND === 'gcp') {
    const { createBigQueryEngine } = await import('../../core/adapters/gcp/bigquery-engine.ts');
    return createBigQueryEngine({
      projectId: config.GCP_PROJECT_ID ?? '',
      dataset: config.BQ_DATASET,
      bucket: config.GCS_BUCKET ?? '',
      archive,
      log,
      ...(config.BQ_LOCATION && { location: config.BQ_LOCATION }),
      ...(config.BIGQUERY_API_ENDPOINT && { apiEndpoint: config.BIGQUERY_API_ENDPOINT }),
    });
  }
  if (!warehouse.reader) throw new Error('the embedded warehouse serves no reads');
  return warehouse.reader;
}
