import { Client } from 'pg';
import { LocalPgBouncer, startPgBouncer } from '../../../local/src/pgbouncer';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import type { ConnectionSettings } from '../../src/config/environment';
import { createPostgresPool, statementDeadlineMs } from '../../src/connections/postgres-pool';
import type { SqlPool } from '../../src/connections/sql-pool';
import { DatabaseUnavailableError } from '../../src/errors';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { classifyError } from '../../src/resilience/error-classification';

// A PgBouncer with ONE server connection, held by another client, and the proxy's 120 s borrow timeout:
// what a writer sees behind RDS Proxy while the database is down or the proxy's pool is exhausted.
let pg: LocalPostgres;
let bouncer: LocalPgBouncer;
let holder: Client;
let pool: SqlPool | undefined;

beforeAll(async () => {
  pg = await startPostgres();
  bouncer = await startPgBouncer(pg, { poolSize: 1, borrowTimeoutSeconds: 120 });
  holder = new Client({ connectionString: bouncer.connectionString });
  await holder.connect();
  // An open transaction keeps the only server connection (transaction pooling).
  await holder.query('begin');
  await holder.query('select 1');
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await holder?.query('rollback').catch(() => undefined);
  await holder?.end().catch(() => undefined);
  await bouncer?.stop();
  await pg?.stop();
});

function poolThroughBouncer(connectionTimeoutMillis: number): SqlPool {
  const settings: ConnectionSettings = {
    engine: 'postgres',
    role: 'writer',
    hosts: [bouncer.host],
    port: bouncer.port,
    database: bouncer.database,
    user: bouncer.user,
    auth: 'password',
    password: bouncer.password,
    tls: 'disable',
    poolMax: 1,
  } as ConnectionSettings;
  return createPostgresPool({
    settings,
    host: bouncer.host,
    connectionTimeoutMillis,
    credentials: { password: async () => bouncer.password, invalidate: () => undefined },
  });
}

test('a stuck proxy borrow fails BEGIN within the client deadline as a connection failure', async () => {
  // GIVEN a pool whose connection timeout is 500 ms, in front of an exhausted proxy pool
  pool = poolThroughBouncer(500);
  // WHEN a transaction starts
  const started = Date.now();
  const error = await pool.transaction(async (tx) => tx.query('select 1')).catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  // THEN it fails in about the deadline, not the proxy's 120 s, and counts as a connection failure
  expect(elapsed).toBeLessThan(5_000);
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'EDA_CLIENT_DEADLINE', connectionFailure: true });
}, 20_000);

test('stuck borrows open the circuit breaker within seconds', async () => {
  // GIVEN a breaker that opens after 3 connection failures and the exhausted proxy pool
  pool ??= poolThroughBouncer(500);
  const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 60_000 });
  const started = Date.now();
  // WHEN 4 transactions are attempted one after the other
  const errors: unknown[] = [];
  for (let i = 0; i < 4; i++) errors.push(await breaker.execute(() => pool!.transaction(async (tx) => tx.query('select 1'))).catch((e: unknown) => e));
  // THEN the 4th is refused by the open breaker, all within a few seconds
  expect(errors[3]).toBeInstanceOf(DatabaseUnavailableError);
  expect(Date.now() - started).toBeLessThan(10_000);
}, 30_000);

test('the statement deadline is EDA_STATEMENT_TIMEOUT_MS plus a 2 s margin, none without a statement timeout', () => {
  // GIVEN / WHEN / THEN
  expect(statementDeadlineMs(3_000)).toBe(5_000);
  expect(statementDeadlineMs(undefined)).toBeUndefined();
});
