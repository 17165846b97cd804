import type { Pool, PoolClient } from 'pg';

/**
 * Gives a pooled connection back when PostgreSQL closed it while it was checked out.
 *
 * Kysely (under MikroORM 7) releases a transaction's connection only after its COMMIT or
 * ROLLBACK succeeded. When PostgreSQL goes away mid-transaction (restart, failover, an
 * administrator's pg_terminate_backend) the ROLLBACK fails too, the client is never released,
 * and the pool shrinks by one for good: after a few restarts under load every request waits
 * for a connection that never comes (found by test/hardening/faults.e2e-spec.ts). Here a
 * client whose connection ended while checked out is released with an error, which makes
 * `pg-pool` discard it; `release` becomes idempotent, so a later release by its holder is a no-op.
 */
export function releaseBrokenClients(pool: Pool): void {
  const original = pool.connect.bind(pool) as (callback?: unknown) => Promise<PoolClient> | undefined;
  pool.connect = ((callback?: unknown) => {
    // The callback form is not used by Kysely; it stays as it was.
    if (typeof callback === 'function') return original(callback);
    return original()!.then((client) => {
      const release = client.release.bind(client);
      let released = false;
      const onEnd = () => guardedRelease(new Error('PostgreSQL closed the connection'));
      function guardedRelease(error?: Error | boolean): void {
        if (released) return;
        released = true;
        client.removeListener('end', onEnd);
        release(error);
      }
      client.once('end', onEnd);
      client.release = guardedRelease;
      return client;
    });
  }) as Pool['connect'];
}
