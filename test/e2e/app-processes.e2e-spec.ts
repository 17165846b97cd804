import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@allmende/local-services';
import { testRun } from '../support/test-run';

/** The built apps, started as processes the way production starts them. */
const dist = join(__dirname, '../../dist/apps');
const apps = { api: join(dist, 'api/src/main.js'), worker: join(dist, 'worker/src/main.js') };

function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: testRun().appUrl,
    REDIS_URL: testRun().redisUrl,
    QUEUE_PREFIX: `${testRun().queuePrefix}-processes`,
    KEYCLOAK_URL: 'http://127.0.0.1:9',
    KEYCLOAK_PORTAL_CLIENT_SECRET: 'allmende-test-portal-secret',
    SESSION_SECRET: 'allmende-test-session-secret-of-32-characters',
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_TOKEN_SECRET: 'allmende-test-mail-token-secret-of-32-chars',
    // The test files share one database: this worker must not relay other tests' outbox rows.
    OUTBOX_RELAY: 'off',
    DIGEST_SCHEDULE: 'off',
    ...extra,
  };
}

/** Starts an app, waits until `ready` (given the output so far), sends SIGTERM, returns how it ended. */
async function startAndStop(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: (output: string) => Promise<boolean>,
) {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 20_000;
  while (!(await ready(output).catch(() => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`app did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  return { code: await exited, output };
}

describe('the built apps as processes', () => {
  beforeAll(() => {
    for (const script of Object.values(apps)) {
      if (!existsSync(script))
        throw new Error(`${script} is missing: run "npm run build" first (npm test does)`);
    }
  });

  it.each(Object.entries(apps))(
    '%s refuses to start without its configuration, naming the variables',
    (_, script) => {
      const result = spawnSync(process.execPath, [script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, REDIS_URL: 'not a url' },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/DATABASE_URL: is required/);
      expect(result.stderr).toMatch(/REDIS_URL: /);
    },
  );

  it.each(['KEYCLOAK_URL', 'SESSION_SECRET', 'KEYCLOAK_PORTAL_CLIENT_SECRET'])(
    'the api refuses to start without %s, naming it',
    (name) => {
      const env = appEnv();
      delete env[name];
      const result = spawnSync(process.execPath, [apps.api], { encoding: 'utf8', env, timeout: 30_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`${name}: is required by the API`);
    },
  );

  it.each(['SMTP_URL', 'MAIL_TOKEN_SECRET'])('the worker refuses to start without %s, naming it', (name) => {
    const env = appEnv();
    delete env[name];
    const result = spawnSync(process.execPath, [apps.worker], { encoding: 'utf8', env, timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${name}: is required`);
  });

  it('the api serves /health/ready and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { code, output } = await startAndStop(
      apps.api,
      appEnv({ PORT: String(port), HOST: '127.0.0.1' }),
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok,
    );
    expect(code).toBe(0);
    expect(output).toMatch(/"msg":"shut down cleanly"/);
  });

  it('the api logs every request (written asynchronously) and has written them all when it exits', async () => {
    const port = await freePort();
    const paths = [
      '/api/tenants/nowhere-1/groups',
      '/api/tenants/nowhere-2/groups',
      '/api/tenants/nowhere-3/groups',
    ];
    const { code, output } = await startAndStop(
      apps.api,
      appEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
      async () => {
        if (!(await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return false;
        for (const path of paths) await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
        // SIGTERM follows at once: lines still waiting in memory are flushed at exit.
        return true;
      },
    );
    expect(code).toBe(0);
    const logged = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { req?: { path?: string }; res?: { statusCode?: number } })
      .filter((line) => line.req?.path?.startsWith('/api/tenants/nowhere-'));
    expect(logged.map((line) => [line.req!.path, line.res?.statusCode])).toEqual(
      paths.map((path) => [path, 404]),
    );
  });

  it('the worker starts, and shuts down cleanly on SIGTERM', async () => {
    const { code, output } = await startAndStop(apps.worker, appEnv(), async (output) =>
      output.includes('"msg":"worker started"'),
    );
    expect(code).toBe(0);
    expect(output).toMatch(/"msg":"shut down cleanly"/);
  });
});
