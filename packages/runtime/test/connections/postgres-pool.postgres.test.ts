import { Client } from 'pg';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { readConnectionSettings } from '../../src/config/environment';
import { createPostgresPool } from '../../src/connections/postgres-pool';
import type { SqlPool } from '../../src/connections/sql-pool';
import { TimeBudgetExhaustedError, TransactionRolledBackError } from '../../src/errors';
import { classifyError } from '../../src/resilience/error-classification';
import { postgresEnvironment, withClient } from '../support/postgres-env';

// The pool against a real PostgreSQL 15: what COMMIT answers, dropped connections, the transaction deadline.
let pg: LocalPostgres;
let pool: SqlPool;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  pg = await startPostgres();
  await asSuperuser((db) => db.query(`create table dedup (id text primary key); grant all on dedup to ${pg.user}`));
  const settings = readConnectionSettings('writer', postgresEnvironment(pg));
  pool = createPostgresPool({ settings, host: pg.host, credentials: { password: async () => pg.password, invalidate: () => undefined } });
  process.on('uncaughtException', onUncaught);
}, 30_000);

afterAll(async () => {
  process.removeListener('uncaughtException', onUncaught);
  await pool?.end();
  await pg?.stop();
});

const asSuperuser = <T>(fn: (db: Client) => Promise<T>): Promise<T> => withClient(pg.superuserConnectionString, fn);

const count = async (id: string) => asSuperuser(async (db) => (await db.query<{ n: number }>('select count(*)::int as n from dedup where id = $1', [id])).rows[0].n);

test('EDA-11 #1: a COMMIT that PostgreSQL answers with ROLLBACK (after a caught 23505) throws TransactionRolledBackError, permanent', async () => {
  // GIVEN a row that makes the second insert of the transaction fail with 23505
  await asSuperuser((db) => db.query("insert into dedup values ('taken')"));
  // WHEN the caller catches the error ("ignore duplicates") and lets the transaction commit
  const error = await pool.transaction(async (tx) => {
    await tx.query("insert into dedup values ('fresh')");
    await tx.query("insert into dedup values ('taken')").catch((e: { code?: string }) => {
      if (e.code !== '23505') throw e;
    });
  }).catch((e: unknown) => e);
  // THEN success is not reported: nothing was written, and the error names the caught cause
  expect(error).toBeInstanceOf(TransactionRolledBackError);
  expect((error as Error).message).toContain('23505');
  expect(classifyError(error)).toMatchObject({ errorClass: 'permanent', code: 'EDA_TRANSACTION_ROLLED_BACK', connectionFailure: false });
  expect(await count('fresh')).toBe(0);
  // AND the connection is reusable
  await expect(pool.transaction((tx) => tx.query('select 1'))).resolves.toMatchObject({ rowCount: 1 });
});

test('EDA-11 #4: a connection terminated between two statements rejects the next one as a connection failure, with no uncaught exception', async () => {
  // WHEN the server terminates the backend of the checked-out connection while no statement is in flight
  const error = await pool.transaction(async (tx) => {
    const { rows } = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
    await asSuperuser((db) => db.query('select pg_terminate_backend($1)', [rows[0].pid]));
    for (let i = 0; i < 100 && (await asSuperuser((db) => db.query('select 1 from pg_stat_activity where pid = $1', [rows[0].pid]))).rowCount === 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await tx.query('select 1');
  }).catch((e: unknown) => e);
  // THEN the caller gets a classified transient connection failure, nothing escapes as an uncaught exception
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', connectionFailure: true });
  expect(uncaught).toEqual([]);
  // AND the dead connection was destroyed, not returned to the pool
  await expect(pool.transaction((tx) => tx.query('select 1'))).resolves.toMatchObject({ rowCount: 1 });
});

test('EDA-11 #5: no statement outlives the transaction deadline (client deadline clipped to it); past it, nothing is sent', async () => {
  // GIVEN no server-side statement timeout and a deadline 300 ms away (the statement deadline would be 7 s)
  const error = await pool.transaction((tx) => tx.query('select pg_sleep(30)'), { deadline: Date.now() + 300 }).catch((e: unknown) => e);
  // THEN the client gave up at the clipped deadline, as a connection failure the breaker counts
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'EDA_CLIENT_DEADLINE', connectionFailure: true });
  expect(Number(/within (\d+) ms/.exec((error as Error).message)?.[1])).toBeLessThanOrEqual(300);
  // AND a deadline already passed starts nothing
  await expect(pool.transaction((tx) => tx.query('select 1'), { deadline: Date.now() - 1 })).rejects.toBeInstanceOf(TimeBudgetExhaustedError);
  // AND the abandoned connection was destroyed: the pool still works
  await expect(pool.transaction((tx) => tx.query('select 1'))).resolves.toMatchObject({ rowCount: 1 });
}, 20_000);

test('EDA-13: a transaction sends BEGIN, the caller\'s statements and COMMIT, nothing that pins an RDS Proxy session (no SET/SET LOCAL)', async () => {
  // GIVEN a spy on every statement node-postgres sends
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pgModule = require('pg') as typeof import('pg');
  const spy = jest.spyOn(pgModule.Client.prototype, 'query');
  try {
    // WHEN a read-only and a read-write transaction run (EDA_STATEMENT_TIMEOUT_MS is set: 5000)
    await pool.transaction((tx) => tx.query('select 1'), { readOnly: true });
    await pool.transaction((tx) => tx.query('select 2'));
    // THEN
    const texts = spy.mock.calls.map(([config]) => (typeof config === 'string' ? config : (config as { text: string }).text));
    expect(texts).toEqual(['BEGIN READ ONLY', 'select 1', 'COMMIT', 'BEGIN', 'select 2', 'COMMIT']);
  } finally {
    spy.mockRestore();
  }
});

describe('EDA-15: one client-side watchdog per transaction instead of a pg query_timeout per statement', () => {
  // A pool whose BEGIN deadline (300 ms) is shorter than its statement deadline (statement timeout 1 s + 2 s margin),
  // and one whose BEGIN deadline (10 s) is longer: the watchdog armed at BEGIN must serve both.
  const poolWith = (beginTimeoutMillis: number, statementTimeoutMs: number): SqlPool => createPostgresPool({
    settings: { ...readConnectionSettings('writer', postgresEnvironment(pg)), statementTimeoutMs },
    host: pg.host,
    beginTimeoutMillis,
    credentials: { password: async () => pg.password, invalidate: () => undefined },
  });

  test('a statement that outlasts the BEGIN deadline but not its own is answered (the watchdog re-arms for it)', async () => {
    // GIVEN BEGIN's deadline 300 ms, the statement's 3 s
    const short = poolWith(300, 1_000);
    try {
      // WHEN a statement takes 800 ms
      const started = Date.now();
      const result = await short.transaction((tx) => tx.query<{ ok: number }>('select 1 as ok from pg_sleep(0.8)'));
      // THEN it is answered, after the BEGIN deadline passed
      expect(result.rows).toEqual([{ ok: 1 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    } finally {
      await short.end();
    }
  });

  test('a statement deadline earlier than the armed one fires at its own time, as a connection failure', async () => {
    // GIVEN BEGIN's deadline 10 s and the statement's 2.1 s (statement timeout 100 ms, which the server does not enforce here)
    const long = poolWith(10_000, 100);
    try {
      // WHEN a statement would take 30 s
      const started = Date.now();
      const error = await long.transaction((tx) => tx.query('select pg_sleep(30)')).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      // THEN the client gave up at the statement's deadline, not BEGIN's, and the breaker would count it
      expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'EDA_CLIENT_DEADLINE', connectionFailure: true });
      expect((error as Error).message).toContain('within 2100 ms');
      expect(elapsed).toBeGreaterThanOrEqual(2_000);
      expect(elapsed).toBeLessThan(5_000);
      // AND the abandoned connection was destroyed, not returned to the pool. (Its backend keeps sleeping: PostgreSQL
      // notices a closed client only at its next I/O; deployed, the role's statement_timeout ends it server-side.)
      await expect(long.transaction((tx) => tx.query('select 1'))).resolves.toMatchObject({ rowCount: 1 });
      expect(uncaught).toEqual([]);
    } finally {
      await long.end();
    }
  }, 20_000);
});
