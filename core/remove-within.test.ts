// Confined deletes on real files: a target inside the root is removed, the root itself, its parent,
// a sibling reached through `..` and an absolute path elsewhere are refused with nothing removed.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutsideRootError, removeEmptyDirWithin, removeWithin, within } from './remove-within.ts';

let base: string;
let root: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'remove-within-'));
  root = join(base, 'store');
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function tree(): Promise<void> {
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  await writeFile(join(root, 'a', 'b', 'f.txt'), 'x');
  await mkdir(join(base, 'sibling'), { recursive: true });
  await writeFile(join(base, 'sibling', 'keep.txt'), 'keep');
  await writeFile(join(base, 'next-to-root.txt'), 'keep');
}

describe('within', () => {
  it.each([
    ['a', 'a'],
    ['a/b/f.txt', 'a/b/f.txt'],
    ['a/../a/b', 'a/b'],
    ['..foo', '..foo'],
  ])('%s resolves inside the root', (target, rel) =>
    expect(within('/data/s3', target)).toBe(`/data/s3/${rel}`),
  );

  it.each(['', '.', '..', '../gcs', 'a/../..', '/etc', '/data/s3-other/x', '/data'])(
    '%j is refused',
    (target) => expect(() => within('/data/s3', target)).toThrow(OutsideRootError),
  );
});

describe('removeWithin', () => {
  it('removes a directory inside the root recursively', async () => {
    await tree();
    await removeWithin(root, join(root, 'a'));
    expect(await readdir(root)).toEqual([]);
  });

  it.each([
    ['the root itself', () => root],
    ['the parent of the root', () => join(root, '..')],
    ['a sibling through ..', () => join(root, '..', 'sibling')],
    ['an absolute path elsewhere', () => join(base, 'next-to-root.txt')],
  ])('refuses %s and removes nothing', async (_what, target) => {
    await tree();
    await expect(removeWithin(root, target())).rejects.toThrow(OutsideRootError);
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['f.txt']);
    expect((await readdir(base)).sort()).toEqual(['next-to-root.txt', 'sibling', 'store']);
    expect(await readdir(join(base, 'sibling'))).toEqual(['keep.txt']);
  });

  it('removeEmptyDirWithin removes an empty directory only', async () => {
    await tree();
    expect(await removeEmptyDirWithin(root, join(root, 'a', 'b'))).toBe(false);
    await rm(join(root, 'a', 'b', 'f.txt'));
    expect(await removeEmptyDirWithin(root, join(root, 'a', 'b'))).toBe(true);
    expect(await readdir(join(root, 'a'))).toEqual([]);
    await expect(removeEmptyDirWithin(root, base)).rejects.toThrow(OutsideRootError);
  });
});
