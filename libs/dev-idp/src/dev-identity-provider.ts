import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { HttpError, sendJson } from './http-io';
import { Invitations } from './invitations';
import { createOidcProvider, KEYCLOAK_PATHS } from './oidc-provider-factory';
import type { Realm } from './realm';
import { RequestCounter } from './request-counter';
import { handleActionTokenPage } from './routes/action-token-page';
import { handleDevAdminApi } from './routes/dev-admin-api';
import { handleIntrospection } from './routes/introspection';
import { handleLoginPage } from './routes/login-page';
import { handleLogoutWithIdTokenHint } from './routes/logout';
import { handleRealmInfo } from './routes/realm-info';
import { handleUserinfo } from './routes/userinfo';
import { resolveSigningKey } from './signing-key';
import {
  DevIdentityProviderRefusedError,
  type DevIdentityProvider,
  type DevIdentityProviderOptions,
  type DevUser,
} from './types';
import { UserStore } from './user-store';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections (fetch keeps them) would hold close() open.
    server.closeAllConnections();
  });
}

/** The URL's host part: IPv6 addresses go in brackets. */
const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** Dispatches one request: our own routes first, everything else of the realm to oidc-provider. */
function createRequestHandler(
  realm: Realm,
  provider: Provider,
  invitations: Invitations,
  adminToken: string | undefined,
) {
  const oidc = provider.callback();

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const inRealm = url.pathname === realm.path || url.pathname.startsWith(`${realm.path}/`);
    if (!inRealm) {
      sendJson(res, 404, { error: 'Unable to find matching target resource method' });
      return;
    }
    const path = url.pathname.slice(realm.path.length);

    if (path === '' || path === '/') return handleRealmInfo(realm, res);
    if (path === KEYCLOAK_PATHS.userinfo) return handleUserinfo(realm, req, res);
    if (path === KEYCLOAK_PATHS.introspection) return handleIntrospection(realm, req, res);
    if (
      path === KEYCLOAK_PATHS.end_session &&
      req.method === 'GET' &&
      url.searchParams.has('id_token_hint')
    ) {
      return handleLogoutWithIdTokenHint(realm, provider, req, res, url);
    }
    if (path === KEYCLOAK_PATHS.login) return handleLoginPage(realm, provider, req, res, url);
    if (path === KEYCLOAK_PATHS.actionToken) return handleActionTokenPage(realm, invitations, req, res, url);
    if (path === '/dev-admin' || path.startsWith('/dev-admin/')) {
      if (adminToken === undefined) {
        sendJson(res, 404, { error: 'Unable to find matching target resource method' });
        return;
      }
      return handleDevAdminApi(
        realm,
        invitations,
        adminToken,
        req,
        res,
        path.slice('/dev-admin'.length),
        url,
      );
    }

    // oidc-provider is mounted at the realm path: it sees the rest of the path, and derives its
    // mount path from `originalUrl` (the Express convention) to build its own URLs.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = `${path}${url.search}`;
    await oidc(req, res);
  };
}

/**
 * Starts the dev identity provider: a real OpenID Connect server on loopback that plays a
 * Keycloak realm (its URL layout, its tokens, its login page and logout) for `npm start` and the
 * tests. Refuses to start with NODE_ENV=production.
 */
export async function startDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<DevIdentityProvider> {
  if ((options.nodeEnv ?? process.env.NODE_ENV) === 'production') throw new DevIdentityProviderRefusedError();
  const realmName = options.realm ?? 'allmende';
  if (!/^[A-Za-z0-9_-]+$/.test(realmName)) {
    throw new Error(`dev identity provider: realm "${realmName}" must consist of letters, digits, - and _`);
  }
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  if (clients.size !== options.clients.length)
    throw new Error('dev identity provider: client ids must be unique');
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 300;
  if (!Number.isSafeInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
    throw new Error('dev identity provider: accessTokenTtlSeconds must be a positive integer');
  }

  const [signingKey, users] = await Promise.all([
    resolveSigningKey(options.signingKey),
    UserStore.open({ realm: realmName, seedUsers: options.users, usersFile: options.usersFile }),
  ]);

  const host = options.host ?? '127.0.0.1';
  const counter = new RequestCounter();
  let handle: ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dev-idp.invalid');
    counter.record(url.pathname);
    if (!handle) {
      // Between listening (which gives the port the issuer needs) and the provider being ready.
      sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'starting' });
      return;
    }
    handle(req, res, url).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent) sendJson(res, error.status, error.body);
        return;
      }
      process.stderr.write(
        `dev identity provider: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      if (res.headersSent) res.destroy();
      else
        sendJson(res, 500, {
          error: 'server_error',
          error_description: 'internal error of the dev identity provider',
        });
    });
  });

  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${urlHost(host)}:${port}`;
  const realm: Realm = {
    name: realmName,
    issuer: `${url}/realms/${realmName}`,
    path: `/realms/${realmName}`,
    apiClientId: options.apiClientId ?? 'allmende-api',
    clients,
    users,
    signingKey,
    accessTokenTtlSeconds,
    endedSessions: new Set(),
  };
  const invitations = new Invitations(`${realm.issuer}${KEYCLOAK_PATHS.actionToken}`);
  try {
    handle = createRequestHandler(realm, createOidcProvider(realm), invitations, options.adminToken);
  } catch (error) {
    await close(server);
    throw error;
  }

  return {
    url,
    issuer: realm.issuer,
    realm: realmName,
    signingKey: { privateJwk: signingKey.privateJwk, publicJwk: signingKey.publicJwk, kid: signingKey.kid },
    // A full URL of the provider counts as its path, so that tests may pass either.
    requestCount: (pathPrefix) =>
      counter.count(pathPrefix?.startsWith(url) ? new URL(pathPrefix).pathname : pathPrefix),
    users: (): DevUser[] => users.list().map(({ passwordHash: _passwordHash, ...user }) => ({ ...user })),
    actionEmails: () => invitations.emails(),
    async stop() {
      await close(server);
      await users.flush();
    },
  };
}
