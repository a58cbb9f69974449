// Table schemas read from the BigQuery DDL of sql/ddl (column name, type, NOT NULL), for the
// offline validation of the queries and the check that raw_events matches RAW_EVENT_COLUMNS.
import { tableDdls, viewDdls } from './sql-files.ts';

export interface DdlColumn {
  name: string;
  type: string;
  required: boolean;
}

/** Columns of one `CREATE TABLE name ( ... )` statement. */
export function parseCreateTable(ddl: string): { table: string; columns: DdlColumn[] } {
  const text = ddl.replace(/--.*$/gm, '');
  const head = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([\w.]+)`?\s*\(/i.exec(text);
  if (!head) throw new Error('not a CREATE TABLE statement');
  let depth = 1;
  let i = head.index + head[0].length;
  const start = i;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
  }
  const body = text.slice(start, i - 1);
  const columns = splitTopLevel(body).map((def) => {
    const m = /^\s*(\w+)\s+([A-Z0-9_]+(?:<[^>]*>)?)(.*)$/is.exec(def);
    if (!m) throw new Error(`cannot read column definition "${def.trim()}"`);
    return {
      name: m[1] as string,
      type: (m[2] as string).toUpperCase(),
      required: /NOT\s+NULL/i.test(m[3] as string),
    };
  });
  return { table: (head[1] as string).split('.').pop() as string, columns };
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '(' || ch === '<') depth++;
    if (ch === ')' || ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

/** Every table of sql/ddl, plus each view with its base table's columns (views select `*`). */
export function datasetSchema(): Map<string, DdlColumn[]> {
  const tables = new Map<string, DdlColumn[]>();
  for (const ddl of tableDdls().values()) {
    const { table, columns } = parseCreateTable(ddl);
    tables.set(table, columns);
  }
  for (const view of viewDdls()) {
    // Every view selects `*` (at most REPLACEing values) from one base table: it keeps its columns.
    const m = /VIEW\s+[\w]+\.(\w+)\s+AS\s+SELECT\s+\*[\s\S]*?\bFROM\s+[\w]+\.(\w+)/is.exec(view);
    if (!m) throw new Error(`views must select * from one table: ${view.slice(0, 80)}`);
    const base = tables.get(m[2] as string);
    if (!base) throw new Error(`view ${m[1]} reads unknown table ${m[2]}`);
    tables.set(m[1] as string, base);
  }
  return tables;
}
