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
}

/** A small pool of connections to one endpoint, created once per execution environment. */
export interface SqlPool {
  readonly engine: DatabaseEngine;
  /** The host this pool connects to. */
  readonly host: string;
  /**
   * Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on error). The statement timeout of the
   * environment contract is applied inside the transaction (`SET LOCAL` on PostgreSQL), never as a
   * session or startup parameter.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Closes every connection (tests and local scripts; Lambda simply freezes the environment). */
  end(): Promise<void>;
}
