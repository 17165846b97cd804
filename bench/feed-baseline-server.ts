/**
 * The feed-read benchmark's baseline (bench/feed-read.bench.ts): a bare fastify + pg server,
 * a process of its own like the API, that answers every GET /feed by running the SQL that the
 * API ran for one feed request (captured off the wire, with the same parameters, on as many
 * connection checkouts) and sending the last statement's rows as JSON. No authentication, no
 * tenant scope, no ORM, no validation: what the API costs above this is the ratio measured.
 *
 * Environment: BASELINE_SQL (a JSON file of CapturedStatement[]), DATABASE_URL, PORT, POOL_MAX.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { Pool } from 'pg';
import type { CapturedStatement } from './pg-capture';
import { replayOf } from './replay';

async function main(): Promise<void> {
  const statements = JSON.parse(readFileSync(process.env.BASELINE_SQL!, 'utf8')) as CapturedStatement[];
  const replay = replayOf(statements);
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.POOL_MAX ?? 10),
  });
  const app = Fastify({ logger: false });
  app.get('/feed', async () => {
    const results = await replay.run(pool);
    // The page is the statement with the most rows (the feed's select), like the API's `items`.
    const items = results.reduce((most, rows) => (rows.length > most.length ? rows : most), [] as unknown[]);
    return { items };
  });
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  process.stdout.write(`baseline listening at ${address}\n`);
  const stop = () => {
    void app.close().then(() => pool.end().then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`feed baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
