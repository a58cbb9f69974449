// `npm run lint`: the build (tsconfig.build.json, what the image ships) compiles no test file and
// nothing under a test/ folder; prints the offenders and fails otherwise.
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const listed = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], {
  cwd: repo,
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const offenders = listed
  .split('\n')
  .map((f) => relative(repo, f.trim()))
  .filter((f) => f !== '' && !f.startsWith('node_modules/') && !f.startsWith('..'))
  .filter((f) => /\.test\.ts$/.test(f) || /(^|\/)test\//.test(f));
if (offenders.length > 0) {
  console.error(`the build compiles test code (tsconfig.build.json):\n  ${offenders.join('\n  ')}`);
  process.exit(1);
}
