import { Pool } from 'pg';
import type { PoolClient, PoolConfig } from 'pg';
import type { PasswordProvider } from './credentials';
import type { QueryResult, SqlExecutor, SqlPool, TransactionOptions } from './sql-pool';
import { boundedDeadlineMs } from './transaction-deadline';
import type { ConnectionSettings } from '../config/environment';
import { TransactionRolledBackError } from '../errors';
import { classifyError } from '../resilience/error-classification';

/** Options of {@link createPostgresPool}. */
export interface PostgresPoolOptions {
  readonly settings: ConnectionSettings;
  readonly host: string;
  readonly credentials: PasswordProvider;
  /** Fails a connection attempt after this long, so an outage is detected in seconds. @default 5000 */
  readonly connectionTimeoutMillis?: number;
  /**
   * Client-side deadline of the first statement of a transaction (BEGIN), where RDS Proxy borrows a database
   * connection: a borrow stuck behind a down database then fails in seconds (and counts toward the circuit
   * breaker) instead of after the proxy's ConnectionBorrowTimeout (120 s by default,
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connections.html).
   * @default connectionTimeoutMillis (5000)
   */
  readonly beginTimeoutMillis?: number;
  /** Receives errors of idle connections (server restart, proxy idle timeout); without a listener pg crashes the process. */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * The BEGIN of a transaction, and nothing else. PostgreSQL sessions behind RDS Proxy pin on any `SET`
 * (AWS lists "Using SET commands" for PostgreSQL; "SET LOCAL does not pin" is said for MySQL only,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html), so the server-side statement
 * timeout is the database user's default (`ALTER ROLE … SET statement_timeout`, see userSetupSql) and the
 * runtime only adds client-side deadlines.
 */
export function postgresBeginSql(readOnly: boolean): string {
  return readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
}

/**
 * node-postgres settings that never pin RDS Proxy sessions: no `options`/`statement_timeout`/
 * `application_name` startup parameters, TLS verifying the server certificate and host name.
 *
 * Trust: RDS Proxy endpoints present Amazon Trust Services certificates (ACM), which Node's bundled
 * Mozilla store trusts. Direct RDS/Aurora endpoints (e.g. read replicas) present certificates of the
 * RDS CAs (rds-ca-rsa2048-g1 …), which Node does not trust by default: since the nodejs20.x runtime
 * Lambda no longer loads its extra CA file automatically — set NODE_EXTRA_CA_CERTS to the RDS bundle
 * (or `/var/runtime/ca-cert.pem`, which includes it). We never turn verification off.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
 * https://aws.amazon.com/blogs/compute/node-js-20-x-runtime-now-available-in-aws-lambda/
 */
export function postgresPoolConfig(options: PostgresPoolOptions): PoolConfig {
  const { settings, host, credentials } = options;
  return {
    host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    // pg calls this for every new connection: IAM tokens are refreshed without recreating the pool.
    password: () => credentials.password(),
    ssl: settings.tls === 'verify-full' ? { rejectUnauthorized: true, servername: host } : false,
    max: settings.poolMax,
    idleTimeoutMillis: 60_000,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    allowExitOnIdle: true,
  };
}

/**
 * Margin of the client-side deadline of a statement over EDA_STATEMENT_TIMEOUT_MS: the server cancels first
 * (57014, a transient error that keeps the connection); the client deadline only fires when nothing answers.
 */
export const CLIENT_DEADLINE_MARGIN_MS = 2_000;

/** Client-side deadline (pg `query_timeout`) of statements after BEGIN; undefined without a statement timeout. */
export function statementDeadlineMs(statementTimeoutMs: number | undefined): number | undefined {
  return statementTimeoutMs === undefined ? undefined : statementTimeoutMs + CLIENT_DEADLINE_MARGIN_MS;
}

/** pg's `query_timeout` error has no code: give it one the classifier counts as a connection failure. */
export class ClientDeadlineError extends Error {
  public readonly code = 'EDA_CLIENT_DEADLINE';
  constructor(what: string, ms: number, cause: unknown) {
    super(`${what} got no answer within ${ms} ms (client-side deadline; proxy borrow or database stuck): ${String(cause)}`);
    this.name = 'ClientDeadlineError';
  }
}

/** One checked-out connection and what happened to it during the checkout. */
class Checkout {
  /** Set by the connection's `error` event (socket closed, server terminated the backend). */
  public dropped: Error | undefined;
  /** The first statement error of the transaction, even if the caller's code caught it. */
  public firstError: unknown;

  private readonly onError: (error: Error) => void;

  constructor(public readonly client: PoolClient, private readonly deadline: number | undefined) {
    // Without a listener, node-postgres's `error` event would be an uncaught exception that ends the
    // execution environment; the statement in flight (or the next one) rejects with the cause anyway.
    this.onError = (error) => {
      this.dropped ??= error;
    };
    client.on('error', this.onError);
  }

  public async query(text: string, values: unknown[] | undefined, deadlineMs: number | undefined, what: string) {
    const ms = boundedDeadlineMs(deadlineMs, this.deadline, what);
    try {
      // Never pass `name`: a named statement is a session-level prepared statement (pins RDS Proxy,
      // fails on PgBouncer in transaction mode). query_timeout is client-side only: nothing is sent to the server.
      // Without a deadline, the plain (text, values) form: pg copies every config object it is given.
      return await (ms === undefined ? this.client.query(text, values) : this.client.query({ text, values, query_timeout: ms } as import('pg').QueryConfig));
    } catch (error) {
      this.firstError ??= error;
      if (ms !== undefined && error instanceof Error && error.message === 'Query read timeout') {
        throw new ClientDeadlineError(what, ms, error);
      }
      throw error;
    }
  }

  /** Returns the connection to the pool, or destroys it when it is dead or in an unknown state. */
  public release(broken: Error | undefined): void {
    this.client.removeListener('error', this.onError);
    // release(error) destroys the connection instead of returning a dead socket to the pool.
    this.client.release(this.dropped ?? broken);
  }
}

function executor(checkout: Checkout, deadlineMs: number | undefined): SqlExecutor {
  return {
    engine: 'postgres',
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await checkout.query(sql, params ? [...params] : undefined, deadlineMs, 'statement');
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/** A node-postgres pool behind the {@link SqlPool} interface. */
export function createPostgresPool(options: PostgresPoolOptions): SqlPool {
  const pool = new Pool(postgresPoolConfig(options));
  pool.on('error', (error) => options.onIdleError?.(error));
  const beginDeadlineMs = options.beginTimeoutMillis ?? options.connectionTimeoutMillis ?? 5_000;
  const deadlineMs = statementDeadlineMs(options.settings.statementTimeoutMs);

  return {
    engine: 'postgres',
    host: options.host,
    statementTimeoutMs: options.settings.statementTimeoutMs,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      boundedDeadlineMs(undefined, txOptions.deadline, 'BEGIN');
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        if (classifyError(error).code === '28P01') options.credentials.invalidate();
        throw error;
      }
      const checkout = new Checkout(client, txOptions.deadline);
      let broken: Error | undefined;
      try {
        await checkout.query(postgresBeginSql(txOptions.readOnly ?? false), undefined, beginDeadlineMs, 'BEGIN');
        const result = await fn(executor(checkout, deadlineMs));
        const commit = await checkout.query('COMMIT', undefined, deadlineMs, 'COMMIT');
        // A transaction aborted by an error the caller caught (e.g. an ignored 23505) answers COMMIT with the
        // command tag ROLLBACK and no error: nothing was written, so success must not be reported.
        if (commit.command === 'ROLLBACK') throw new TransactionRolledBackError(checkout.firstError);
        return result;
      } catch (error) {
        if (checkout.dropped || classifyError(error).connectionFailure) {
          broken = checkout.dropped ?? (error instanceof Error ? error : new Error(String(error)));
        } else if (!(error instanceof TransactionRolledBackError)) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        }
        throw error;
      } finally {
        checkout.release(broken);
      }
    },
    end: () => pool.end(),
  };
}
