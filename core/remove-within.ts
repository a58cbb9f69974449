// Confined deletes: every delete of the worker and the local stores names the root it must stay in,
// and a target that resolves to that root or outside it is refused before anything is removed.
import { rm, rmdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A delete that would leave its store's root (or remove the root itself). */
export class OutsideRootError extends Error {
  override name = 'OutsideRootError';
}

/** The resolved target when it lies strictly inside root; throws OutsideRootError otherwise. */
export function within(root: string, target: string): string {
  const base = resolve(root);
  const path = resolve(base, target);
  const rel = relative(base, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new OutsideRootError(`refusing to delete ${path}: not inside ${base}`);
  return path;
}

/** `rm -rf target`, only when target lies inside root; a missing target is fine. */
export async function removeWithin(root: string, target: string): Promise<void> {
  await rm(within(root, target), { recursive: true, force: true });
}

/** Removes target only if it is an empty directory inside root; false when it is not (or is gone). */
export async function removeEmptyDirWithin(root: string, target: string): Promise<boolean> {
  const path = within(root, target);
  return rmdir(path).then(
    () => true,
    () => false,
  );
}
