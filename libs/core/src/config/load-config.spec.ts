import { ConfigError, loadConfig } from './load-config';
import { requiredEnvVars } from './env.schema';

const valid = {
  DATABASE_URL: 'postgres://allmende_app:secret@db:5432/allmende',
  REDIS_URL: 'redis://redis:6379',
};

function problemsOf(
  env: Record<string, string | undefined>,
  options?: Parameters<typeof loadConfig>[1],
): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('accepts the minimum and fills in defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      DATABASE_POOL_MAX: 10,
      QUEUE_PREFIX: 'allmende',
      PUBLIC_URL: 'http://localhost:3000',
    });
  });

  it('names every missing variable', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL: is required', 'REDIS_URL: is required']);
  });

  it('names a wrong variable and says what is wrong', () => {
    expect(problemsOf({ ...valid, PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT: /)]);
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://x@y/z' })).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ]);
    expect(problemsOf({ ...valid, LOG_LEVEL: 'loud' })).toEqual([expect.stringMatching(/^LOG_LEVEL: /)]);
  });

  it('treats empty values as unset', () => {
    expect(problemsOf({ ...valid, REDIS_URL: '' })).toEqual(['REDIS_URL: is required']);
    expect(loadConfig({ ...valid, PORT: '' }).PORT).toBe(3000);
  });

  it('requires PUBLIC_URL in production', () => {
    expect(problemsOf({ ...valid, NODE_ENV: 'production' })).toEqual([
      'PUBLIC_URL: is required when NODE_ENV=production',
    ]);
    expect(
      loadConfig({ ...valid, NODE_ENV: 'production', PUBLIC_URL: 'https://allmende.example' }).PUBLIC_URL,
    ).toBe('https://allmende.example');
  });

  it('lets a command require an optional variable', () => {
    expect(problemsOf(valid, { require: ['DATABASE_OWNER_URL'] })).toEqual([
      'DATABASE_OWNER_URL: is required for this command',
    ]);
  });

  it('says one problem per line in its message', () => {
    expect(() => loadConfig({})).toThrow(
      'Invalid configuration:\n  - DATABASE_URL: is required\n  - REDIS_URL: is required',
    );
  });
});

describe('requiredEnvVars', () => {
  it('lists the variables without default', () => {
    expect(requiredEnvVars()).toEqual(['DATABASE_URL', 'REDIS_URL']);
  });
});
