// `npm run bench -- <name> [args]`: runs bench/<name>.ts in its own Node process (with --expose-gc
// and a larger libuv pool); with no name, lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench -- <${names.join('|')}> [--option=value ...]`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${name}.ts`, ...args], {
  stdio: 'inherit',
  env: { ...process.env, UV_THREADPOOL_SIZE: process.env['UV_THREADPOOL_SIZE'] ?? '16' },
});
process.exit(result.status ?? 1);
