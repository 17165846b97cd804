import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DevSecrets {
  postgresPassword: string;
  ownerPassword: string;
  appPassword: string;
}

/** Random local passwords, made once and kept beside the dev data (never committed). */
export async function loadDevSecrets(file: string): Promise<DevSecrets> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const make = () => randomBytes(18).toString('base64url');
  const secrets: DevSecrets = { postgresPassword: make(), ownerPassword: make(), appPassword: make() };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
