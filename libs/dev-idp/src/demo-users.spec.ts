import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEMO_USERS_FILE, loadDemoUsers, type DemoUser } from './demo-users';

/** Group keys of a tenant template, read from templates/tenants/<kind>.yaml. */
function templateGroupKeys(kind: string): Set<string> {
  const file = join(DEMO_USERS_FILE, '..', '..', '..', 'templates', 'tenants', `${kind}.yaml`);
  const template = parse(readFileSync(file, 'utf8')) as { groups: { key: string }[] };
  return new Set(template.groups.map((group) => group.key));
}

describe('the demo users seed file', () => {
  let users: DemoUser[];
  beforeAll(async () => {
    users = await loadDemoUsers();
  });

  it('lives at an absolute path in libs/dev-idp', () => {
    expect(isAbsolute(DEMO_USERS_FILE)).toBe(true);
    expect(DEMO_USERS_FILE).toMatch(/libs\/dev-idp\/demo-users\.json$/);
  });

  it('has the people the demo needs', () => {
    const memberOf = (user: DemoUser, tenant: string) => user.memberships.find((m) => m.tenant === tenant);
    expect(users.some((user) => memberOf(user, 'ransbach-baumbach')?.role === 'tenant_admin')).toBe(true);
    expect(
      users.some((user) =>
        memberOf(user, 'ransbach-baumbach')?.groups.some(
          (g) => g.key === 'grillhuette' && g.role === 'group_admin',
        ),
      ),
    ).toBe(true);
    const ordinary = users.filter(
      (user) =>
        memberOf(user, 'ransbach-baumbach')?.role === 'member' &&
        memberOf(user, 'ransbach-baumbach')!.groups.every((g) => g.role === 'member'),
    );
    expect(ordinary.length).toBeGreaterThanOrEqual(2);
    expect(ordinary.some((user) => memberOf(user, 'tus-ransbach')?.role === 'member')).toBe(true);
    expect(users.some((user) => !user.emailVerified)).toBe(true);
    expect(
      users.some((user) => user.realmRoles?.includes('platform_admin') && user.memberships.length === 0),
    ).toBe(true);
  });

  it('uses e-mails under example.org, non-empty passwords and the templates’ group keys', () => {
    const groups: Record<string, Set<string>> = {
      'ransbach-baumbach': templateGroupKeys('municipality'),
      'tus-ransbach': templateGroupKeys('sports-club'),
    };
    for (const user of users) {
      expect(user.email).toMatch(/@example\.org$/);
      expect(user.password).toEqual(expect.stringMatching(/.+/));
      for (const membership of user.memberships) {
        expect(Object.keys(groups)).toContain(membership.tenant);
        for (const group of membership.groups) expect([...groups[membership.tenant]!]).toContain(group.key);
      }
    }
  });
});

describe('loadDemoUsers on a bad file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'allmende-demo-users-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const person = {
    username: 'a',
    password: 'demo',
    email: 'a@example.org',
    emailVerified: true,
    givenName: 'A',
    familyName: 'B',
    memberships: [
      { tenant: 'ransbach-baumbach', role: 'member', groups: [{ key: 'mach-mit', role: 'member' }] },
    ],
  };
  async function load(content: unknown): Promise<DemoUser[]> {
    const file = join(dir, 'users.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return loadDemoUsers(file);
  }

  it('names the file and the field', async () => {
    await expect(
      load({ users: [person, { ...person, username: 'b', email: 'b@example.org', emailVerified: 'yes' }] }),
    ).rejects.toThrow(`Invalid demo users file ${join(dir, 'users.json')}: users[1].emailVerified: `);
    const badRole = { ...person, memberships: [{ ...person.memberships[0], role: 'owner' }] };
    await expect(load({ users: [badRole] })).rejects.toThrow(/users\[0\]\.memberships\[0\]\.role: /);
    await expect(load({ users: [{ ...person, password: '' }] })).rejects.toThrow(
      /users\[0\]\.password: must not be empty/,
    );
    await expect(load({ users: [{ ...person, nickname: 'x' }] })).rejects.toThrow(/users\[0\]: .*nickname/);
  });

  it('refuses duplicate e-mails and usernames', async () => {
    await expect(
      load({ users: [person, { ...person, username: 'b', email: 'A@example.org' }] }),
    ).rejects.toThrow(/users\[1\]\.email: duplicate email "a@example.org"/);
    await expect(load({ users: [person, { ...person, email: 'b@example.org' }] })).rejects.toThrow(
      /users\[1\]\.username: duplicate username/,
    );
  });

  it('says so when the file is not JSON or missing', async () => {
    await expect(load('{ users: ')).rejects.toThrow(/Cannot read demo users file .*users\.json: /);
    await expect(loadDemoUsers(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read demo users file/);
  });
});
