// The runtime image's file layout, rebuilt without Docker: the build context as .dockerignore
// leaves it, compiled with `tsconfig.build.json`, then what the runtime stage copies, started with
// its ENTRYPOINT. Stand-in: node_modules is linked from the checkout, where the image runs
// `npm ci --omit=dev`. Shows the build needs nothing the context leaves out, and that the compiled
// CLI starts without TypeScript sources and offers every command the Terraform stack runs.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveInstruction, isDockerignored, parseDockerfile, parseDockerignore } from './dockerfile.ts';
import { JOBS } from './jobs.ts';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const docker = parseDockerfile(readFileSync(join(repo, 'deploy/Dockerfile'), 'utf8'));
const runtime = docker.stages.find((s) => s.name === 'runtime');

let tmp = '';
let app = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'zt-image-'));
  app = join(tmp, 'app');
  // The build stage: `COPY . .` of the context (.dockerignore applied), then `npm run build`.
  const context = join(tmp, 'context');
  const ignore = parseDockerignore(readFileSync(join(repo, '.dockerignore'), 'utf8'));
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: repo,
    maxBuffer: 16 << 20,
  });
  for (const file of stdout.split('\n').filter(Boolean)) {
    if (isDockerignored(ignore, file) || !existsSync(join(repo, file))) continue;
    cpSync(join(repo, file), join(context, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(context, 'node_modules'), 'dir');
  await run(
    process.execPath,
    [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--sourceMap', 'false'],
    {
      cwd: context,
      timeout: 110_000,
    },
  );
  mkdirSync(join(context, 'sql'), { recursive: true });
  // The runtime stage: its COPY instructions, from the build stage (/app) or from the context.
  for (const copy of runtime?.instructions.filter((i) => i.op === 'COPY') ?? []) {
    const parts = copy.arg.split(/\s+/);
    const fromBuild = parts[0]?.startsWith('--from=') ?? false;
    const paths = fromBuild ? parts.slice(1) : parts;
    const dest = paths.at(-1) ?? '.';
    for (const src of paths.slice(0, -1)) {
      const rel = fromBuild ? src.replace(/^\/app\//, '') : src;
      const to = paths.length > 2 || dest.endsWith('/') ? join(app, dest, basename(rel)) : join(app, dest);
      cpSync(join(context, rel), to, { recursive: true });
    }
  }
  symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Files under a folder, relative, skipping node_modules. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = join(prefix, e.name);
    if (e.name === 'node_modules') return [];
    return e.isDirectory() ? files(dir, rel) : [rel];
  });
}

describe('runtime image layout', () => {
  it('holds compiled JavaScript only, no TypeScript sources or tests', () => {
    const all = files(app);
    expect(all).toContain('bin/zoom-tracker.js');
    expect(all).toContain('dist/bin/main.js');
    expect(all.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(all.filter((f) => /\.test\.js$/.test(f))).toEqual([]);
  });

  it('starts the CLI from its ENTRYPOINT and offers every command the stack runs', async () => {
    const [cmd = '', ...args] = JSON.parse(
      effectiveInstruction(docker, 'webhook', 'ENTRYPOINT') ?? '[]',
    ) as string[];
    expect(cmd).toBe('node');
    const { stdout } = await run(process.execPath, [...args, '--help'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      timeout: 30_000,
    });
    const commands = new Set(
      stdout
        .split('\n')
        .map((l) => /^\s{2}([a-z-]+)\b/.exec(l)?.[1])
        .filter(Boolean),
    );
    for (const c of ['serve', 'worker', ...JOBS.map((j) => j.command)])
      expect(commands, String(c)).toContain(c);
  });

  it('imports at run time only packages that `npm ci --omit=dev` installs', () => {
    const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const seen = new Set<string>();
    for (const file of files(app).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(app, file), 'utf8');
      // A package name holds no space or comma: help text ending in "from'," is no import.
      for (const m of code.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./\s,][^'"\s]*)['"]/g,
      )) {
        const spec = m[1] as string;
        if (spec.startsWith('node:') || builtins.has(spec.split('/')[0] as string)) continue;
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : (spec.split('/')[0] as string);
        seen.add(name);
        const entry = lock.packages[`node_modules/${name}`];
        if (!entry || entry.dev) missing.add(`${name} (${file})`);
      }
    }
    expect(seen).toContain('zod');
    expect(seen).toContain('@google-cloud/firestore');
    expect([...missing]).toEqual([]);
  });
});
