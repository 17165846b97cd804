import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { DevUser } from './types';

/** A demo person: an account of the dev realm plus the memberships the demo seed gives them. */
export interface DemoUser extends DevUser {
  memberships: {
    tenant: string;
    role: 'tenant_admin' | 'member';
    groups: { key: string; role: 'group_admin' | 'member' }[];
  }[];
}

/** The repository (libs/dev-idp/src/ in the sources, dist/libs/dev-idp/src/ when compiled). */
const ROOT_CANDIDATES = [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..', '..', '..')];
const ROOT = ROOT_CANDIDATES.find((dir) => existsSync(join(dir, 'package.json'))) ?? ROOT_CANDIDATES[0]!;

/** The seed file of the demo people (`npm start`). */
export const DEMO_USERS_FILE: string = join(ROOT, 'libs', 'dev-idp', 'demo-users.json');

const key = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase key like "mach-mit"');

const demoUserSchema = z.strictObject({
  id: z.uuid().optional(),
  username: z.string().regex(/^[a-z0-9._@-]+$/, 'must be lowercase letters, digits, ".", "_", "@" or "-"'),
  // Simple passwords are fine for the demo, empty ones are not.
  password: z.string().min(1, 'must not be empty').optional(),
  email: z.email(),
  emailVerified: z.boolean(),
  givenName: z.string().trim().min(1),
  familyName: z.string().trim().min(1),
  realmRoles: z.array(z.string().min(1)).optional(),
  memberships: z.array(
    z.strictObject({
      tenant: key,
      role: z.enum(['tenant_admin', 'member']),
      groups: z.array(z.strictObject({ key, role: z.enum(['group_admin', 'member']) })),
    }),
  ),
});

const demoUsersFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    users: z.array(demoUserSchema),
  })
  .superRefine(({ users }, ctx) => {
    for (const field of ['id', 'username', 'email'] as const) {
      const seen = new Set<string>();
      users.forEach((user, index) => {
        const value = user[field]?.toLowerCase();
        if (value === undefined) return;
        if (seen.has(value)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', index, field],
            message: `duplicate ${field} "${value}"`,
          });
        }
        seen.add(value);
      });
    }
  });

/** `users[2].memberships[0].role` */
function fieldPath(path: PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Reads and validates the demo people; errors name the file and the field. */
export async function loadDemoUsers(file: string = DEMO_USERS_FILE): Promise<DemoUser[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read demo users file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = demoUsersFileSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${fieldPath(issue.path) || '(file)'}: ${issue.message}`,
    );
    throw new Error(`Invalid demo users file ${file}: ${problems.join('; ')}`);
  }
  return result.data.users;
}
