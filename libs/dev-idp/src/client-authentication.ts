import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { basicCredentials } from './http-io';
import type { Realm } from './realm';
import type { DevClient } from './types';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The client that authenticates a back-channel request, by HTTP Basic or `client_id` and
 * `client_secret` in the form body. Both at once are accepted when they agree: keycloak-connect
 * sends its credentials that way, and Keycloak takes it.
 */
export function authenticateClient(
  realm: Realm,
  req: IncomingMessage,
  form: URLSearchParams,
): DevClient | undefined {
  const basic = basicCredentials(req);
  const postedId = form.get('client_id') ?? undefined;
  const postedSecret = form.get('client_secret') ?? undefined;
  if (basic && postedId !== undefined && postedId !== basic.id) return undefined;
  if (basic && postedSecret !== undefined && postedSecret !== basic.secret) return undefined;
  const id = basic?.id ?? postedId;
  const secret = basic?.secret ?? postedSecret;
  if (id === undefined || secret === undefined) return undefined;
  const client = realm.clients.get(id);
  return client && sameSecret(secret, client.clientSecret) ? client : undefined;
}
