import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { bearerToken, HttpError, readJson, sendEmpty, sendJson } from '../http-io';
import { SUPPORTED_ACTIONS, type Invitations } from '../invitations';
import type { Realm } from '../realm';
import type { RealmUser } from '../user-store';

/**
 * The dev admin API (`/realms/<realm>/dev-admin/...`): the little of Keycloak's admin REST API
 * that member invitations need, behind one bearer token. Unknown fields are rejected.
 */

const MAX_LIFESPAN_SECONDS = 30 * 24 * 60 * 60;

const ensureUserBody = z.strictObject({
  email: z.email().max(254),
  givenName: z.string().trim().max(255),
  familyName: z.string().trim().max(255),
  emailVerified: z.boolean().optional(),
});

const executeActionsBody = z.strictObject({
  actions: z.array(z.enum(SUPPORTED_ACTIONS)).min(1),
  redirectUri: z.url({ protocol: /^https?$/ }).optional(),
  lifespanSeconds: z.int().positive().max(MAX_LIFESPAN_SECONDS).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
    throw new HttpError(400, { error: 'invalid_request', error_description: problems.join('; ') });
  }
  return result.data;
}

function representation(user: RealmUser) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerified,
    givenName: user.givenName,
    familyName: user.familyName,
  };
}

function authorized(req: IncomingMessage, adminToken: string): boolean {
  const given = Buffer.from(bearerToken(req) ?? '');
  const expected = Buffer.from(adminToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `subPath` is the path below `/dev-admin`, e.g. `/users`. */
export async function handleDevAdminApi(
  realm: Realm,
  invitations: Invitations,
  adminToken: string,
  req: IncomingMessage,
  res: ServerResponse,
  subPath: string,
  url: URL,
): Promise<void> {
  if (!authorized(req, adminToken)) {
    sendJson(
      res,
      401,
      { error: 'unauthorized', error_description: 'a valid admin bearer token is required' },
      { 'WWW-Authenticate': `Bearer realm="${realm.name}"` },
    );
    return;
  }

  if (subPath === '/users' && req.method === 'GET') {
    const email = url.searchParams.get('email');
    const users = email === null ? realm.users.list() : [realm.users.findByEmail(email) ?? []].flat();
    sendJson(res, 200, users.map(representation));
    return;
  }

  if (subPath === '/users' && req.method === 'POST') {
    const body = parse(ensureUserBody, await readJson(req));
    const { user, created } = await realm.users.ensure(body);
    sendJson(res, created ? 201 : 200, { id: user.id, created });
    return;
  }

  const executeActions = /^\/users\/([^/]+)\/execute-actions-email$/.exec(subPath);
  if (executeActions && req.method === 'PUT') {
    const user = realm.users.findById(decodeURIComponent(executeActions[1]!));
    if (!user) throw new HttpError(404, { error: 'not_found', error_description: 'User not found' });
    const body = parse(executeActionsBody, await readJson(req));
    invitations.send({ userId: user.id, email: user.email, ...body });
    sendEmpty(res, 204);
    return;
  }

  if (subPath === '/action-emails' && req.method === 'GET') {
    sendJson(res, 200, invitations.emails());
    return;
  }

  throw new HttpError(404, { error: 'not_found', error_description: 'no such dev admin resource' });
}
