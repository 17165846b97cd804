import type { AnyEntity, Configuration, EntityData, SessionContext } from '@mikro-orm/core';
import { PostgreSqlConnection, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { statementPrelude, transactionPrelude } from './deferred-transaction-start';

type BeginOptions = NonNullable<Parameters<PostgreSqlConnection['begin']>[0]>;

/**
 * MikroORM's PostgreSQL connection, but a transaction's session context (the tenant setting)
 * is not sent as a statement of its own after BEGIN: it becomes the transaction's prelude,
 * which the pool's clients send together with BEGIN and the first statement
 * (deferred-transaction-start.ts). The statements are MikroORM's own (`set_config(…, true)`,
 * `set local role`), with its own quoting; they are logged as before.
 */
export class PreludePostgreSqlConnection extends PostgreSqlConnection {
  override async begin(options: BeginOptions = {}): ReturnType<PostgreSqlConnection['begin']> {
    // A savepoint (ctx) runs inside a transaction whose prelude was sent already.
    if (options.ctx || !options.sessionContext) return super.begin(options);
    const prelude = this.sessionStatements(options.sessionContext);
    const trx = await transactionPrelude.run(prelude, () =>
      super.begin({ ...options, sessionContext: undefined }),
    );
    for (const statement of prelude) this.logQuery(statement, options.loggerContext);
    return trx;
  }

  /**
   * Runs one statement (MikroORM's `?` placeholders) as a transaction of its own, under the
   * session context: the setting and the statement go out as one simple query, which
   * PostgreSQL runs as one implicit transaction — one round trip, no BEGIN, no COMMIT. The
   * statement has committed when this resolves.
   */
  async executeAlone<T extends EntityData<AnyEntity>[]>(
    sql: string,
    params: readonly unknown[],
    context: SessionContext,
  ): Promise<T> {
    const prelude = this.sessionStatements(context);
    for (const statement of prelude) this.logQuery(statement);
    return statementPrelude.run(prelude, () => this.execute<T>(sql, [...params], 'all'));
  }

  private sessionStatements(context: SessionContext): string[] {
    const statements: string[] = [];
    const variables = Object.entries(context.variables ?? {});
    if (variables.length > 0) {
      statements.push(
        this.platform.formatQuery(
          `select ${variables.map(() => 'set_config(?, ?, true)').join(', ')}`,
          variables.flatMap(([key, value]) => [key, this.stringifySessionVariable(value)]),
        ),
      );
    }
    if (context.role)
      statements.push(`set local role ${PreludePostgreSqlConnection.quoteRole(context.role)}`);
    return statements;
  }
}

/** PostgreSqlDriver on PreludePostgreSqlConnection (MikroORM's `driver` option). */
export class PreludePostgreSqlDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    // The base class builds its connection in its constructor and declares it readonly; no
    // query has used it yet.
    (this as unknown as { connection: PostgreSqlConnection }).connection = new PreludePostgreSqlConnection(
      this.config,
    );
  }
}
