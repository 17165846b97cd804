import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, requiredEnvVars } from '@allmende/core';
import { DEMO_USERS_FILE, loadDemoUsers } from '@allmende/dev-idp';
import { identityDirectoryFromConfig, KeycloakIdentityDirectory } from '@allmende/identity';

/**
 * Static checks of the production-like Docker setup in docker/: no Docker engine is needed.
 * They catch drift between the env schema and compose.yaml, and the security properties of
 * the image and the database roles.
 */
const root = path.join(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

type ComposeEnv = Record<string, unknown>;

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: ComposeEnv | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: string[];
  profiles?: string[];
  entrypoint?: string | string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/**
 * Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
 * ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, $VAR and $$. `vars` plays the shell environment; by
 * default it is empty, as on a machine where nobody set anything (the development defaults).
 */
function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const current = vars[name];
      const isSet = current !== undefined;
      const isSetAndNonEmpty = isSet && current !== '';
      switch (operator) {
        case ':-':
          return isSetAndNonEmpty ? current : argument!;
        case '-':
          return isSet ? current : argument!;
        case ':?':
        case '?':
          if (operator === ':?' ? isSetAndNonEmpty : isSet) return current!;
          throw new Error(`${name}: ${argument || 'required variable is missing'}`);
        case ':+':
          return isSetAndNonEmpty ? argument! : '';
        case '+':
          return isSet ? argument! : '';
        default:
          return current ?? '';
      }
    },
  );
}

/** A service's environment as a map (compose also allows a list of NAME=value). */
function environmentOf(service: ComposeService): ComposeEnv {
  const environment = service.environment ?? {};
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(
    environment.map((entry) => {
      const index = entry.indexOf('=');
      return index === -1 ? [entry, undefined] : [entry.slice(0, index), entry.slice(index + 1)];
    }),
  );
}

/** The environment as the container sees it: every value interpolated. */
function resolvedEnvironment(env: ComposeEnv, vars: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      typeof value === 'string' ? interpolate(value, vars) : '',
    ]),
  );
}

/**
 * The names in `required` that `env` does not provide: absent, not a string, or empty once
 * interpolated (the apps treat an empty variable as unset).
 */
function missingEnv(env: ComposeEnv, required: readonly string[]): string[] {
  return required.filter((name) => {
    const value = env[name];
    return typeof value !== 'string' || interpolate(value).trim() === '';
  });
}

function commandOf(service: ComposeService): string {
  const command = service.command ?? '';
  return Array.isArray(command) ? command.join(' ') : command;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function dockerfileInstructions(text: string): { keyword: string; args: string }[] {
  const instructions: { keyword: string; args: string }[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const [keyword = '', ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }
  return instructions;
}

const compose = parse(read('docker/compose.yaml'), { merge: true }) as ComposeFile;
const services = compose.services;
const appServices = ['migrate', 'api', 'worker'] as const;
const mustProvide = [...requiredEnvVars(), 'PUBLIC_URL'];

describe('docker/compose.yaml', () => {
  it('defines the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      expect.arrayContaining(['api', 'keycloak', 'mailpit', 'migrate', 'postgres', 'redis', 'worker']),
    );
  });

  it('requiredEnvVars() names the variables without default (sanity check of the check)', () => {
    expect(requiredEnvVars()).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
  });

  it.each(appServices)('%s gets every required variable, PUBLIC_URL and NODE_ENV=production', (name) => {
    const env = environmentOf(services[name]!);
    expect(Object.keys(env)).not.toContain('<<'); // merge keys resolved
    expect(missingEnv(env, mustProvide)).toEqual([]);
    expect(env.NODE_ENV).toBe('production');
  });

  it('gives the owner credentials to migrate only', () => {
    expect(missingEnv(environmentOf(services.migrate!), ['DATABASE_OWNER_URL'])).toEqual([]);
    for (const name of ['api', 'worker']) {
      expect(environmentOf(services[name]!)).not.toHaveProperty('DATABASE_OWNER_URL');
    }
  });

  it('the env check reports a missing variable', () => {
    const env = { ...environmentOf(services.api!) };
    expect(missingEnv(env, mustProvide)).toEqual([]);
    delete env.REDIS_URL;
    expect(missingEnv(env, mustProvide)).toEqual(['REDIS_URL']);
    expect(missingEnv({ ...env, REDIS_URL: '' }, mustProvide)).toEqual(['REDIS_URL']);
    expect(missingEnv({ ...env, REDIS_URL: '${UNSET_IN_THIS_TEST}' }, mustProvide)).toEqual(['REDIS_URL']);
  });

  it.each(appServices)('%s: every environment value is a non-empty string', (name) => {
    const env = environmentOf(services[name]!);
    for (const [key, value] of Object.entries(env)) {
      expect([key, typeof value]).toEqual([key, 'string']);
      expect([key, interpolate(value as string).trim().length > 0]).toEqual([key, true]);
    }
  });

  it.each(appServices)('%s: the environment passes the app config schema', (name) => {
    const env = resolvedEnvironment(environmentOf(services[name]!));
    const config = loadConfig(env, name === 'migrate' ? { require: ['DATABASE_OWNER_URL'] } : {});
    expect(config.NODE_ENV).toBe('production');
    expect(config.PUBLIC_URL).toMatch(/^https?:\/\//);
  });

  it.each<{ label: string; vars: Record<string, string> }>([
    { label: 'development defaults', vars: {} },
    {
      label: 'passwords set by the operator',
      vars: { ALLMENDE_APP_PASSWORD: 'prod-app-secret', ALLMENDE_OWNER_PASSWORD: 'prod-owner-secret' },
    },
  ])('connects as the app role and the owner role, with the passwords postgres gets ($label)', ({ vars }) => {
    const postgresEnv = resolvedEnvironment(environmentOf(services.postgres!), vars);
    for (const name of appServices) {
      const url = new URL(resolvedEnvironment(environmentOf(services[name]!), vars).DATABASE_URL!);
      expect([name, url.username, url.hostname, url.pathname]).toEqual([
        name,
        'allmende_app',
        'postgres',
        '/allmende',
      ]);
      expect(decodeURIComponent(url.password)).toBe(postgresEnv.ALLMENDE_APP_PASSWORD);
    }
    const owner = new URL(resolvedEnvironment(environmentOf(services.migrate!), vars).DATABASE_OWNER_URL!);
    expect([owner.username, owner.hostname, owner.pathname]).toEqual([
      'allmende_owner',
      'postgres',
      '/allmende',
    ]);
    expect(decodeURIComponent(owner.password)).toBe(postgresEnv.ALLMENDE_OWNER_PASSWORD);
  });

  it('runs Redis with AOF and noeviction', () => {
    const command = commandOf(services.redis!);
    expect(command).toContain('noeviction');
    expect(command).toMatch(/--appendonly yes/);
  });

  it('starts api and worker only after migrations succeeded', () => {
    for (const name of ['api', 'worker']) {
      const dependsOn = services[name]!.depends_on as Record<string, { condition?: string }>;
      expect(dependsOn.migrate?.condition).toBe('service_completed_successfully');
      expect(dependsOn.redis?.condition).toBe('service_healthy');
    }
    const migrate = services.migrate!;
    expect((migrate.depends_on as Record<string, { condition?: string }>).postgres?.condition).toBe(
      'service_healthy',
    );
    expect(commandOf(migrate)).toBe('node dist/apps/cli/src/main.js db migrate');
  });

  it('runs api, worker and migrate from the one image, on entry points that exist', () => {
    for (const name of appServices) {
      expect(services[name]!.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(services[name]!.image).toBe(services.api!.image);
    }
    expect(commandOf(services.worker!)).toBe('node dist/apps/worker/src/main.js');
    for (const app of ['api', 'worker', 'cli']) {
      expect(statSync(path.join(root, `apps/${app}/src/main.ts`)).isFile()).toBe(true);
    }
  });

  it('mounts the postgres init script and the realm export', () => {
    expect(services.postgres!.volumes).toContain(
      './postgres/10-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro',
    );
    expect(services.keycloak!.volumes).toContain(
      './keycloak/allmende-realm.json:/opt/keycloak/data/import/allmende-realm.json:ro',
    );
  });
});

describe('docker/Dockerfile', () => {
  const instructions = dockerfileInstructions(read('docker/Dockerfile'));
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const lastStage = instructions.slice(lastFrom);

  it('is multi-stage', () => {
    expect(
      instructions.filter((instruction) => instruction.keyword === 'FROM').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('runs the final stage as a non-root user', () => {
    const users = lastStage.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(user);
  });

  it('starts the api by default, in production mode, with a health check', () => {
    const keywords = lastStage.map((instruction) => instruction.keyword);
    expect(keywords).toContain('HEALTHCHECK');
    expect(lastStage.find((instruction) => instruction.keyword === 'CMD')?.args).toBe(
      '["node", "dist/apps/api/src/main.js"]',
    );
    expect(lastStage.some((i) => i.keyword === 'ENV' && /NODE_ENV=production/.test(i.args))).toBe(true);
    expect(lastStage.some((i) => i.keyword === 'EXPOSE' && i.args === '3000')).toBe(true);
  });
});

describe('docker/postgres/10-roles.sh', () => {
  const script = read('docker/postgres/10-roles.sh');

  it('is an executable bash script that stops on the first error', () => {
    expect(statSync(path.join(root, 'docker/postgres/10-roles.sh')).mode & 0o111).not.toBe(0);
    expect(script.startsWith('#!/usr/bin/env bash\n') || script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
    expect(script).toContain('ON_ERROR_STOP=1');
  });

  it.each(['allmende_owner', 'allmende_app'])('creates %s as a login role without BYPASSRLS', (role) => {
    expect(script).toMatch(new RegExp(`CREATE ROLE ${role}\\b`, 'i'));
    const attributes = new RegExp(`ROLE ${role} WITH ([^;]*);`, 'i').exec(script)?.[1] ?? '';
    for (const attribute of ['LOGIN', 'NOSUPERUSER', 'NOBYPASSRLS', 'NOCREATEDB', 'NOCREATEROLE']) {
      expect(attributes).toMatch(new RegExp(`\\b${attribute}\\b`, 'i'));
    }
  });

  it('never grants BYPASSRLS or SUPERUSER', () => {
    // Shell (#) and SQL (--) comments may explain; the code must not grant.
    const code = script
      .split('\n')
      .filter((line) => !/^\s*(#|--)/.test(line))
      .join('\n');
    expect(code).toMatch(/NOBYPASSRLS/i);
    expect(code).not.toMatch(/(?<!NO)BYPASSRLS/i);
    expect(code).not.toMatch(/(?<!NO)SUPERUSER/i);
  });

  it('passes passwords as psql literals, never through shell interpolation', () => {
    expect(script).toMatch(/<<\s*'EOSQL'/); // quoted heredoc: the shell substitutes nothing
    expect(script).toMatch(/PASSWORD\s+:'owner_password'/i);
    expect(script).toMatch(/PASSWORD\s+:'app_password'/i);
    const sql = script.slice(script.indexOf("<<'EOSQL'"));
    expect(sql).not.toMatch(/\$\{?ALLMENDE_/);
  });

  it('creates the database owned by the owner role and locks down schema public', () => {
    expect(script).toMatch(/CREATE DATABASE allmende OWNER allmende_owner/i);
    expect(script).toMatch(/REVOKE CREATE ON SCHEMA public FROM PUBLIC/i);
    expect(script).toMatch(/ALTER SCHEMA public OWNER TO allmende_owner/i);
  });
});

describe('docker/keycloak/allmende-realm.json', () => {
  interface Client {
    clientId: string;
    publicClient?: boolean;
    bearerOnly?: boolean;
    standardFlowEnabled?: boolean;
    implicitFlowEnabled?: boolean;
    directAccessGrantsEnabled?: boolean;
    serviceAccountsEnabled?: boolean;
    secret?: string;
    redirectUris?: string[];
    webOrigins?: string[];
    attributes?: Record<string, string>;
    protocolMappers?: { protocolMapper: string; config: Record<string, string> }[];
  }
  interface RealmUser {
    username: string;
    email?: string;
    firstName?: string;
    lastName?: string;
    enabled?: boolean;
    emailVerified?: boolean;
    realmRoles?: string[];
    serviceAccountClientId?: string;
    clientRoles?: Record<string, string[]>;
    credentials?: { type: string; value: string; temporary?: boolean }[];
  }
  const realmText = read('docker/keycloak/allmende-realm.json');
  const realm = JSON.parse(realmText) as {
    realm: string;
    enabled: boolean;
    smtpServer?: Record<string, string>;
    roles?: { realm?: { name: string }[] };
    clients: Client[];
    users?: RealmUser[];
  };
  const client = (id: string): Client | undefined => realm.clients.find((entry) => entry.clientId === id);
  const postLogoutUris = (entry: Client): string[] =>
    (entry.attributes?.['post.logout.redirect.uris'] ?? '').split('##').filter((uri) => uri !== '');
  /** PUBLIC_URL as compose gives it to the apps (the development default). */
  const publicUrl = resolvedEnvironment(environmentOf(services.api!)).PUBLIC_URL!;

  it('is valid JSON: the allmende realm with its three clients and the operator role', () => {
    expect(() => JSON.parse(realmText) as unknown).not.toThrow();
    expect(realm.realm).toBe('allmende');
    expect(realm.enabled).toBe(true);
    expect(realm.clients.map((entry) => entry.clientId).sort()).toEqual([
      'allmende-api',
      'allmende-portal',
      'allmende-provisioning',
    ]);
    expect(realm.roles?.realm?.map((role) => role.name)).toContain('platform_admin');
  });

  it('has exact redirect URIs, post-logout URIs and web origins only: no wildcard anywhere', () => {
    for (const entry of realm.clients) {
      const uris = [...(entry.redirectUris ?? []), ...postLogoutUris(entry), ...(entry.webOrigins ?? [])];
      for (const uri of uris) {
        expect([entry.clientId, uri, uri.includes('*')]).toEqual([entry.clientId, uri, false]);
        expect([entry.clientId, uri, URL.canParse(uri)]).toEqual([entry.clientId, uri, true]);
      }
    }
    const portal = client('allmende-portal')!;
    // The routes of libs/auth (portal login and logout) under compose's PUBLIC_URL.
    expect(portal.redirectUris).toContain(`${publicUrl}/auth/callback`);
    expect(postLogoutUris(portal)).toEqual([`${publicUrl}/auth/logged-out`]);
    expect(portal.webOrigins).toEqual([publicUrl]);
  });

  it('the api client obtains no tokens; the portal uses the code flow with PKCE and targets the api', () => {
    expect(client('allmende-api')).toMatchObject({
      publicClient: false,
      standardFlowEnabled: false,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: [],
    });
    const portal = client('allmende-portal')!;
    expect(portal).toMatchObject({
      publicClient: false,
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
    });
    expect(portal.attributes?.['pkce.code.challenge.method']).toBe('S256');
    const audience = portal.protocolMappers?.find(
      (mapper) => mapper.protocolMapper === 'oidc-audience-mapper',
    );
    expect(audience?.config).toMatchObject({
      'included.client.audience': 'allmende-api',
      'access.token.claim': 'true',
    });
  });

  it('the provisioning client is a service account with manage-users and view-users, and nothing else', () => {
    expect(client('allmende-provisioning')).toMatchObject({
      publicClient: false,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      redirectUris: [],
    });
    const serviceAccount = realm.users?.find(
      (user) => user.serviceAccountClientId === 'allmende-provisioning',
    );
    expect(serviceAccount?.username).toBe('service-account-allmende-provisioning');
    expect(serviceAccount?.clientRoles).toEqual({ 'realm-management': ['manage-users', 'view-users'] });
    expect(serviceAccount?.realmRoles ?? []).toEqual([]);
  });

  it.each<{ label: string; vars: Record<string, string> }>([
    { label: 'development defaults', vars: {} },
    {
      label: 'secrets set by the operator',
      vars: {
        KEYCLOAK_PORTAL_CLIENT_SECRET: 'prod-portal',
        KEYCLOAK_ADMIN_CLIENT_SECRET: 'prod-provisioning',
      },
    },
  ])('the client secrets come from compose, the same for Keycloak and the apps ($label)', ({ vars }) => {
    const keycloakEnv = resolvedEnvironment(environmentOf(services.keycloak!), vars);
    // Every placeholder of the realm file is given to Keycloak (else it would import it literally).
    const placeholders = [...realmText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]!);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const name of placeholders) expect([name, keycloakEnv[name] ?? '']).not.toEqual([name, '']);

    const secretOf = (clientId: string) => {
      const placeholder = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(client(clientId)?.secret ?? '')?.[1];
      return placeholder ? keycloakEnv[placeholder] : undefined;
    };
    const apiEnv = resolvedEnvironment(environmentOf(services.api!), vars);
    expect(secretOf('allmende-portal')).toBe(apiEnv.KEYCLOAK_PORTAL_CLIENT_SECRET);
    const cliEnv = resolvedEnvironment(environmentOf(services.cli!), vars);
    expect(cliEnv.KEYCLOAK_ADMIN_CLIENT_ID).toBe('allmende-provisioning');
    expect(secretOf('allmende-provisioning')).toBe(cliEnv.KEYCLOAK_ADMIN_CLIENT_SECRET);
    if (vars.KEYCLOAK_ADMIN_CLIENT_SECRET) {
      expect(cliEnv.KEYCLOAK_ADMIN_CLIENT_SECRET).toBe(vars.KEYCLOAK_ADMIN_CLIENT_SECRET);
    }
  });

  it("has every demo person of the dev identity provider's seed, with a temporary password", async () => {
    const demo = await loadDemoUsers(DEMO_USERS_FILE);
    expect(demo.length).toBeGreaterThan(0);
    const people = (realm.users ?? []).filter((user) => !user.serviceAccountClientId);
    expect(people.map((user) => user.email).sort()).toEqual(demo.map((user) => user.email).sort());
    for (const person of demo) {
      const user = people.find((entry) => entry.email === person.email);
      expect(user).toMatchObject({
        username: person.username,
        firstName: person.givenName,
        lastName: person.familyName,
        enabled: true,
        emailVerified: person.emailVerified,
      });
      // Realm roles as the seed has them: the operator gets platform_admin, nobody else.
      expect([person.email, user!.realmRoles ?? []]).toEqual([person.email, person.realmRoles ?? []]);
      expect(user!.credentials).toEqual([{ type: 'password', value: person.password, temporary: true }]);
    }
    expect(people.filter((user) => user.realmRoles?.includes('platform_admin')).length).toBeGreaterThan(0);
  });

  it("sends mail through compose's Mailpit", () => {
    expect(realm.smtpServer).toMatchObject({ host: 'mailpit', port: '1025' });
    expect(realm.smtpServer?.from).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(Object.keys(services)).toContain('mailpit');
    // Keycloak reaches Mailpit over the compose network, on the container's SMTP port.
    expect(services.mailpit!.ports?.some((port) => port.endsWith(`:${realm.smtpServer!.port}`))).toBe(true);
  });
});

describe('docker/compose.yaml: the cli service', () => {
  it('configures invitations through the provisioning client; api and worker never get its secret', () => {
    const env = resolvedEnvironment(environmentOf(services.cli!));
    const config = loadConfig(env);
    expect(config.IDENTITY_DIRECTORY).toBe('keycloak');
    expect(identityDirectoryFromConfig(config)).toBeInstanceOf(KeycloakIdentityDirectory);
    for (const name of ['api', 'worker', 'migrate']) {
      expect(environmentOf(services[name]!)).not.toHaveProperty('KEYCLOAK_ADMIN_CLIENT_SECRET');
    }
    expect(services.cli!.profiles).toEqual(['cli']);
    expect(services.cli!.entrypoint).toEqual(['node', 'dist/apps/cli/src/main.js']);
  });
});
