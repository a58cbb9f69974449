// `npm run lint` step: fails on any import cycle and on any import from one app into another
// (webhook/, rtms-worker/, jobs/, terraform/ stand side by side on core/; bin/ may import all).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const APPS = ['webhook', 'rtms-worker', 'jobs', 'terraform'];
const SKIP = new Set(['node_modules', 'dist', 'cdktf.out', 'data', 'test-artifacts', '.git']);

/** Every .ts file under `root`, relative, with forward slashes. */
export function listSources(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** The relative imports of one file (static, type-only, re-exports and dynamic), resolved to repo paths. */
export function importsOf(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => join(dirname(file), spec).split(sep).join('/'));
}

/** The app a file belongs to, or undefined for core/, bin/, test/, bench/ and the rest. */
export function appOf(file: string): string | undefined {
  return APPS.find((app) => file.startsWith(`${app}/`));
}

/** Import cycles: every strongly connected group of more than one file, or a file importing itself. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Imports from one app into another, as `from -> to`. */
export function findCrossAppImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const app = appOf(from);
    if (!app) continue;
    for (const to of targets) {
      const other = appOf(to);
      if (other && other !== app) out.push(`${from} -> ${to}`);
    }
  }
  return out.sort();
}

function main(root: string): number {
  const graph = new Map<string, string[]>();
  for (const file of listSources(root))
    graph.set(file, importsOf(file, readFileSync(join(root, file), 'utf8')));
  const cycles = findCycles(graph);
  const crossApp = findCrossAppImports(graph);
  for (const c of cycles) console.error(`import cycle: ${c.join(' <-> ')}`);
  for (const line of crossApp) console.error(`cross-app import: ${line}`);
  if (cycles.length + crossApp.length > 0) return 1;
  process.stdout.write(`imports: ${graph.size} files, no cycle, no cross-app import\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename))
  process.exitCode = main(process.cwd());
