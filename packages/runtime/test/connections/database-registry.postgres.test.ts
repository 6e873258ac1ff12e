import { Client } from 'pg';
import { startPgBouncer, LocalPgBouncer } from '../../../local/src/pgbouncer';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { readConnectionSettings } from '../../src/config/environment';
import { closeDatabases, configureDatabases, pickHost, withReader, withWriter } from '../../src/connections/database-registry';
import { postgresBeginSql, postgresPoolConfig } from '../../src/connections/postgres-pool';
import { DatabaseUnavailableError } from '../../src/errors';
import { useTelemetry } from '../../src/observability/telemetry';
import { classifyError } from '../../src/resilience/error-classification';
import { userSetupSql } from '../../src/sql/user-setup-sql';
import { sqlWriter } from '../../src/writer/sql-writer';
import { FakeClock, RecordingLogger, RecordingMetrics, sqsEvent, sqsRecord } from '../support/fakes';
import { postgresEnvironment, withClient } from '../support/postgres-env';

let pg: LocalPostgres;
const metrics = new RecordingMetrics();

beforeAll(async () => {
  pg = await startPostgres();
  const client = new Client({ connectionString: pg.connectionString });
  await client.connect();
  await client.query("create table items (id int primary key, name text not null); insert into items values (1, 'one')");
  await client.end();
  useTelemetry({ logger: new RecordingLogger(), metrics });
});

afterAll(async () => {
  await closeDatabases();
  await pg?.stop();
});

const asSuperuser = <T>(fn: (db: Client) => Promise<T>): Promise<T> => withClient(pg.superuserConnectionString, fn);

describe('postgres pool settings', () => {
  const settings = readConnectionSettings('writer', {
    EDA_ENGINE: 'postgres',
    EDA_WRITE_HOST: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com',
    EDA_DATABASE: 'app',
    EDA_DB_USER: 'app_writer',
    EDA_AUTH: 'iam',
    EDA_POOL_MAX: '2',
    EDA_STATEMENT_TIMEOUT_MS: '5000',
  });
  const config = postgresPoolConfig({ settings, host: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com', credentials: { password: async () => 't', invalidate: () => undefined } });

  test('verifies the server certificate and host name', () => {
    expect(config.ssl).toEqual({ rejectUnauthorized: true, servername: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com' });
  });

  test('sends no startup parameters that would pin RDS Proxy sessions', () => {
    expect(config).not.toHaveProperty('options');
    expect(config).not.toHaveProperty('statement_timeout');
    expect(config).not.toHaveProperty('application_name');
    expect(config.max).toBe(2);
  });

  test('BEGIN sends no SET (PostgreSQL sessions pin on any SET behind RDS Proxy)', () => {
    expect(postgresBeginSql(false)).toBe('BEGIN');
    expect(postgresBeginSql(true)).toBe('BEGIN READ ONLY');
  });

  test('picks one reader host per environment from EDA_READ_HOSTS', () => {
    expect(pickHost(['r1', 'r2', 'r3'], () => 0)).toBe('r1');
    expect(pickHost(['r1', 'r2', 'r3'], () => 0.5)).toBe('r2');
    expect(pickHost(['r1', 'r2', 'r3'], () => 0.9999)).toBe('r3');
  });
});

describe('withReader / withWriter against PostgreSQL 15', () => {
  test('withReader queries the read host in a read-only transaction', async () => {
    // GIVEN
    await configureDatabases({ env: postgresEnvironment(pg) });
    // WHEN
    const rows = await withReader((db) => db.query<{ name: string }>('select name from items where id = $1', [1]));
    const write = withReader((db) => db.query("insert into items values (2, 'two')"));
    // THEN
    expect(rows.rows).toEqual([{ name: 'one' }]);
    await expect(write).rejects.toMatchObject({ code: '25006' });
  });

  test('withWriter commits, and the statement timeout is the database user\'s default (userSetupSql), not a SET', async () => {
    // GIVEN the user set up as documented
    await asSuperuser((db) => Promise.all(userSetupSql('postgres', pg.user, 1234).map((sql) => db.query(sql))));
    await configureDatabases({ env: postgresEnvironment(pg, { EDA_STATEMENT_TIMEOUT_MS: '1234' }) });
    // WHEN
    const inside = await withWriter(async (db) => {
      await db.query("insert into items values (3, 'three') on conflict do nothing");
      return (await db.query<{ statement_timeout: string; source: string }>(
        "select current_setting('statement_timeout') as statement_timeout, source from pg_settings where name = 'statement_timeout'")).rows[0];
    });
    // THEN the session got it from the role (source 'user'), nothing set it in the session
    expect(inside).toEqual({ statement_timeout: '1234ms', source: 'user' });
    const client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    expect((await client.query('select count(*)::int as n from items where id = 3')).rows[0].n).toBe(1);
    await client.end();
  });

  test('a statement running past the user\'s statement timeout is cancelled, classified transient and counted by the breaker (EDA-11 #5)', async () => {
    // GIVEN the user's statement_timeout of 200 ms and a breaker that opens after 2 failures
    await asSuperuser((db) => Promise.all(userSetupSql('postgres', pg.user, 200).map((sql) => db.query(sql))));
    await configureDatabases({ env: postgresEnvironment(pg, { EDA_STATEMENT_TIMEOUT_MS: '200' }), breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
    try {
      // WHEN 3 slow statements run one after the other
      const errors: unknown[] = [];
      for (let i = 0; i < 3; i++) errors.push(await withReader((db) => db.query('select pg_sleep(5)')).catch((e: unknown) => e));
      // THEN the server cancelled the first two (57014, transient), the breaker counted them as "not answering",
      // and it refused the third
      expect(errors.slice(0, 2).map((e) => classifyError(e))).toEqual([0, 1].map(() => expect.objectContaining({ errorClass: 'transient', code: '57014', connectionFailure: false })));
      expect(errors[2]).toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await asSuperuser((db) => db.query(`alter role ${pg.user} reset statement_timeout`));
    }
  });

  test('the breaker opens after repeated connection failures, fails fast, then closes after the cool-down', async () => {
    // GIVEN
    const clock = new FakeClock();
    await configureDatabases({ env: postgresEnvironment(pg), breaker: { failureThreshold: 2, coolDownMs: 5_000, clock } });
    const openedBefore = metrics.total('BreakerOpened');
    await withReader((db) => db.query('select 1'));
    await closeDatabases();
    await pg.stopServer();
    try {
      // WHEN the database is down
      await expect(withReader((db) => db.query('select 1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(withReader((db) => db.query('select 1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const started = Date.now();
      const fast = withReader((db) => db.query('select 1'));
      // THEN it fails fast with a typed error (an API answers 503) and counts BreakerOpened
      await expect(fast).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(Date.now() - started).toBeLessThan(50);
      expect(metrics.total('BreakerOpened') - openedBefore).toBe(1);
    } finally {
      await pg.startServer();
    }
    // WHEN the cool-down has passed and the database is back
    clock.advance(5_000);
    // THEN the half-open trial succeeds and the breaker closes
    await expect(withReader((db) => db.query<{ one: number }>('select 1 as one'))).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await expect(withReader((db) => db.query('select 1'))).resolves.toBeDefined();
  });
});

describe('through PgBouncer in transaction mode (the RDS Proxy stand-in: no startup parameters, no named statements)', () => {
  let bouncer: LocalPgBouncer;

  beforeAll(async () => {
    bouncer = await startPgBouncer({ port: pg.port, user: pg.user, password: pg.password, database: pg.database }, { poolSize: 2 });
  });

  afterAll(async () => {
    await closeDatabases();
    await bouncer?.stop();
  });

  test('the writer applies batches with statement timeouts and array parameters', async () => {
    // GIVEN
    await configureDatabases({ env: postgresEnvironment({ ...pg, host: bouncer.host, port: bouncer.port }, { EDA_STATEMENT_TIMEOUT_MS: '3000' }) });
    const handler = sqlWriter<{ id: number }>(async (tx, m) => {
      await tx.query('insert into items (id, name) values ($1, $2)', [m.body.id, m.idempotencyKey]);
    }, { mode: 'batch', logger: new RecordingLogger(), metrics: new RecordingMetrics() });
    // WHEN
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'via-bouncer-1', body: { id: 101 } }),
      sqsRecord({ key: 'via-bouncer-2', body: { id: 102 } }),
    ));
    // THEN
    expect(response.batchItemFailures).toEqual([]);
    const rows = await withReader((db) => db.query<{ name: string }>('select name from items where id in (101, 102) order by id'));
    expect(rows.rows.map((r) => r.name)).toEqual(['via-bouncer-1', 'via-bouncer-2']);
  });
});
