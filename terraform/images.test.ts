// What can be checked of the images without a Docker engine: base image, non-root user, entrypoint
// and commands matching package.json and the CLI, ffmpeg in the worker only, production dependencies
// only, and the Cloud Build config and the Terraform stack naming the same targets.
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectiveInstruction, parseDockerfile, type Stage } from './dockerfile.ts';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

const docker = parseDockerfile(read('deploy/Dockerfile'));
const stage = (name: string): Stage => {
  const s = docker.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
const effective = (target: string, op: string): string | undefined =>
  effectiveInstruction(docker, target, op);
const runs = (name: string): string =>
  stage(name)
    .instructions.filter((i) => i.op === 'RUN')
    .map((i) => i.arg)
    .join('\n');

const pkg = JSON.parse(read('package.json')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const TARGETS = ['webhook', 'rtms-worker', 'jobs'] as const;

describe('deploy/Dockerfile', () => {
  it('builds on a slim Node 22+ image in every stage', () => {
    const base = docker.args.NODE_IMAGE ?? '';
    expect(base).toMatch(/^node:(\d+)[\w.-]*-slim$/);
    expect(Number(/^node:(\d+)/.exec(base)?.[1])).toBeGreaterThanOrEqual(22);
    for (const s of docker.stages)
      expect(['${NODE_IMAGE}', ...docker.stages.map((x) => x.name)]).toContain(s.from);
  });

  it('runs every target as the non-root node user', () => {
    for (const t of TARGETS) expect(effective(t, 'USER'), t).toBe('node');
  });

  it('starts the package bin with the commands package.json and the CLI define', () => {
    const bin = pkg.bin['zoom-tracker'] ?? 'missing bin';
    for (const t of TARGETS)
      expect(JSON.parse(effective(t, 'ENTRYPOINT') ?? 'null'), t).toEqual(['node', bin]);
    expect(JSON.parse(effective('webhook', 'CMD') ?? 'null')).toEqual(['serve']);
    expect(pkg.scripts.start).toBe(`node ${bin} serve`);
    expect(JSON.parse(effective('rtms-worker', 'CMD') ?? 'null')).toEqual(['worker']);
    expect(read('bin/main.ts')).toMatch(/name: 'worker'/);
    // The bin shim runs dist/bin/main.js when no sources are present, which the build emits.
    expect(read(bin)).toContain("'../dist/bin/main.js'");
    const build = JSON.parse(read('tsconfig.build.json')) as {
      compilerOptions: { outDir: string };
      include: string[];
    };
    expect(build.compilerOptions.outDir).toBe('dist');
    expect(build.include).toContain('bin/**/*.ts');
    expect(existsSync(new URL('bin/main.ts', root))).toBe(true);
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
    expect(runs('build')).toContain('npm run build');
  });

  it('ships production dependencies and compiled code only', () => {
    expect(runs('build')).toMatch(/npm ci(?! --omit)/);
    expect(runs('runtime')).toMatch(/npm ci --omit=dev/);
    const copies = stage('runtime')
      .instructions.filter((i) => i.op === 'COPY')
      .map((i) => i.arg);
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(copies.filter((c) => !c.startsWith('--from'))).toEqual([
      'package.json package-lock.json ./',
      'bin/zoom-tracker.js ./bin/zoom-tracker.js',
    ]);
    const ignore = read('.dockerignore').split('\n');
    for (const p of ['node_modules', 'dist', 'data', '.git', '.env', '*.tfstate*', 'cdktf.out'])
      expect(ignore).toContain(p);
  });

  it('installs ffmpeg from Debian packages in the worker image only', () => {
    expect(runs('rtms-worker')).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    for (const s of docker.stages.filter((x) => x.name !== 'rtms-worker'))
      expect(runs(s.name), s.name).not.toMatch(/ffmpeg|apt-get/);
  });
});

describe('image names across Cloud Build and Terraform', () => {
  it('builds and pushes each target under the name the stack deploys', () => {
    const cloudbuild = read('deploy/cloudbuild.yaml').replace(/\s+/g, ' ');
    const snapshot = read('terraform/__snapshots__/zoom-tracker.tf.json');
    for (const t of TARGETS) {
      expect(cloudbuild).toContain(
        `'--target', '${t}', '-t', '\${_REGION}-docker.pkg.dev/$PROJECT_ID/\${_REPOSITORY}/${t}:\${_TAG}'`,
      );
      expect(snapshot).toContain(`/zoom-tracker/${t}:v1.2.3"`);
    }
    // The services run the same command the image would by default.
    const tf = JSON.parse(snapshot) as {
      resource: Record<string, Record<string, { template: { containers: { args: string[] }[] } }>>;
    };
    const svc = tf.resource.google_cloud_run_v2_service ?? {};
    expect(svc.service_webhook?.template.containers[0]?.args).toEqual(
      JSON.parse(effective('webhook', 'CMD') ?? 'null'),
    );
    expect(svc.service_rtms_worker?.template.containers[0]?.args).toEqual(
      JSON.parse(effective('rtms-worker', 'CMD') ?? 'null'),
    );
  });
});
