// Offline validation of BigQuery SQL: Google's ZetaSQL analyzer (the front end BigQuery uses), run
// as the local gRPC server bundled in @fivetrandevelopers/zetasql, with a catalog of our DDL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { DdlColumn } from '../../core/warehouse/bigquery-schema.ts';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- the package's generated gRPC types are loose */
interface ZetaModule {
  ZetaSQLClient: { init(port: number): void; getInstance(): any };
  LanguageOptions: new () => { enableMaximumLanguageFeatures(): Promise<{ serialize(): any }> };
}

const TYPE_KIND: Record<string, string> = {
  STRING: 'TYPE_STRING',
  DATE: 'TYPE_DATE',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  INT64: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  BOOL: 'TYPE_BOOL',
  JSON: 'TYPE_JSON',
  NUMERIC: 'TYPE_NUMERIC',
  BYTES: 'TYPE_BYTES',
};

export interface BigQueryValidator {
  /** Resolves one statement against the catalog; throws ZetaSQL's message (name, type or syntax errors). */
  analyze(sql: string, params?: Record<string, string>): Promise<string>;
  close(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startBigQueryValidator(
  dataset: string,
  tables: Map<string, DdlColumn[]>,
): Promise<BigQueryValidator> {
  const zeta = require('@fivetrandevelopers/zetasql') as ZetaModule;
  const binary = require
    .resolve('@fivetrandevelopers/zetasql')
    .replace(/index\.js$/, 'zetasql/remote_server.so');
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['localhost', String(port)], { stdio: 'ignore' });
  try {
    zeta.ZetaSQLClient.init(port);
    const client = zeta.ZetaSQLClient.getInstance();
    if (!(await client.testConnection())) throw new Error('ZetaSQL server did not start');
    const languageOptions = (await new zeta.LanguageOptions().enableMaximumLanguageFeatures()).serialize();
    languageOptions.supportedStatementKinds = [
      'RESOLVED_QUERY_STMT',
      'RESOLVED_INSERT_STMT',
      'RESOLVED_DELETE_STMT',
      'RESOLVED_CREATE_TABLE_STMT',
      'RESOLVED_CREATE_VIEW_STMT',
      'RESOLVED_EXPORT_DATA_STMT',
    ];
    const table = [...tables].map(([name, columns]) => ({
      name,
      column: columns.map((c) => {
        const typeKind = TYPE_KIND[c.type];
        if (!typeKind) throw new Error(`no ZetaSQL type for ${name}.${c.name} ${c.type}`);
        return { name: c.name, type: { typeKind } };
      }),
    }));
    const registered = await client.registerCatalog({
      simpleCatalog: {
        name: 'root',
        builtinFunctionOptions: { languageOptions },
        catalog: [{ name: dataset, table }],
      },
    });
    return {
      async analyze(sql, params = {}) {
        const queryParameters = Object.entries(params).map(([name, type]) => ({
          name,
          type: { typeKind: TYPE_KIND[type] },
        }));
        const response = await client.analyze({
          sqlStatement: sql,
          registeredCatalogId: registered.registeredId,
          options: { languageOptions, queryParameters, defaultTimezone: 'UTC' },
        });
        return String(response?.resolvedStatement?.node ?? 'unknown');
      },
      close() {
        child.kill('SIGKILL');
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
