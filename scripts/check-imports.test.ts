// The import check behind `npm run lint`: which imports it sees, which cycles and cross-app
// imports it reports (exact lists).
import { describe, expect, it } from 'vitest';
import { findCrossAppImports, findCycles, importsOf } from './check-imports.ts';

describe('importsOf', () => {
  it('resolves static, type-only, re-export and dynamic relative imports; ignores packages and comments', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../core/b.ts';",
      "export { c } from './c/index.ts';",
      "const d = await import('./d.ts');",
      "import { z } from 'zod';",
      "// import { e } from './e.ts';",
    ].join('\n');
    expect(importsOf('webhook/server.ts', text)).toEqual([
      'webhook/a.ts',
      'core/b.ts',
      'webhook/c/index.ts',
      'webhook/d.ts',
    ]);
  });
});

describe('findCycles', () => {
  it('reports each cycle once as its sorted files, a self-import too, and nothing for a chain', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', []],
      ['f.ts', ['f.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['f.ts']]);
    expect(
      findCycles(
        new Map([
          ['x.ts', ['y.ts']],
          ['y.ts', []],
        ]),
      ),
    ).toEqual([]);
  });
});

describe('findCrossAppImports', () => {
  it('flags an app importing another app, never core/, bin/ or an import inside the same app', () => {
    const graph = new Map([
      ['webhook/server.ts', ['core/log.ts', 'webhook/ingest.ts', 'jobs/report.ts']],
      ['terraform/schemas.ts', ['rtms-worker/create-rtms-worker.ts']],
      ['bin/main.ts', ['webhook/main.ts', 'jobs/commands.ts']],
      ['core/x.ts', ['core/y.ts']],
    ]);
    expect(findCrossAppImports(graph)).toEqual([
      'terraform/schemas.ts -> rtms-worker/create-rtms-worker.ts',
      'webhook/server.ts -> jobs/report.ts',
    ]);
  });
});
