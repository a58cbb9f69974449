// The roster as live-view match keys: each member by email and by normalised "first last" name.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadRosterKeys } from './roster-keys.ts';

it('loads each member as an email key and a normalised-name key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zt-roster-keys-'));
  try {
    const path = join(dir, 'roster.csv');
    await writeFile(
      path,
      'email,first name,last name,id,department\nANA@example.com,Ana,García,1,Ops\nbo@example.com,  Bo ,Lee,2,Ops\n',
    );
    expect([...(await loadRosterKeys(path))].sort()).toEqual([
      'e:ana@example.com',
      'e:bo@example.com',
      'n:ana garcía',
      'n:bo lee',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
