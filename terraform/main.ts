// Synthesizes the zoom-tracker stack to Terraform JSON (`npm run synth`, or `cdktf synth` in this
// folder): the only place that reads the environment. Output: cdktf.out/stacks/zoom-tracker/.
import { resolve } from 'node:path';
import { App } from 'cdktf';
import { InputsError, parseInputs } from './inputs.ts';
import { STACK_NAME, ZoomTrackerStack } from './stack.ts';

try {
  // Local state lives outside cdktf.out (which synth rewrites), relative to where synth runs.
  const localState = resolve(process.env.ZT_LOCAL_STATE || 'terraform.zoom-tracker.tfstate');
  const inputs = parseInputs({ ...process.env, ZT_LOCAL_STATE: localState });
  const app = new App({ skipValidation: false });
  new ZoomTrackerStack(app, STACK_NAME, inputs);
  app.synth();
  console.log(
    `synthesized ${inputs.stage} stage of ${inputs.projectId} to ${app.outdir}/stacks/${STACK_NAME}/`,
  );
  console.log(
    `next: terraform -chdir=${app.outdir}/stacks/${STACK_NAME} init && terraform -chdir=${app.outdir}/stacks/${STACK_NAME} apply`,
  );
} catch (err) {
  console.error(err instanceof InputsError ? err.message : err);
  process.exitCode = 1;
}
