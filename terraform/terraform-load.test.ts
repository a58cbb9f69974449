// Terraform itself loads the synthesized JSON: `terraform init -backend=false` decodes every block,
// expression and depends_on before it looks for providers. Providers come only from an empty local
// mirror, so nothing leaves the machine: init stops at "provider not found", after the config has
// passed. Where the terraform CLI is not installed the suite is skipped and says so in its title and
// on stderr (no registry this project installs from ships the terraform binary).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Testing } from 'cdktf';
import { parseInputs } from './inputs.ts';
import { STACK_NAME, ZoomTrackerStack } from './stack.ts';

const run = promisify(execFile);
const hasTerraform = await run('terraform', ['version'], {
  env: { PATH: process.env.PATH ?? '', CHECKPOINT_DISABLE: '1' },
}).then(
  () => true,
  () => false,
);

const tmp = mkdtempSync(join(tmpdir(), 'zt-tf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function terraformInit(env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'stack-'));
  const stack = new ZoomTrackerStack(Testing.app(), STACK_NAME, parseInputs(env));
  writeFileSync(join(dir, 'cdk.tf.json'), Testing.synth(stack));
  const cliConfig = join(dir, 'cli.tfrc');
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path = "${join(dir, 'mirror')}"\n  }\n}\ndisable_checkpoint = true\n`,
  );
  const result = await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    },
    timeout: 30_000,
  }).catch((err: { stdout?: string; stderr?: string }) => ({
    stdout: err.stdout ?? '',
    stderr: err.stderr ?? '',
  }));
  return `${result.stdout}\n${result.stderr}`;
}

const BASE = { ZT_PROJECT_ID: 'acme-zoom-prod', ZT_IMAGE_TAG: 'v1.2.3', ZT_S3_BUCKET: 'acme-recordings' };

if (!hasTerraform) {
  console.error('terraform-load: the terraform CLI is not on PATH; the load checks are SKIPPED');
}

const title = hasTerraform
  ? 'terraform loads the synthesized configuration'
  : 'SKIPPED (terraform CLI not on PATH): terraform loads the synthesized configuration';

describe.skipIf(!hasTerraform)(title, () => {
  it.each([
    ['full stage', BASE],
    ['foundation stage', { ZT_PROJECT_ID: 'acme-zoom-prod', ZT_STAGE: 'foundation' }],
    [
      'teardown mode with a state bucket',
      { ...BASE, ZT_PROTECT_DATA: 'false', ZT_STATE_BUCKET: 'acme-tfstate' },
    ],
  ])('%s: no configuration error or warning, only the (absent) provider', async (_name, env) => {
    const out = await terraformInit(env);
    expect(out).toContain('Initializing provider plugins');
    expect(out).toContain('hashicorp/google versions matching "6.50.0"');
    expect(out).not.toMatch(/problems with the configuration|Warning:/);
  });
});
