import type { DatabaseEngine } from '../config/environment';

/** Rows returned by a query (`rowCount` = affected rows for INSERT/UPDATE/DELETE). */
export interface QueryResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  readonly rowCount: number;
}

/**
 * Runs parameterised SQL on one connection. Placeholders are the engine's own: `$1, $2` for
 * PostgreSQL, `?` for MySQL. Statements are never prepared under a name, so RDS Proxy does not pin.
 */
export interface SqlExecutor {
  readonly engine: DatabaseEngine;
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** Options of one transaction. */
export interface TransactionOptions {
  /** Start a read-only transaction. @default false */
  readonly readOnly?: boolean;
  /**
   * Instant (epoch ms, `Date.now()` clock) no statement of the transaction may outlive: each client-side
   * deadline is clipped to it, and a statement due after it is not sent ({@link TimeBudgetExhaustedError}).
   * The writer sets it from `context.getRemainingTimeInMillis()`, so a slow database cannot make it overrun
   * its function timeout. @default none (statements are bounded by their own deadlines only)
   */
  readonly deadline?: number;
}

/** A small pool of connections to one endpoint, created once per execution environment. */
export interface SqlPool {
  readonly engine: DatabaseEngine;
  /** The host this pool connects to. */
  readonly host: string;
  /**
   * EDA_STATEMENT_TIMEOUT_MS: the server cancels a statement after this long (PostgreSQL: the database user's
   * `statement_timeout`, see userSetupSql); the client gives up a little later. @default none
   */
  readonly statementTimeoutMs?: number;
  /**
   * Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on error). Nothing is set on the session
   * (no SET, SET LOCAL or startup parameter, which would pin RDS Proxy sessions): statements are bounded by
   * client-side deadlines and, on PostgreSQL, by the database user's `statement_timeout`. A COMMIT that
   * PostgreSQL answers with ROLLBACK (the transaction had been aborted by an error the caller caught) throws
   * {@link TransactionRolledBackError}.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Closes every connection (tests and local scripts; Lambda simply freezes the environment). */
  end(): Promise<void>;
}
