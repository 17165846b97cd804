import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify } from 'jose';
import type Provider from 'oidc-provider';
import { escapeHtml, page } from '../html';
import { redirect, sendHtml } from '../http-io';
import { endProviderSession } from '../provider-session';
import type { Realm } from '../realm';

/** The client an ID token was issued to, if the token is ours (expired ones count, as with Keycloak). */
async function clientOfIdToken(realm: Realm, idToken: string): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(idToken, realm.signingKey.publicKey, { algorithms: ['RS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as {
      iss?: unknown;
      aud?: unknown;
      typ?: unknown;
    };
    if (claims.iss !== realm.issuer || claims.typ !== 'ID') return undefined;
    const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    return typeof audience === 'string' ? audience : undefined;
  } catch {
    return undefined;
  }
}

function refuse(res: ServerResponse, message: string): void {
  sendHtml(res, 400, page('Es ist ein Fehler aufgetreten', `<p>${escapeHtml(message)}</p>`));
}

/**
 * RP-initiated logout with an `id_token_hint`: Keycloak ends the session and redirects to the
 * registered `post_logout_redirect_uri` at once, without asking (oidc-provider would show a
 * confirmation page). Logout without a hint goes to oidc-provider and its confirmation page.
 */
export async function handleLogoutWithIdTokenHint(
  realm: Realm,
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const params = url.searchParams;
  const clientId = await clientOfIdToken(realm, params.get('id_token_hint') ?? '');
  const client = clientId ? realm.clients.get(clientId) : undefined;
  if (!client) return refuse(res, 'Ungültiger Parameter: id_token_hint');
  if (params.has('client_id') && params.get('client_id') !== client.clientId) {
    return refuse(res, 'Ungültiger Parameter: client_id');
  }
  const postLogoutRedirectUri = params.get('post_logout_redirect_uri');
  if (postLogoutRedirectUri !== null && !client.postLogoutRedirectUris.includes(postLogoutRedirectUri)) {
    return refuse(res, 'Ungültige Weiterleitungs-URI (post_logout_redirect_uri)');
  }

  await endProviderSession(realm, provider, req, res);

  if (postLogoutRedirectUri === null) {
    sendHtml(res, 200, page('Abgemeldet', '<p>Sie sind abgemeldet.</p>'));
    return;
  }
  const target = new URL(postLogoutRedirectUri);
  const state = params.get('state');
  if (state !== null) target.searchParams.set('state', state);
  redirect(res, target.href);
}
