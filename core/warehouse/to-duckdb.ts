// Translates the BigQuery SQL of sql/ into DuckDB SQL: the one source of truth runs on both engines.
// A tokenizer-based rewrite of the small BigQuery subset the queries use (functions, types, params,
// dataset prefixes, DDL options); anything outside the subset is left alone and fails loudly in DuckDB.

type TokenKind = 'ws' | 'comment' | 'string' | 'quoted' | 'word' | 'param' | 'punct';
interface Token {
  kind: TokenKind;
  text: string;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] ?? '';
    const rest = sql.slice(i, i + 2);
    if (/\s/.test(c)) {
      let j = i;
      while (j < sql.length && /\s/.test(sql[j] ?? '')) j++;
      push('ws', j);
    } else if (rest === '--') {
      const j = sql.indexOf('\n', i);
      push('comment', j === -1 ? sql.length : j);
    } else if (rest === '/*') {
      const j = sql.indexOf('*/', i + 2);
      if (j === -1) throw new Error('unterminated /* comment in SQL');
      push('comment', j + 2);
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      if (j >= sql.length) throw new Error(`unterminated ${c} literal in SQL`);
      push(c === "'" ? 'string' : 'quoted', j + 1);
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /\w/.test(sql[j] ?? '')) j++;
      push('param', j);
    } else if (/[A-Za-z_0-9]/.test(c)) {
      let j = i;
      while (j < sql.length && /[\w.]/.test(sql[j] ?? '')) j++;
      push('word', j);
    } else {
      push(
        'punct',
        rest === '||' || rest === '<=' || rest === '>=' || rest === '<>' || rest === '!=' ? i + 2 : i + 1,
      );
    }
  }
  return tokens;
}

const TYPES: Readonly<Record<string, string>> = {
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  NUMERIC: 'DECIMAL(38, 9)',
  BIGNUMERIC: 'DECIMAL(38, 9)',
  BYTES: 'BLOB',
  STRING: 'VARCHAR',
};

/** Function rewrites: name → (translated args) → DuckDB text. */
const FUNCTIONS: Readonly<Record<string, (args: string[]) => string>> = {
  UNIX_MILLIS: ([ts]) => `epoch_ms(${ts})`,
  TIMESTAMP_MILLIS: ([ms]) => `epoch_ms(CAST(${ms} AS BIGINT))`,
  DIV: ([a, b]) => `((${a}) // (${b}))`,
  FORMAT_TIMESTAMP: ([fmt, ts]) => `strftime(${ts}, ${fmt})`,
  REGEXP_CONTAINS: ([s, re]) => `regexp_matches(${s}, ${re})`,
  LOGICAL_OR: ([x]) => `bool_or(${x})`,
  LOGICAL_AND: ([x]) => `bool_and(${x})`,
  COUNTIF: ([x]) => `count_if(${x})`,
  JSON_VALUE: ([json, path]) => `json_extract_string(${json}, ${path})`,
  // Only used as a partition key: any good 64-bit hash will do.
  FARM_FINGERPRINT: ([x]) => `hash(${x})`,
  // Literal code points only (`[39]`, `[9, 13]`): characters the SQL cannot spell the same way on both.
  // (Arguments are split at top-level commas, brackets included: join them back.)
  CODE_POINTS_TO_STRING: (parts) => codePoints(parts.join(',')),
};

function codePoints(list: string): string {
  const m = /^\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]$/.exec(list);
  if (!m?.[1]) throw new Error(`CODE_POINTS_TO_STRING takes a literal list of code points here, not ${list}`);
  return `(${m[1]
    .split(',')
    .map((n) => `chr(${Number(n)})`)
    .join(' || ')})`;
}

export interface TranslateOptions {
  /** The dataset name used in the SQL files, removed from table paths (DuckDB has one schema). */
  dataset?: string;
}

/** BigQuery SQL → DuckDB SQL (params `@x` become `$x`). */
export function toDuckDb(sql: string, opts: TranslateOptions = {}): string {
  const dataset = opts.dataset ?? 'zoom_tracker';
  const tokens = tokenize(sql).filter((t) => t.kind !== 'comment');
  return render(tokens, 0, tokens.length, dataset);
}

function render(tokens: Token[], from: number, to: number, dataset: string): string {
  let out = '';
  let i = from;
  while (i < to) {
    const t = tokens[i] as Token;
    const upper = t.text.toUpperCase();
    if (t.kind === 'param') {
      out += `$${t.text.slice(1)}`;
      i++;
    } else if (t.kind === 'quoted' && t.text.startsWith('`')) {
      out += stripDataset(t.text.slice(1, -1), dataset);
      i++;
    } else if (t.kind === 'word' && FUNCTIONS[upper] && nextNonWs(tokens, i + 1, to)?.text === '(') {
      const open = nextNonWsIndex(tokens, i + 1, to);
      const close = matchParen(tokens, open, to);
      const args = splitArgs(tokens, open + 1, close).map(([a, b]) => render(tokens, a, b, dataset).trim());
      out += (FUNCTIONS[upper] as (args: string[]) => string)(args);
      i = close + 1;
    } else if (
      t.kind === 'word' &&
      (upper === 'PARTITION' || upper === 'CLUSTER') &&
      isDdlClause(tokens, i, to)
    ) {
      i = skipDdlClause(tokens, i, to);
    } else if (t.kind === 'word' && upper === 'OPTIONS' && nextNonWs(tokens, i + 1, to)?.text === '(') {
      i = matchParen(tokens, nextNonWsIndex(tokens, i + 1, to), to) + 1;
    } else if (t.kind === 'word' && TYPES[upper] && isTypePosition(tokens, i)) {
      out += TYPES[upper];
      i++;
    } else if (t.kind === 'word' && upper === 'EXCEPT' && prevNonWs(tokens, i)?.text === '*') {
      out += 'EXCLUDE'; // SELECT * EXCEPT (cols)
      i++;
    } else if (
      t.kind === 'word' &&
      upper === 'UNNEST' &&
      prevNonWs(tokens, i)?.text.toUpperCase() === 'IN' &&
      nextNonWs(tokens, i + 1, to)?.text === '('
    ) {
      // `x IN UNNEST(array)` is a set-returning call in DuckDB's IN list: make it a subquery.
      const open = nextNonWsIndex(tokens, i + 1, to);
      const close = matchParen(tokens, open, to);
      out += `(SELECT UNNEST(${render(tokens, open + 1, close, dataset)}))`;
      i = close + 1;
    } else if (t.kind === 'string' && t.text.includes('\\')) {
      // BigQuery decodes escapes ('\n' is a newline); DuckDB's plain literals keep backslashes.
      out += `'${unescapeBigQuery(t.text.slice(1, -1)).replace(/'/g, "''")}'`;
      i++;
    } else if (t.kind === 'word' && upper === 'SAFE_CAST') {
      out += 'TRY_CAST';
      i++;
    } else if (t.kind === 'word') {
      out += stripDataset(t.text, dataset);
      i++;
    } else {
      out += t.text;
      i++;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '?': '?',
  '"': '"',
  "'": "'",
  '`': '`',
};

/** The text of a BigQuery quoted literal's body: \n, \t, \\, \', \xhh, \uhhhh, \Uhhhhhhhh, \ooo. */
export function unescapeBigQuery(body: string): string {
  return body.replace(
    /\\(?:([abfnrtv\\?"'`])|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([0-7]{3})|([\s\S]))/g,
    (_m, simple?: string, hex?: string, u4?: string, u8?: string, oct?: string, bad?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple] as string;
      if (bad !== undefined) throw new Error(`illegal escape \\${bad} in a SQL string literal`);
      const code = parseInt((hex ?? u4 ?? u8 ?? oct) as string, oct !== undefined ? 8 : 16);
      return String.fromCodePoint(code);
    },
  );
}

function stripDataset(name: string, dataset: string): string {
  return name.startsWith(`${dataset}.`) ? name.slice(dataset.length + 1) : name;
}

function nextNonWsIndex(tokens: Token[], i: number, to: number): number {
  while (i < to && tokens[i]?.kind === 'ws') i++;
  return i;
}

function nextNonWs(tokens: Token[], i: number, to: number): Token | undefined {
  const j = nextNonWsIndex(tokens, i, to);
  return j < to ? tokens[j] : undefined;
}

function prevNonWs(tokens: Token[], i: number): Token | undefined {
  let j = i - 1;
  while (j >= 0 && tokens[j]?.kind === 'ws') j--;
  return j >= 0 ? tokens[j] : undefined;
}

function matchParen(tokens: Token[], open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    const text = tokens[i]?.kind === 'punct' ? tokens[i]?.text : undefined;
    if (text === '(') depth++;
    else if (text === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses in SQL');
}

function splitArgs(tokens: Token[], from: number, to: number): [number, number][] {
  const args: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const text = tokens[i]?.kind === 'punct' ? tokens[i]?.text : undefined;
    if (text === '(') depth++;
    else if (text === ')') depth--;
    else if (text === ',' && depth === 0) {
      args.push([start, i]);
      start = i + 1;
    }
  }
  args.push([start, to]);
  return args;
}

/** A type name after `AS` in CAST, or after a column name in a column definition. */
function isTypePosition(tokens: Token[], i: number): boolean {
  const prev = prevNonWs(tokens, i);
  if (!prev) return false;
  if (prev.kind === 'word' && prev.text.toUpperCase() === 'AS')
    return insideCast(tokens, tokens.indexOf(prev));
  if (prev.kind === 'punct' && prev.text === '<') return true;
  // Column definition: `name TYPE` right after `(` or `,` and a bare identifier.
  if (prev.kind !== 'word') return false;
  let j = tokens.indexOf(prev) - 1;
  while (j >= 0 && tokens[j]?.kind === 'ws') j--;
  const before = tokens[j];
  return before?.kind === 'punct' && (before.text === '(' || before.text === ',');
}

/** Whether the token at `i` sits directly inside CAST( ... ) or SAFE_CAST( ... ). */
function insideCast(tokens: Token[], i: number): boolean {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as Token;
    if (t.kind === 'punct' && t.text === ')') depth++;
    else if (t.kind === 'punct' && t.text === '(') {
      if (depth === 0) return /^(SAFE_)?CAST$/i.test(prevNonWs(tokens, j)?.text ?? '');
      depth--;
    }
  }
  return false;
}

/** `PARTITION BY`/`CLUSTER BY` of a CREATE TABLE (not the PARTITION BY of a window). */
function isDdlClause(tokens: Token[], i: number, to: number): boolean {
  return nextNonWs(tokens, i + 1, to)?.text.toUpperCase() === 'BY' && isCreateTableBody(tokens, i);
}

function isCreateTableBody(tokens: Token[], i: number): boolean {
  // Walk back to the statement start: a DDL clause follows CREATE TABLE at depth 0.
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as Token;
    if (t.kind === 'punct' && t.text === ')') depth++;
    else if (t.kind === 'punct' && t.text === '(') depth--;
    else if (t.kind === 'punct' && t.text === ';') return false;
    if (depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'TABLE') return true;
    if (depth < 0) return false;
  }
  return false;
}

function skipDdlClause(tokens: Token[], i: number, to: number): number {
  // Skip until OPTIONS, CLUSTER, AS, `;` or the end, at depth 0.
  let j = nextNonWsIndex(tokens, i + 1, to) + 1;
  let depth = 0;
  for (; j < to; j++) {
    const t = tokens[j] as Token;
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'punct' && t.text === ';') return j;
    else if (depth === 0 && t.kind === 'word' && /^(OPTIONS|CLUSTER|PARTITION|AS)$/i.test(t.text)) return j;
  }
  return j;
}
