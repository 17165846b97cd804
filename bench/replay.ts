/**
 * Replaying the SQL of one captured request (bench/pg-capture.ts): the baselines of the API
 * benchmarks run exactly what the API ran, without the API.
 */
import type { Pool, QueryResult } from 'pg';
import type { CapturedStatement } from './pg-capture';

/** Captured timestamps (pg's text format) near `at`: bound afresh on replay, like the app's `new Date()`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/;

export interface Replay {
  /** The captured statements in order, grouped by consecutive connection (one pool checkout each). */
  checkouts: CapturedStatement[][];
  /** Runs the statements once, each checkout on a connection of its own; the rows of each statement. */
  run(pool: Pool): Promise<unknown[][]>;
}

/**
 * The captured SQL of one request, ready to run again on a pool: the same statements, the
 * same parameters, on as many connection checkouts as the app made; parameters that were the
 * request's current time are the current time again.
 */
export function replayOf(statements: CapturedStatement[]): Replay {
  const checkouts: CapturedStatement[][] = [];
  for (const statement of statements) {
    const last = checkouts.at(-1);
    if (last && last[0]!.connection === statement.connection) last.push(statement);
    else checkouts.push([statement]);
  }
  const window = 5 * 60 * 1000;
  const isNow = (value: string | null, at: number) =>
    value !== null && TIMESTAMP.test(value) && Math.abs(Date.parse(value) - at) < window;
  return {
    checkouts,
    run: async (pool) => {
      const results: unknown[][] = [];
      for (const checkout of checkouts) {
        const client = await pool.connect();
        try {
          for (const statement of checkout) {
            const now = new Date().toISOString();
            const result = statement.simple
              ? await client.query(statement.sql)
              : await client.query(
                  statement.sql,
                  statement.params.map((value) => (isNow(value, statement.at) ? now : value)),
                );
            // A transaction's first statement goes out with its `begin` and the tenant setting as
            // one simple query (libs/db/src/deferred-transaction-start.ts): its rows are the last.
            const sent = result as unknown as QueryResult | QueryResult[];
            results.push(Array.isArray(sent) ? sent.at(-1)!.rows : sent.rows);
          }
        } finally {
          client.release();
        }
      }
      return results;
    },
  };
}
