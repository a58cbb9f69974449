// BigQuery tables and views of the dataset, derived from the DDL in sql/ddl (the files the jobs run
// and validate): columns, PARTITION BY, CLUSTER BY and description; raw_events' column descriptions
// come from RAW_EVENT_COLUMNS, whose names and order the DDL must equal (checked in the tests).
import { parseCreateTable } from '../core/warehouse/bigquery-schema.ts';
import { SQL_DATASET, tableDdls, viewDdls } from '../core/warehouse/sql-files.ts';
import { RAW_EVENT_COLUMNS } from '../core/warehouse/raw-events.ts';

export interface BqColumn {
  name: string;
  /** Standard SQL type as written in the DDL (STRING, INT64, FLOAT64, BOOL, JSON, ...). */
  type: string;
  mode: 'REQUIRED' | 'NULLABLE';
  description?: string;
}

export interface TableSpec {
  name: string;
  description: string;
  /** DATE column of the daily partitions; undefined for an unpartitioned table. */
  partitionField: string | undefined;
  clustering: readonly string[];
  columns: readonly BqColumn[];
}

export interface ViewSpec {
  name: string;
  /** The view's SELECT, with the dataset name of the deployment. */
  query: string;
  /** Tables the query reads (created first). */
  reads: readonly string[];
}

/** One `CREATE TABLE` statement of sql/ddl as a table spec. */
export function tableSpecOf(ddl: string): TableSpec {
  const { table, columns } = parseCreateTable(ddl);
  const tail = afterColumnList(ddl.replace(/--.*$/gm, ''));
  const partition = /PARTITION\s+BY\s+(\w+)/i.exec(tail)?.[1];
  const cluster = /CLUSTER\s+BY\s+([\w\s,]+?)(?:\s+OPTIONS|\s*;|\s*$)/i.exec(tail)?.[1];
  const description = /description\s*=\s*'([^']*)'/i.exec(tail)?.[1] ?? '';
  const described =
    table === 'raw_events'
      ? new Map(RAW_EVENT_COLUMNS.map((c) => [c.name as string, c.description]))
      : new Map<string, string>();
  return {
    name: table,
    description,
    partitionField: partition,
    clustering: cluster ? cluster.split(',').map((s) => s.trim()) : [],
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      mode: c.required ? 'REQUIRED' : 'NULLABLE',
      ...(described.has(c.name) && { description: described.get(c.name) }),
    })),
  };
}

/** The text after the closing parenthesis of the column list (PARTITION BY, CLUSTER BY, OPTIONS). */
function afterColumnList(text: string): string {
  let i = text.indexOf('(', /CREATE\s+TABLE/i.exec(text)?.index ?? 0);
  for (let depth = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) break;
  }
  return text.slice(i + 1);
}

/** Every table of sql/ddl, in file-name order. */
export function tableSpecs(): TableSpec[] {
  return [...tableDdls().values()].map(tableSpecOf);
}

/**
 * The views of sql/ddl/views.sql (`CREATE OR REPLACE VIEW <dataset>.<name> AS <select>`), their
 * table references qualified with the project so they resolve wherever the view is queried from.
 */
export function viewSpecs(project: string, dataset: string): ViewSpec[] {
  return viewDdls(dataset).map((ddl) => {
    const text = ddl.replace(/^\s*--.*$/gm, '').trim();
    const m = /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+[\w.]+\.(\w+)\s+AS\s+([\s\S]+)$/i.exec(text);
    if (!m) throw new Error(`not a CREATE VIEW statement: ${text.slice(0, 80)}`);
    const reads: string[] = [];
    const query = (m[2] as string)
      .trim()
      .replace(new RegExp(`\\b${dataset}\\.(\\w+)`, 'g'), (_all, table: string) => {
        reads.push(table);
        return `\`${project}.${dataset}.${table}\``;
      });
    return { name: m[1] as string, query, reads: [...new Set(reads)] };
  });
}

/** BigQuery's legacy names for the aliases, which the API returns (so the plan shows no diff). */
const API_TYPE: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };

/** The JSON schema BigQuery (and the Terraform table resource) take. */
export function bigQuerySchema(spec: TableSpec): string {
  return JSON.stringify(
    spec.columns.map((c) => ({
      name: c.name,
      type: API_TYPE[c.type] ?? c.type,
      mode: c.mode,
      ...(c.description && { description: c.description }),
    })),
  );
}

export { SQL_DATASET };
