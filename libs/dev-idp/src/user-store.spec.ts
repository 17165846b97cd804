import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevUser } from './types';
import { UserStore } from './user-store';

const ANNA: DevUser = {
  username: 'Anna',
  password: 'demo',
  email: 'Anna@Example.org',
  emailVerified: true,
  givenName: 'Anna',
  familyName: 'Schmitt',
};

describe('UserStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'allmende-user-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('derives a stable id for users given without one (per realm), lowercases username and e-mail', async () => {
    const first = await UserStore.open({ realm: 'allmende', seedUsers: [ANNA] });
    const second = await UserStore.open({ realm: 'allmende', seedUsers: [ANNA] });
    const other = await UserStore.open({ realm: 'elsewhere', seedUsers: [ANNA] });
    const [anna] = first.list();
    expect(anna).toMatchObject({ username: 'anna', email: 'anna@example.org', realmRoles: [] });
    expect(anna!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.list()[0]!.id).toBe(anna!.id);
    expect(other.list()[0]!.id).not.toBe(anna!.id);
  });

  it('authenticates by username or e-mail, case-insensitive, never without a password', async () => {
    const store = await UserStore.open({
      realm: 'allmende',
      seedUsers: [ANNA, { ...ANNA, username: 'ben', email: 'ben@example.org', password: undefined }],
    });
    expect((await store.authenticate('ANNA', 'demo'))?.username).toBe('anna');
    expect((await store.authenticate(' anna@EXAMPLE.org ', 'demo'))?.username).toBe('anna');
    expect(await store.authenticate('anna', 'Demo')).toBeUndefined();
    expect(await store.authenticate('ben', '')).toBeUndefined();
    expect(await store.authenticate('nobody', 'demo')).toBeUndefined();
  });

  it('refuses two users sharing an id, a username or an e-mail', async () => {
    await expect(
      UserStore.open({ realm: 'allmende', seedUsers: [ANNA, { ...ANNA, email: 'other@example.org' }] }),
    ).rejects.toThrow(/share an id, username or e-mail/);
  });

  it('writes only the users it created or changed, atomically, with hashed passwords', async () => {
    const usersFile = join(dir, 'users.json');
    const store = await UserStore.open({ realm: 'allmende', seedUsers: [ANNA], usersFile });
    const { user, created } = await store.ensure({
      email: 'Neu@example.org',
      givenName: ' Nina ',
      familyName: 'Neu',
    });
    expect(created).toBe(true);
    expect(await store.ensure({ email: 'anna@example.org', givenName: 'x', familyName: 'y' })).toMatchObject({
      created: false,
    });
    await store.completeActions(user.id, { password: 'Geheim', verifyEmail: true });
    await store.flush();

    const stored = JSON.parse(await readFile(usersFile, 'utf8')) as {
      version: number;
      users: { email: string }[];
    };
    expect(stored.version).toBe(1);
    expect(stored.users).toEqual([
      expect.objectContaining({
        id: user.id,
        email: 'neu@example.org',
        givenName: 'Nina',
        emailVerified: true,
        passwordHash: expect.stringMatching(/^scrypt\$/),
      }),
    ]);
    expect(JSON.stringify(stored)).not.toContain('Geheim');
    expect((await stat(usersFile)).mode & 0o077).toBe(0);
    expect(await readdir(dir)).toEqual(['users.json']);

    const reopened = await UserStore.open({ realm: 'allmende', seedUsers: [ANNA], usersFile });
    expect((await reopened.authenticate('neu@example.org', 'Geheim'))?.id).toBe(user.id);
  });

  it('lets the file win over a seed user with the same e-mail', async () => {
    const usersFile = join(dir, 'users.json');
    await writeFile(
      usersFile,
      JSON.stringify({
        version: 1,
        users: [
          {
            id: 'from-file',
            username: 'anna@example.org',
            email: 'ANNA@example.org',
            emailVerified: false,
            givenName: 'Anna (file)',
            familyName: 'Schmitt',
            realmRoles: [],
          },
        ],
      }),
    );
    const store = await UserStore.open({ realm: 'allmende', seedUsers: [ANNA], usersFile });
    expect(store.list()).toEqual([expect.objectContaining({ id: 'from-file', givenName: 'Anna (file)' })]);
  });
});
