import { envSchema, type Env } from './env.schema';

export interface AppConfig extends Env {
  /** PUBLIC_URL, or http://localhost:PORT outside production. */
  PUBLIC_URL: string;
}

/** Thrown when the environment does not satisfy the schema; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type RawEnv = Record<string, string | undefined>;

/**
 * Validates the environment. `require` names optional variables that the calling
 * command needs after all (e.g. `db migrate` needs DATABASE_OWNER_URL).
 */
export function loadConfig(env: RawEnv = process.env, options: { require?: (keyof Env)[] } = {}): AppConfig {
  // Empty strings count as unset: `FOO=` in an env file means "not given".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join('.');
      const message =
        issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
      problems.push(`${name}: ${message}`);
    }
    throw new ConfigError(problems);
  }
  const parsed = result.data;
  for (const name of options.require ?? []) {
    if (parsed[name] === undefined) problems.push(`${name}: is required for this command`);
  }
  if (parsed.NODE_ENV === 'production' && !parsed.PUBLIC_URL) {
    problems.push('PUBLIC_URL: is required when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...parsed, PUBLIC_URL: parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}` };
}
