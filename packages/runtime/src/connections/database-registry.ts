import type { Clock } from '../clock';
import { createPasswordProvider, CredentialDependencies } from './credentials';
import { idleErrorRecord } from './idle-error-record';
import { createMysqlPool } from './mysql-pool';
import { createPostgresPool } from './postgres-pool';
import type { SqlExecutor, SqlPool, TransactionOptions } from './sql-pool';
import { ConnectionSettings, EndpointRole, Environment, readConnectionSettings } from '../config/environment';
import { countMetric, METRIC_NAMES, runtimeLogger, runtimeMetrics } from '../observability/telemetry';
import { CircuitBreaker, CircuitBreakerOptions } from '../resilience/circuit-breaker';

/**
 * One pool and one circuit breaker per endpoint role and execution environment, created on first
 * use outside the handler's invocation and reused by every later invocation of the environment.
 * EDA_POOL_MAX (default 1) bounds the connections: it is the number the ConcurrencyBudget multiplies
 * the function's reserved concurrency by.
 */
export interface Database {
  readonly pool: SqlPool;
  readonly breaker: CircuitBreaker;
}

/** Options of the shared databases (call {@link configureDatabases} before first use). */
export interface DatabaseRegistryOptions {
  /** Where configuration comes from. @default process.env */
  readonly env?: Environment;
  /** Circuit breaker settings shared by both roles. @default 5 failures, 10 s cool-down */
  readonly breaker?: Omit<CircuitBreakerOptions, 'onOpen' | 'onClose'>;
  /** Credential dependencies (tests inject fakes). @default RDS signer / Secrets Manager */
  readonly credentials?: CredentialDependencies;
  /** Picks the reader host of this environment among EDA_READ_HOSTS. @default uniform random */
  readonly random?: () => number;
  /** Pools to use instead of building them from the environment (tests). @default built from env */
  readonly pools?: Partial<Record<EndpointRole, SqlPool>>;
  /** Time source of the breakers. @default the wall clock */
  readonly clock?: Clock;
}

let options: DatabaseRegistryOptions = {};
const databases: Partial<Record<EndpointRole, Database>> = {};

/**
 * Picks this environment's host: each environment keeps one reader, and environments spread
 * uniformly over the replicas (a random pick needs no coordination between environments).
 */
export function pickHost(hosts: readonly string[], random: () => number = Math.random): string {
  return hosts[Math.min(hosts.length - 1, Math.floor(random() * hosts.length))];
}

function buildPool(settings: ConnectionSettings, host: string): SqlPool {
  const credentials = createPasswordProvider(settings, host, options.credentials);
  if (settings.engine === 'mysql') return createMysqlPool({ settings, host, credentials });
  return createPostgresPool({
    settings,
    host,
    credentials,
    onIdleError: (error) => runtimeLogger().warn('idle database connection failed', { ...idleErrorRecord(host, error) }),
  });
}

/** The shared writer or reader database of this execution environment. */
export function database(role: EndpointRole): Database {
  const existing = databases[role];
  if (existing) return existing;
  let pool = options.pools?.[role];
  if (!pool) {
    const settings = readConnectionSettings(role, options.env);
    pool = buildPool(settings, pickHost(settings.hosts, options.random));
  }
  const host = pool.host;
  const breaker = new CircuitBreaker({
    ...options.breaker,
    clock: options.breaker?.clock ?? options.clock,
    onOpen: (failures) => {
      runtimeLogger().error('circuit breaker opened: database unreachable', { role, host, consecutiveFailures: failures });
      // Published at once: a reader API may never flush the shared Metrics itself.
      const metrics = runtimeMetrics();
      countMetric(METRIC_NAMES.breakerOpened, 1, metrics);
      metrics.publishStoredMetrics();
    },
    onClose: () => runtimeLogger().info('circuit breaker closed: database reachable again', { role, host }),
  });
  const created = { pool, breaker };
  databases[role] = created;
  return created;
}

/** Sets the options of the shared databases; closes and forgets pools built before. */
export async function configureDatabases(newOptions: DatabaseRegistryOptions = {}): Promise<void> {
  await closeDatabases();
  options = newOptions;
}

/** Closes the shared pools (tests, local scripts). */
export async function closeDatabases(): Promise<void> {
  const open = Object.values(databases);
  for (const role of Object.keys(databases) as EndpointRole[]) delete databases[role];
  await Promise.all(open.map((d) => d!.pool.end().catch(() => undefined)));
}

/** Runs `fn` in a transaction on `db`, through its circuit breaker. */
export function runGuarded<T>(db: Database, fn: (tx: SqlExecutor) => Promise<T>, txOptions?: TransactionOptions): Promise<T> {
  return db.breaker.execute(() => db.pool.transaction(fn, txOptions));
}

/**
 * Runs `fn` in a read-only transaction on this environment's reader (one of EDA_READ_HOSTS).
 * Throws {@link DatabaseUnavailableError} at once while the reader's breaker is open.
 */
export function withReader<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
  return runGuarded(database('reader'), fn, { readOnly: true });
}

/**
 * Runs `fn` in a transaction on the writer (EDA_WRITE_HOST). Throws
 * {@link DatabaseUnavailableError} at once while the writer's breaker is open.
 */
export function withWriter<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
  return runGuarded(database('writer'), fn);
}
