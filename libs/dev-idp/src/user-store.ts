import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash';
import type { DevUser } from './types';

/** A user as the realm keeps it: username and e-mail lowercased (as Keycloak does), password hashed. */
export interface RealmUser {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  givenName: string;
  familyName: string;
  realmRoles: string[];
  passwordHash?: string;
}

/** Namespace of the UUIDs derived for users given without an id (any fixed UUID would do). */
const USER_ID_NAMESPACE = '4f1c2d7e-5b0a-4c3e-9a43-6d2f0b8e71a5';

const usersFileSchema = z.object({
  version: z.literal(1),
  users: z.array(
    z.object({
      id: z.string().min(1),
      username: z.string().min(1),
      email: z.email(),
      emailVerified: z.boolean(),
      givenName: z.string(),
      familyName: z.string(),
      realmRoles: z.array(z.string()),
      passwordHash: z.string().refine(isPasswordHash, 'is not a password hash').optional(),
    }),
  ),
});

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

const lower = (value: string) => value.trim().toLowerCase();

/**
 * The realm's users: the ones given at start, plus those the admin API created or changed,
 * which are kept in the users file (when there is one) so that they survive a restart.
 */
export class UserStore {
  private readonly users = new Map<string, RealmUser>();
  /** Ids of the users that belong in the users file. */
  private readonly persisted = new Set<string>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly usersFile: string | undefined) {}

  static async open(options: {
    realm: string;
    seedUsers: DevUser[];
    usersFile?: string;
  }): Promise<UserStore> {
    const store = new UserStore(options.usersFile);
    const seeds = await Promise.all(options.seedUsers.map((user) => fromDevUser(user, options.realm)));
    const fromFile = options.usersFile ? await readUsersFile(options.usersFile) : [];
    const fileEmails = new Set(fromFile.map((user) => user.email));
    for (const user of seeds) if (!fileEmails.has(user.email)) store.add(user);
    for (const user of fromFile) {
      store.add(user);
      store.persisted.add(user.id);
    }
    return store;
  }

  private add(user: RealmUser): void {
    const clash = [...this.users.values()].find(
      (other) => other.id === user.id || other.username === user.username || other.email === user.email,
    );
    if (clash) {
      throw new Error(
        `dev identity provider: users ${clash.email} and ${user.email} share an id, username or e-mail`,
      );
    }
    this.users.set(user.id, user);
  }

  list(): RealmUser[] {
    return [...this.users.values()].map((user) => ({ ...user, realmRoles: [...user.realmRoles] }));
  }

  findById(id: string): RealmUser | undefined {
    return this.users.get(id);
  }

  findByEmail(email: string): RealmUser | undefined {
    const wanted = lower(email);
    return [...this.users.values()].find((user) => user.email === wanted);
  }

  /** Sign-in accepts the username or the e-mail address, both case-insensitive (as Keycloak does). */
  async authenticate(login: string, password: string): Promise<RealmUser | undefined> {
    const wanted = lower(login);
    const user =
      [...this.users.values()].find((candidate) => candidate.username === wanted) ?? this.findByEmail(login);
    if (!user?.passwordHash || !password) return undefined;
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  /** The user with this e-mail, created (username = e-mail, no password) if there is none. */
  async ensure(input: {
    email: string;
    givenName: string;
    familyName: string;
    emailVerified?: boolean;
  }): Promise<{ user: RealmUser; created: boolean }> {
    const existing = this.findByEmail(input.email);
    if (existing) return { user: existing, created: false };
    const email = lower(input.email);
    const user: RealmUser = {
      id: randomUUID(),
      username: email,
      email,
      emailVerified: input.emailVerified ?? false,
      givenName: input.givenName.trim(),
      familyName: input.familyName.trim(),
      realmRoles: [],
    };
    this.add(user);
    await this.persist(user.id);
    return { user, created: true };
  }

  /** What an invitation link does once the person has filled it in. */
  async completeActions(id: string, changes: { password?: string; verifyEmail: boolean }): Promise<void> {
    const user = this.users.get(id);
    if (!user) throw new Error(`dev identity provider: no user ${id}`);
    if (changes.password !== undefined) user.passwordHash = await hashPassword(changes.password);
    if (changes.verifyEmail) user.emailVerified = true;
    await this.persist(id);
  }

  /** Waits for pending writes of the users file. */
  flush(): Promise<void> {
    return this.writing;
  }

  private persist(id: string): Promise<void> {
    this.persisted.add(id);
    const file = this.usersFile;
    if (!file) return Promise.resolve();
    // One write after the other, each with the state of its moment: the last one wins.
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => {
        const users = [...this.persisted].flatMap((userId) => this.users.get(userId) ?? []);
        return writeFileAtomically(file, `${JSON.stringify({ version: 1, users }, null, 2)}\n`);
      });
    return this.writing;
  }
}

async function fromDevUser(user: DevUser, realm: string): Promise<RealmUser> {
  const email = lower(user.email);
  if (!email || !user.username.trim()) {
    throw new Error(
      `dev identity provider: every user needs a username and an e-mail (got "${user.username}")`,
    );
  }
  return {
    id: user.id ?? uuidv5(`${realm}/${email}`, USER_ID_NAMESPACE),
    username: lower(user.username),
    email,
    emailVerified: user.emailVerified,
    givenName: user.givenName,
    familyName: user.familyName,
    realmRoles: [...(user.realmRoles ?? [])],
    passwordHash: user.password ? await hashPassword(user.password) : undefined,
  };
}

async function readUsersFile(file: string): Promise<RealmUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`dev identity provider: users file ${file} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`dev identity provider: users file ${file} is invalid: ${describeIssues(parsed.error)}`);
  }
  return parsed.data.users.map((user) => ({
    ...user,
    username: lower(user.username),
    email: lower(user.email),
  }));
}
