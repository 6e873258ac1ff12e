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

/** node-postgres's socket, which its own `query_timeout` destroys too when a pipelined statement times out. */
interface PgConnectionInternals {
  readonly connection?: { readonly stream?: { destroy(): void } };
}

/**
 * One checked-out connection and what happened to it during the checkout.
 *
 * Client-side deadlines (EDA-15): one watchdog timer per checkout instead of pg's `query_timeout` per statement.
 * `query_timeout` copies every statement's config object (pg's cloneQueryConfig: ~8 µs a statement, the top entry
 * of the per-message writer's profile next to the socket writes) and sets and clears a timer per statement. Here a
 * statement only records when it must have been answered; the one timer is armed at BEGIN and re-armed only when
 * it fires early (the statement in flight then has a later deadline) or when a statement's deadline is earlier
 * than the armed one. When it fires on a statement past its deadline it destroys the socket, as pg's own
 * `query_timeout` does for a pipelined statement: the statement rejects, the server sees the connection close and
 * rolls the transaction back, and the connection is never returned to the pool.
 */
class Checkout {
  /** Set by the connection's `error` event (socket closed, server terminated the backend). */
  public dropped: Error | undefined;
  /** The first statement error of the transaction, even if the caller's code caught it. */
  public firstError: unknown;

  private readonly onError: (error: Error) => void;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  /** When the armed watchdog fires (epoch ms); +Infinity while none is armed. */
  private watchdogAt = Number.POSITIVE_INFINITY;
  /** When the statement in flight must have been answered (epoch ms); +Infinity while none is in flight. */
  private inFlightDeadline = Number.POSITIVE_INFINITY;
  /** True once the watchdog gave up on a statement (and destroyed the connection). */
  private expired = false;

  constructor(public readonly client: PoolClient, private readonly deadline: number | undefined) {
    // Without a listener, node-postgres's `error` event would be an uncaught exception that ends the
    // execution environment; the statement in flight (or the next one) rejects with the cause anyway.
    this.onError = (error) => {
      this.dropped ??= error;
    };
    client.on('error', this.onError);
  }

  public async query(text: string, values: readonly unknown[] | undefined, deadlineMs: number | undefined, what: string) {
    const now = Date.now();
    const ms = boundedDeadlineMs(deadlineMs, this.deadline, what, now);
    if (ms !== undefined) this.watch(now + ms, now);
    try {
      // Never pass `name`: a named statement is a session-level prepared statement (pins RDS Proxy,
      // fails on PgBouncer in transaction mode). The plain (text, values) form: pg copies every config object
      // it is given, and does not modify the values array (it maps it into a new one).
      return await this.client.query(text, values as unknown[] | undefined);
    } catch (error) {
      this.firstError ??= error;
      if (this.expired && ms !== undefined) throw new ClientDeadlineError(what, ms, error);
      throw error;
    } finally {
      this.inFlightDeadline = Number.POSITIVE_INFINITY;
    }
  }

  /** Returns the connection to the pool, or destroys it when it is dead or in an unknown state. */
  public release(broken: Error | undefined): void {
    clearTimeout(this.watchdog);
    this.client.removeListener('error', this.onError);
    // release(error) destroys the connection instead of returning a dead socket to the pool.
    this.client.release(this.dropped ?? (this.expired ? new Error('client-side deadline expired') : broken));
  }

  private watch(deadlineAt: number, now: number): void {
    this.inFlightDeadline = deadlineAt;
    if (deadlineAt < this.watchdogAt) this.arm(deadlineAt, now);
  }

  private arm(at: number, now: number): void {
    clearTimeout(this.watchdog);
    this.watchdogAt = at;
    this.watchdog = setTimeout(this.onWatchdog, Math.max(0, at - now));
  }

  private readonly onWatchdog = (): void => {
    this.watchdog = undefined;
    this.watchdogAt = Number.POSITIVE_INFINITY;
    // Nothing in flight: the next statement arms a new watchdog.
    if (this.inFlightDeadline === Number.POSITIVE_INFINITY) return;
    const now = Date.now();
    // A later statement with a later deadline is in flight: wait for that one.
    if (now < this.inFlightDeadline) return this.arm(this.inFlightDeadline, now);
    this.expired = true;
    (this.client as unknown as PgConnectionInternals).connection?.stream?.destroy();
  };
}

function executor(checkout: Checkout, deadlineMs: number | undefined): SqlExecutor {
  return {
    engine: 'postgres',
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await checkout.query(sql, params, deadlineMs, 'statement');
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * A connection from the pool, within the transaction's deadline as well as the pool's connection timeout: a new
 * connection (a cold environment, or one replacing a destroyed connection) must not outlive the invocation either,
 * and the pool's timeout (5 s by default) can be longer than what a short function timeout leaves. A connection that
 * arrives after the deadline goes back to the pool for the next transaction.
 */
async function connectWithin(pool: Pool, deadline: number | undefined, connectionTimeoutMillis: number): Promise<PoolClient> {
  const left = deadline === undefined ? undefined : Math.floor(deadline - Date.now());
  if (left === undefined || left >= connectionTimeoutMillis) return pool.connect();
  const connecting = pool.connect();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ClientDeadlineError('connect', left, 'no connection from the pool')), Math.max(0, left));
  });
  try {
    return await Promise.race([connecting, expired]);
  } catch (error) {
    if (error instanceof ClientDeadlineError) connecting.then((late) => late.release(), () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A node-postgres pool behind the {@link SqlPool} interface. */
export function createPostgresPool(options: PostgresPoolOptions): SqlPool {
  const pool = new Pool(postgresPoolConfig(options));
  pool.on('error', (error) => options.onIdleError?.(error));
  const connectionTimeoutMillis = options.connectionTimeoutMillis ?? 5_000;
  const beginDeadlineMs = options.beginTimeoutMillis ?? connectionTimeoutMillis;
  const deadlineMs = statementDeadlineMs(options.settings.statementTimeoutMs);

  return {
    engine: 'postgres',
    host: options.host,
    statementTimeoutMs: options.settings.statementTimeoutMs,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      boundedDeadlineMs(undefined, txOptions.deadline, 'BEGIN');
      let client: PoolClient;
      try {
        client = await connectWithin(pool, txOptions.deadline, connectionTimeoutMillis);
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
