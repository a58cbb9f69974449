#!/usr/bin/env node
// Entry point of the `zoom-tracker` command. In a source checkout it runs the TypeScript through
// tsx; in an image built with `npm run build` (no .ts sources) it runs the compiled dist/.
import { existsSync } from 'node:fs';

// Archive writes are fsync-bound and run on libuv's pool: give it more than the default 4 threads
// (must be set before the first file-system call).
process.env.UV_THREADPOOL_SIZE ??= '16';

const source = new URL('./main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/bin/main.js', import.meta.url).href);
}
