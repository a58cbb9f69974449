// CSV as every file the project writes has it: UTF-8 with a byte-order mark (so Excel reads UTF-8),
// RFC 4180 quoting only where needed, NULL as an empty field, formula-like text cells prefixed with '
// (README, "CSV files"); and the RFC 4180 reader of rosters and of the attendance CSV.
export const CSV_BOM = '\uFEFF';

/** The first characters that make Excel, LibreOffice or Google Sheets read a cell as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made inert: one leading ' when it would start a formula (idempotent). Never for numbers. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field: null → empty, '' → "" (as DuckDB COPY and BigQuery EXPORT DATA write them), quoted when needed. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  if (value === '') return '""';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The whole file: BOM, header, one line per row, LF line ends. Columns in `text` hold free text
 * (names, e-mails, rooms, topics, identifiers) and are neutralised; the others are numbers, dates
 * and times the project formats itself, where a leading - is a sign, not a formula.
 */
export function toCsv<C extends string>(
  columns: readonly C[],
  rows: readonly Readonly<Record<C, string | null>>[],
  text: ReadonlySet<C>,
): string {
  const cell = (c: C, v: string | null): string =>
    csvField(v !== null && text.has(c) ? neutraliseFormula(v) : v);
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(c, r[c])).join(','))];
  return `${CSV_BOM}${lines.join('\n')}\n`;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; returns [line number, fields] per record. */
export function parseCsv(text: string): [number, string[]][] {
  const records: [number, string[]][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      fields.push(field);
      records.push([recordLine, fields]);
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push([recordLine, fields]);
  }
  return records.filter(([, f]) => !(f.length === 1 && f[0]?.trim() === ''));
}
