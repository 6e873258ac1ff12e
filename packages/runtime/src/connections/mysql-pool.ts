import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import type { PasswordProvider } from './credentials';
import type { QueryResult, SqlExecutor, SqlPool, TransactionOptions } from './sql-pool';
import { boundedDeadlineMs } from './transaction-deadline';
import type { ConnectionSettings } from '../config/environment';
import { ConfigurationError } from '../errors';
import { requireOptional } from '../optional-module';
import { classifyError } from '../resilience/error-classification';

/** Options of {@link createMysqlPool}. */
export interface MysqlPoolOptions {
  readonly settings: ConnectionSettings;
  readonly host: string;
  readonly credentials: PasswordProvider;
  /** Fails a connection attempt after this long. @default 5000 */
  readonly connectTimeout?: number;
}

/** The part of `mysql2/promise` the runtime uses. */
export type MysqlDriver = Pick<typeof import('mysql2/promise'), 'createPool'>;

let registeredDriver: MysqlDriver | undefined;

/**
 * Registers mysql2 for EDA_ENGINE=mysql. The runtime never imports mysql2 by name — it weighs ~1 MB
 * minified, which every PostgreSQL function would otherwise bundle — so a bundled MySQL handler
 * passes it in: `import * as mysql from 'mysql2/promise'; useMysqlDriver(mysql);`.
 * Unbundled code (tests, local scripts) does not need this: mysql2 is then loaded from node_modules.
 */
export function useMysqlDriver(driver: MysqlDriver | undefined): void {
  registeredDriver = driver;
}

// Built at run time so that bundlers cannot see (and bundle) the module.
const MYSQL_MODULE = ['mysql2', 'promise'].join('/');

function loadMysqlDriver(): MysqlDriver {
  if (registeredDriver) return registeredDriver;
  try {
    return requireOptional<MysqlDriver>(MYSQL_MODULE);
  } catch (error) {
    throw new ConfigurationError('EDA_ENGINE',
      "is mysql but mysql2 is not bundled: add `import * as mysql from 'mysql2/promise'; useMysqlDriver(mysql);` to the handler",
    );
  }
}

/** START TRANSACTION for MySQL (there is no transaction-scoped SET, see {@link mysqlPoolConfig}). */
export function mysqlBeginSql(readOnly: boolean): string {
  return readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION';
}

/**
 * mysql2 settings that never pin RDS Proxy sessions: no `SET SESSION`, no init commands, no server
 * prepared statements (we call `query()`, never `execute()`, which prepares on the server), no
 * multiple statements. MySQL has no `SET LOCAL`, so the statement timeout of the contract is the
 * per-query `timeout` of mysql2 (client side; the connection is destroyed when it fires).
 *
 * IAM: RDS asks for the cleartext plugin; the custom plugin returns a cached token for each new
 * connection, so tokens are refreshed without recreating the pool
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 * TLS trust: see postgresPoolConfig.
 */
export function mysqlPoolConfig(options: MysqlPoolOptions, staticPassword: string | undefined): PoolOptions {
  const { settings, host, credentials } = options;
  return {
    host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: staticPassword,
    ssl: settings.tls === 'verify-full' ? { rejectUnauthorized: true, minVersion: 'TLSv1.2' } : undefined,
    connectionLimit: settings.poolMax,
    maxIdle: settings.poolMax,
    idleTimeout: 60_000,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: options.connectTimeout ?? 5_000,
    multipleStatements: false,
    authPlugins: settings.auth === 'iam'
      ? { mysql_clear_password: () => async () => Buffer.from(`${await credentials.password()}\0`) }
      : undefined,
  };
}

function executor(connection: PoolConnection, statementTimeoutMs: number | undefined, deadline: number | undefined): SqlExecutor {
  return {
    engine: 'mysql',
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const timeout = boundedDeadlineMs(statementTimeoutMs, deadline, 'statement');
      const [result] = await connection.query({ sql, values: params ? [...params] : undefined, timeout });
      if (Array.isArray(result)) return { rows: result as Row[], rowCount: result.length };
      const header = result as { affectedRows?: number };
      return { rows: [], rowCount: header.affectedRows ?? 0 };
    },
  };
}

/** A mysql2 pool behind the {@link SqlPool} interface. */
export function createMysqlPool(options: MysqlPoolOptions): SqlPool {
  let pool: Promise<Pool> | undefined;
  const getPool = (): Promise<Pool> => {
    if (!pool) {
      pool = (async () => {
        const mysql = loadMysqlDriver();
        // Secret and local passwords are fixed for the pool's lifetime; IAM tokens go through the plugin.
        const staticPassword = options.settings.auth === 'iam' ? undefined : await options.credentials.password();
        return mysql.createPool(mysqlPoolConfig(options, staticPassword));
      })();
      pool.catch(() => {
        pool = undefined;
      });
    }
    return pool;
  };
  const statementTimeoutMs = options.settings.statementTimeoutMs;

  return {
    engine: 'mysql',
    host: options.host,
    statementTimeoutMs,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      boundedDeadlineMs(undefined, txOptions.deadline, 'START TRANSACTION');
      let connection: PoolConnection;
      try {
        connection = await (await getPool()).getConnection();
      } catch (error) {
        if (classifyError(error).code === 'ER_ACCESS_DENIED_ERROR') options.credentials.invalidate();
        throw error;
      }
      let broken = false;
      try {
        await connection.query(mysqlBeginSql(txOptions.readOnly ?? false));
        const result = await fn(executor(connection, statementTimeoutMs, txOptions.deadline));
        // MySQL has no aborted-transaction state (a failed statement leaves the transaction usable), and a failed
        // COMMIT rejects here. A connection lost mid-transaction rejects the command in flight; mysql2's pool
        // listens for the connection's `error` event itself, so it never becomes an uncaught exception.
        await connection.commit();
        return result;
      } catch (error) {
        const verdict = classifyError(error);
        // mysql2 closes the connection when a query times out.
        broken = verdict.connectionFailure || verdict.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
        if (!broken) {
          await connection.rollback().catch(() => {
            broken = true;
          });
        }
        throw error;
      } finally {
        if (broken) connection.destroy();
        else connection.release();
      }
    },
    async end(): Promise<void> {
      if (pool) await (await pool).end();
    },
  };
}
