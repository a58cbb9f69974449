// Reads the BigQuery SQL of sql/ (DDL, views, queries) and names the dataset: the files say
// `zoom_tracker`, and a deployment with another BQ_DATASET gets its name substituted.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's sql/ directory, found upward from this module (source checkout or dist/). */
export function sqlDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'sql', 'queries');
    if (existsSync(candidate)) return join(dir, 'sql');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sql/ directory not found next to the program');
    dir = parent;
  }
}

export const SQL_DATASET = 'zoom_tracker';

export function readSql(relPath: string, dataset = SQL_DATASET): string {
  const text = readFileSync(join(sqlDir(), relPath), 'utf8');
  return dataset === SQL_DATASET ? text : text.replace(/\bzoom_tracker\./g, `${dataset}.`);
}

/** The DDL files, one CREATE TABLE each, by table name. */
export function tableDdls(dataset = SQL_DATASET): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(join(sqlDir(), 'ddl')).sort()) {
    if (!file.endsWith('.sql') || file === 'views.sql') continue;
    out.set(file.replace(/\.sql$/, ''), readSql(`ddl/${file}`, dataset));
  }
  return out;
}

/** The statements of sql/ddl/views.sql. */
export function viewDdls(dataset = SQL_DATASET): string[] {
  return splitStatements(readSql('ddl/views.sql', dataset));
}

/** Splits a file on `;` at line ends (the SQL files never put `;` inside literals). */
export function splitStatements(text: string): string[] {
  return text
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
}
