import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult } from 'pg';

/**
 * Sends a transaction's BEGIN, and the statements that set it up (the tenant setting), in the
 * same round trip as its first statement — as pgjdbc sends BEGIN with the first query.
 *
 * Every tenant read and write is a transaction (the tenant setting is transaction-local, see
 * TenantScope), and each used to cost four round trips before and after its own statements:
 * `begin`, `set_config`, …, `commit`. Kysely (under MikroORM) awaits each of them, and `pg`
 * sends a query only after the previous one has been answered. Here a client of the pool
 * answers `begin` at once without sending it and keeps it, with the prelude MikroORM hands over
 * (`transactionPrelude`, see PreludePostgreSqlConnection); the transaction's first statement
 * then goes out as one simple query `begin; select set_config(…); <statement>`, and the caller
 * gets the statement's own result. PostgreSQL runs the three in order; if the prelude fails,
 * the statement does not run and the caller gets the prelude's error, inside the transaction,
 * which the caller rolls back as before. A transaction that sent nothing commits or rolls back
 * without a round trip.
 *
 * A first statement with bound parameters (MikroORM inlines its parameters, so that is only raw
 * `pg`-style use) or a cursor gets the prelude sent just before it, as a query of its own.
 * A checked-out client never inherits a start its previous holder kept and never sent: the
 * kept start is dropped on every checkout and release.
 *
 * A statement that is a transaction of its own needs neither BEGIN nor COMMIT: PostgreSQL runs
 * the statements of one simple query as one implicit transaction, which commits (or rolls back)
 * before the query is answered. Such a statement, made inside `statementPrelude.run(prelude, …)`,
 * goes out as `<prelude>; <statement>`: one round trip in all (TenantScope.execute).
 */
export const transactionPrelude = new AsyncLocalStorage<readonly string[]>();

/** The prelude of a statement that runs alone, in an implicit transaction (see above). */
export const statementPrelude = new AsyncLocalStorage<readonly string[]>();

/** What Kysely's PostgresDriver sends to begin a transaction. */
const TRANSACTION_START = /^\s*(?:begin|start\s+transaction\b[\w\s]*)$/i;
const TRANSACTION_END = /^\s*(commit|rollback)\s*$/i;

interface KeptStart {
  /** `begin` and the prelude, in order (for a statement alone, only the prelude). */
  statements: readonly string[];
}

const kept = new WeakMap<PoolClient, KeptStart>();

/** The preludes of a client's current holder, read when it checked the client out. */
interface Preludes {
  transaction?: readonly string[];
  statement?: readonly string[];
}

const preludesOf = new WeakMap<PoolClient, Preludes>();

/**
 * Installs the deferred start on every client of `pool` (MikroORM's `onPoolCreated`).
 *
 * The preludes are read from the async context of the code that checks a client out, at the
 * checkout, and bound to that client until its release: a query that some other code makes on
 * another client while that context is current (a callback run by the pool) never gets them.
 */
export function deferTransactionStarts(pool: Pool): void {
  pool.on('connect', (client) => deferOnClient(client as PoolClient));
  pool.on('acquire', (client) => forget(client as PoolClient));
  pool.on('release', (_error, client) => forget(client as PoolClient));
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<PoolClient> | undefined;
  pool.connect = ((callback?: unknown) => {
    // The callback form is not used by Kysely; its holder gets no preludes.
    if (typeof callback === 'function') return connect(callback);
    const preludes: Preludes = {
      transaction: transactionPrelude.getStore(),
      statement: statementPrelude.getStore(),
    };
    return connect()!.then((client) => {
      preludesOf.set(client, preludes);
      return client;
    });
  }) as Pool['connect'];
}

function forget(client: PoolClient): void {
  kept.delete(client);
  preludesOf.delete(client);
}

/** A result for a statement that was kept, not sent (Kysely reads command, rowCount and rows). */
function unsentResult(command: string): QueryResult {
  return { command: command.toUpperCase(), rowCount: null, oid: 0, rows: [], fields: [] };
}

type Query = (...args: unknown[]) => unknown;

function deferOnClient(client: PoolClient): void {
  const send = client.query.bind(client) as Query;
  const query = (...args: unknown[]): unknown => {
    const [text, values, callback] = args;
    // A plain statement: text and no bound parameters, answered by a promise.
    const plain =
      typeof text === 'string' &&
      text.trim() !== '' &&
      callback === undefined &&
      (values === undefined || (Array.isArray(values) && values.length === 0));
    const start = kept.get(client);
    if (!start) {
      // Each prelude serves once: the holder's transaction, or its statement alone.
      const preludes = preludesOf.get(client);
      preludesOf.delete(client);
      if (plain && TRANSACTION_START.test(text)) {
        kept.set(client, { statements: [text.trim(), ...(preludes?.transaction ?? [])] });
        return Promise.resolve(unsentResult('begin'));
      }
      const alone = preludes?.statement;
      if (alone && alone.length > 0) {
        // Sent on its own, the prelude's transaction-local setting would end with it.
        if (!plain) return Promise.reject(new Error('a statement with a prelude must be plain text'));
        return sendWithStart(send, { statements: alone }, text);
      }
      return send(...args);
    }
    kept.delete(client);
    if (plain) {
      const end = TRANSACTION_END.exec(text);
      // Nothing was sent: there is no transaction on the server to end.
      if (end) return Promise.resolve(unsentResult(end[1]!));
      return sendWithStart(send, start, text);
    }
    // Bound parameters or a cursor: the start goes first, as its own query (pg sends queries
    // in the order they were made).
    const head = send(start.statements.join(';\n')) as Promise<unknown>;
    const rest = send(...args);
    if (!(rest instanceof Promise)) {
      head.catch(() => undefined);
      return rest;
    }
    return head.then(
      () => rest,
      (error: unknown) => {
        rest.catch(() => undefined);
        throw error;
      },
    );
  };
  client.query = query as PoolClient['query'];
}

/** `<start>; <text>` as one simple query; the caller gets `text`'s result(s). */
async function sendWithStart(send: Query, start: KeptStart, text: string): Promise<unknown> {
  const head = start.statements.join(';\n') + ';\n';
  try {
    const results = (await send(head + text)) as QueryResult[];
    const own = results.slice(start.statements.length);
    return own.length === 1 ? own[0] : own;
  } catch (error) {
    // PostgreSQL points into the whole string; the caller knows only its own statement.
    const position = Number((error as { position?: string }).position);
    if (position > head.length) (error as { position?: string }).position = String(position - head.length);
    throw error;
  }
}
