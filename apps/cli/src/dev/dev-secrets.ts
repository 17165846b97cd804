import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DevSecrets {
  postgresPassword: string;
  ownerPassword: string;
  appPassword: string;
  /** Signs the portal's session cookie. */
  sessionSecret: string;
  /** The portal client's secret at the dev identity provider. */
  portalClientSecret: string;
  /** The dev identity provider's user administration (member invitations). */
  devIdpAdminToken: string;
  /** Signs unsubscribe links in mails. */
  mailTokenSecret: string;
}

/**
 * Random local secrets, made once and kept beside the dev data (never committed). A file of
 * an older version gets the secrets it lacks.
 */
export async function loadDevSecrets(file: string): Promise<DevSecrets> {
  const make = () => randomBytes(24).toString('base64url');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const secrets: DevSecrets = {
    postgresPassword: stored.postgresPassword ?? make(),
    ownerPassword: stored.ownerPassword ?? make(),
    appPassword: stored.appPassword ?? make(),
    sessionSecret: stored.sessionSecret ?? make(),
    portalClientSecret: stored.portalClientSecret ?? make(),
    devIdpAdminToken: stored.devIdpAdminToken ?? make(),
    mailTokenSecret: stored.mailTokenSecret ?? make(),
  };
  if (Object.keys(stored).length !== Object.keys(secrets).length) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
