import { randomBytes } from 'node:crypto';
import Provider, {
  errors,
  type Account,
  type ClientMetadata,
  type Configuration,
  type CookiesSetOptions,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import { escapeHtml, page } from './html';
import { accessTokenClaims, ID_TOKEN_CLAIM_NAMES, idTokenClaims, profileClaims } from './keycloak-claims';
import { createMemoryAdapterFactory } from './memory-adapter';
import { createPasswordGrant, PASSWORD_GRANT_PARAMETERS, PASSWORD_GRANT_TYPE } from './password-grant';
import type { Realm } from './realm';
import type { DevClient } from './types';

/** Keycloak's endpoint paths below `/realms/<realm>`. */
export const KEYCLOAK_PATHS = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
  login: '/login-actions/authenticate',
  actionToken: '/login-actions/action-token',
} as const;

/** The SSO session cookie: scoped to the realm as Keycloak scopes its own. */
export function sessionCookieOptions(realm: Realm): CookiesSetOptions {
  return { httpOnly: true, sameSite: 'lax', path: `${realm.path}/` };
}

// Keycloak's names: a portal on another port of the same host keeps its own cookies apart.
const COOKIE_NAMES = { session: 'KEYCLOAK_SESSION', interaction: 'AUTH_SESSION_ID', resume: 'KC_RESTART' };

// Keycloak's defaults: SSO session idle 30 minutes and max 10 hours, login timeout 30 minutes.
const REFRESH_TOKEN_TTL_SECONDS = 30 * 60;
const SESSION_TTL_SECONDS = 10 * 60 * 60;
const INTERACTION_TTL_SECONDS = 30 * 60;

function clientMetadata(client: DevClient): ClientMetadata {
  const browserFlow = client.redirectUris.length > 0;
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    response_types: browserFlow ? ['code'] : [],
    // Every client may ask for the password grant; the grant itself answers `unauthorized_client`
    // to those without direct access grants, as Keycloak does (oidc-provider would say invalid_request).
    grant_types: [...(browserFlow ? ['authorization_code'] : []), 'refresh_token', PASSWORD_GRANT_TYPE],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** Skips consent like a Keycloak client without "consent required": whatever is asked for is granted. */
async function grantWithoutConsent(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const accountId = oidc.account!.accountId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant =
    existing?.accountId === accountId ? existing : new oidc.provider.Grant({ clientId, accountId });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes]);
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(
      indicator,
      [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope)),
    );
  }
  await grant.save();
  return grant;
}

async function renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
  ctx.type = 'html';
  ctx.body = page(
    'Es ist ein Fehler aufgetreten',
    `<p>Die Anfrage konnte nicht bearbeitet werden.</p>
<p><code>${escapeHtml(out.error ?? 'server_error')}</code>: ${escapeHtml(out.error_description ?? '')}</p>`,
  );
}

/**
 * The OpenID Connect core, oidc-provider configured to behave like a Keycloak realm: its paths,
 * its cookies, its token claims, consent skipped, PKCE required, access tokens as RS256 JWTs for
 * the API's audience. Mounted at `realm.path` by the server.
 */
export function createOidcProvider(realm: Realm): Provider {
  // Access tokens become JWTs only for a resource server; every request gets the API as default.
  const apiResource = `urn:allmende:dev-idp:${realm.apiClientId}`;
  const apiServer: ResourceServer = {
    scope: 'openid profile email offline_access',
    audience: realm.apiClientId,
    accessTokenTTL: realm.accessTokenTtlSeconds,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };

  const findAccount = (ctx: KoaContextWithOIDC, sub: string): Account | undefined => {
    if (!realm.users.findById(sub)) return undefined;
    return {
      accountId: sub,
      claims(use) {
        const user = realm.users.findById(sub)!;
        return use === 'id_token'
          ? { sub, ...idTokenClaims(user, ctx.oidc.client?.clientId) }
          : { sub, ...profileClaims(user) };
      },
    };
  };

  const configuration: Configuration = {
    adapter: createMemoryAdapterFactory(),
    clients: [...realm.clients.values()].map(clientMetadata),
    jwks: { keys: [realm.signingKey.privateJwk] },
    cookies: {
      names: COOKIE_NAMES,
      keys: [randomBytes(32).toString('base64url')],
      long: sessionCookieOptions(realm),
      short: { httpOnly: true, sameSite: 'lax' },
    },
    routes: {
      authorization: KEYCLOAK_PATHS.authorization,
      token: KEYCLOAK_PATHS.token,
      jwks: KEYCLOAK_PATHS.jwks,
      userinfo: KEYCLOAK_PATHS.userinfo,
      end_session: KEYCLOAK_PATHS.end_session,
      introspection: KEYCLOAK_PATHS.introspection,
      revocation: KEYCLOAK_PATHS.revocation,
      pushed_authorization_request: KEYCLOAK_PATHS.pushed_authorization_request,
    },
    // Confidential clients only, as ours are; Basic and form body alike, as Keycloak takes both.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic'],
    // Keycloak's default client scopes apply whether requested or not, so its claims ride on `openid`.
    claims: {
      openid: ['sub', ...ID_TOKEN_CLAIM_NAMES],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false,
    findAccount,
    loadExistingGrant: grantWithoutConsent,
    interactions: {
      url: (_ctx, interaction) =>
        `${realm.path}${KEYCLOAK_PATHS.login}?${new URLSearchParams({
          client_id: String(interaction.params.client_id ?? ''),
          tab_id: interaction.uid,
        })}`,
    },
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: realm.accessTokenTtlSeconds,
      IdToken: realm.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: SESSION_TTL_SECONDS,
    },
    renderError,
    formats: {
      customizers: {
        jwt(_ctx, token, jwt) {
          const user = 'accountId' in token ? realm.users.findById(token.accountId) : undefined;
          if (!user || !('accountId' in token)) return;
          jwt.header = { typ: 'JWT' };
          delete jwt.payload.client_id;
          Object.assign(
            jwt.payload,
            accessTokenClaims(user, {
              realm: realm.name,
              apiClientId: realm.apiClientId,
              clientId: token.clientId!,
              sid: token.sid,
              scope: token.scope,
            }),
          );
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page(
            'Abmelden',
            `<p>Möchten Sie sich abmelden?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Abmelden</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('Abgemeldet', '<p>Sie sind abgemeldet.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => apiResource,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== apiResource) throw new errors.InvalidTarget();
          return apiServer;
        },
      },
    },
  };

  const provider = new Provider(realm.issuer, configuration);
  // Keycloak puts the session id (`sid`) into every token; oidc-provider only for clients with
  // back-channel logout. Codes carry it on to the access, refresh and ID tokens.
  provider.Client.prototype.includeSid = () => true;
  provider.registerGrantType(
    PASSWORD_GRANT_TYPE,
    createPasswordGrant(realm, { resource: apiResource, server: apiServer }),
    PASSWORD_GRANT_PARAMETERS,
  );
  provider.on('server_error', (_ctx, error: Error) => {
    process.stderr.write(`dev identity provider: ${error.stack ?? error.message}\n`);
  });
  // A logout through the confirmation page: the tokens of that session stop being active.
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    for (const authorization of Object.values(ctx.oidc.session?.authorizations ?? {})) {
      if (authorization.sid) realm.endedSessions.add(authorization.sid);
    }
  });
  return provider;
}
