// The BigQuery → DuckDB translation, rule by rule, and that every SQL file of sql/ translates and
// prepares on DuckDB (the executed behaviour is covered by the report tests).
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { duckDbRawEventsDdl } from './duckdb-ddl.ts';
import { readSql, tableDdls, viewDdls } from './sql-files.ts';
import { toDuckDb } from './to-duckdb.ts';

describe('toDuckDb', () => {
  it.each([
    ['params', 'SELECT @a, @b_c', 'SELECT $a, $b_c'],
    [
      'dataset prefix',
      'SELECT * FROM zoom_tracker.raw_events JOIN `zoom_tracker.rooms` r',
      'SELECT * FROM raw_events JOIN rooms r',
    ],
    ['UNIX_MILLIS', 'SELECT UNIX_MILLIS(t)', 'SELECT epoch_ms(t)'],
    ['TIMESTAMP_MILLIS', 'SELECT TIMESTAMP_MILLIS(a + 1)', 'SELECT epoch_ms(CAST(a + 1 AS BIGINT))'],
    ['DIV nested', 'SELECT DIV(DIV(a, 2) * 100 + 3, 60000)', 'SELECT ((((a) // (2)) * 100 + 3) // (60000))'],
    [
      'FORMAT_TIMESTAMP',
      "SELECT FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', ts, 'UTC')",
      "SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ')",
    ],
    [
      'REGEXP_CONTAINS, LOGICAL_OR, COUNTIF',
      "SELECT REGEXP_CONTAINS(s, 'a,b'), LOGICAL_OR(x), COUNTIF(y)",
      "SELECT regexp_matches(s, 'a,b'), bool_or(x), count_if(y)",
    ],
    [
      'types in CAST only',
      'SELECT CAST(a AS INT64) AS bytes, SAFE_CAST(b AS FLOAT64) AS string_col',
      'SELECT CAST(a AS BIGINT) AS bytes, TRY_CAST(b AS DOUBLE) AS string_col',
    ],
    [
      'CODE_POINTS_TO_STRING of literal code points',
      'SELECT CODE_POINTS_TO_STRING([39]) || x, CODE_POINTS_TO_STRING([9, 13])',
      'SELECT (chr(39)) || x, (chr(9) || chr(13))',
    ],
    ['strings untouched', "SELECT 'zoom_tracker.x @p DIV(1,2)'", "SELECT 'zoom_tracker.x @p DIV(1,2)'"],
    ['comments dropped', 'SELECT 1 -- DIV(1, 2)\n/* @x */ FROM t', 'SELECT 1 \n FROM t'],
    [
      'DDL: partitioning, clustering and options dropped, types mapped',
      "CREATE TABLE IF NOT EXISTS zoom_tracker.t (\n  a STRING NOT NULL,\n  b INT64,\n  c BOOL\n)\nPARTITION BY d\nCLUSTER BY a, b\nOPTIONS (description = 'x (y)')",
      'CREATE TABLE IF NOT EXISTS t (\n  a VARCHAR NOT NULL,\n  b BIGINT,\n  c BOOLEAN\n)\n',
    ],
    [
      'SELECT * EXCEPT becomes EXCLUDE; set operations keep EXCEPT',
      'SELECT * EXCEPT (x) REPLACE (1 AS y) FROM t EXCEPT DISTINCT SELECT 1',
      'SELECT * EXCLUDE (x) REPLACE (1 AS y) FROM t EXCEPT DISTINCT SELECT 1',
    ],
    [
      'window PARTITION BY kept',
      'SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b)',
      'SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b)',
    ],
  ])('%s', (_name, input, expected) => {
    expect(toDuckDb(input)).toBe(expected);
  });

  it('refuses CODE_POINTS_TO_STRING of anything but a literal list', () => {
    expect(() => toDuckDb('SELECT CODE_POINTS_TO_STRING(cps)')).toThrow(/literal list of code points/);
  });

  it('fails loudly on unbalanced SQL', () => {
    expect(() => toDuckDb('SELECT DIV(1, 2')).toThrow(/unbalanced/);
    expect(() => toDuckDb("SELECT 'open")).toThrow(/unterminated/);
  });

  it('every DDL, view and query of sql/ prepares on DuckDB', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      await c.run(duckDbRawEventsDdl());
      for (const [table, ddl] of tableDdls()) if (table !== 'raw_events') await c.run(toDuckDb(ddl));
      for (const view of viewDdls()) await c.run(toDuckDb(view));
      for (const q of [
        'daily_report',
        'export_daily_report',
        'delete_daily_report',
        'count_daily_report',
        'meetings_of_day',
        'count_webhook_events',
        'webhook_event_ids',
        'meeting_bounds',
      ]) {
        const prepared = await c.prepare(toDuckDb(readSql(`queries/${q}.sql`)));
        expect(prepared.parameterCount, q).toBeGreaterThan(0);
      }
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
