import { queryOnce } from '../../../../test/support/postgres-query';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { readConnectionSettings } from '../../src/config/environment';
import { createPasswordProvider } from '../../src/connections/credentials';
import { closeDatabases, configureDatabases, withWriter } from '../../src/connections/database-registry';
import { createPostgresPool } from '../../src/connections/postgres-pool';
import type { SqlPool } from '../../src/connections/sql-pool';
import { claimKey, claimKeys, ensureIdempotencyTable } from '../../src/writer/idempotency-store';
import { postgresEnvironment } from '../support/postgres-env';

let pg: LocalPostgres;

const inspect = (text: string) => queryOnce(pg.connectionString, text);

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  await closeDatabases();
  await pg?.stop();
});

beforeEach(async () => {
  await inspect('drop table if exists eda_idempotency_keys');
});

describe('idempotency store on PostgreSQL 15', () => {
  test('writers creating the table at the same moment all succeed', async () => {
    // GIVEN five execution environments, each with its own pool
    const settings = readConnectionSettings('writer', postgresEnvironment(pg));
    const credentials = createPasswordProvider(settings, pg.host);
    const pools = Array.from({ length: 5 }, () => createPostgresPool({ settings, host: pg.host, credentials }));
    try {
      // WHEN they race 10 times (the losers' error varies from race to race: 23505, 42P07, 42710)
      const failures: string[] = [];
      for (let round = 0; round < 10; round++) {
        await inspect('drop table if exists eda_idempotency_keys');
        const results = await Promise.allSettled(pools.map((pool) => ensureIdempotencyTable(pool)));
        for (const r of results) if (r.status === 'rejected') failures.push(`${(r.reason as { code?: string }).code}: ${String(r.reason)}`);
      }
      // THEN
      expect(failures).toEqual([]);
      expect((await inspect("select to_regclass('eda_idempotency_keys') is not null as present")).rows[0].present).toBe(true);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test('a loser of the creation race answered 42710 (the table\'s row type already exists) carries on with the table', async () => {
    // GIVEN the rare answer of the race above, replayed: the first transaction fails with 42710, the table then exists
    const settings = readConnectionSettings('writer', postgresEnvironment(pg));
    const real = createPostgresPool({ settings, host: pg.host, credentials: createPasswordProvider(settings, pg.host) });
    await inspect('drop table if exists eda_idempotency_keys');
    let attempts = 0;
    const racing: SqlPool = {
      ...real,
      transaction: async (fn, options) => {
        attempts++;
        if (attempts === 1) {
          await ensureIdempotencyTable(real);
          throw Object.assign(new Error('type "eda_idempotency_keys" already exists'), { code: '42710' });
        }
        return real.transaction(fn, options);
      },
    };
    try {
      // WHEN
      const layout = await ensureIdempotencyTable(racing);
      // THEN it checked that the table exists, then read its layout
      expect(layout).toEqual({ present: true, bodyFingerprint: true });
      expect(attempts).toBe(3);
    } finally {
      await real.end();
    }
  });

  test('the batch claim returns only new keys and records message and correlation ids', async () => {
    // GIVEN
    await configureDatabases({ env: postgresEnvironment(pg) });
    await ensureIdempotencyTable();
    await withWriter((tx) => claimKey(tx, { key: 'old', messageId: 'm0' }));
    // WHEN
    const fresh = await withWriter((tx) => claimKeys(tx, [
      { key: 'old', messageId: 'm1' },
      { key: 'new', messageId: 'm2', correlationId: 'c2' },
    ]));
    // THEN
    expect([...fresh]).toEqual(['new']);
    const rows = await inspect('select key, message_id, correlation_id from eda_idempotency_keys order by key');
    expect(rows.rows).toEqual([
      { key: 'new', message_id: 'm2', correlation_id: 'c2' },
      { key: 'old', message_id: 'm0', correlation_id: null },
    ]);
  });

  test('a claim rolled back with its transaction leaves the key free', async () => {
    // GIVEN
    await configureDatabases({ env: postgresEnvironment(pg) });
    await ensureIdempotencyTable();
    // WHEN
    await expect(withWriter(async (tx) => {
      await claimKey(tx, { key: 'k', messageId: 'm1' });
      throw new Error('effect failed');
    })).rejects.toThrow('effect failed');
    // THEN
    await expect(withWriter((tx) => claimKey(tx, { key: 'k', messageId: 'm2' }))).resolves.toBe(true);
  });

  test('IAM auth: the pool connects with a token signed for the host, port, user and region of the endpoint', async () => {
    // GIVEN a token generator standing in for the RDS signer (the local server accepts the app password)
    const generateIamToken = jest.fn(async () => pg.password);
    await configureDatabases({ env: postgresEnvironment(pg, { EDA_AUTH: 'iam', AWS_REGION: 'eu-west-1' }), credentials: { generateIamToken } });
    // WHEN
    await withWriter((tx) => tx.query('select 1'));
    await closeDatabases();
    await configureDatabases({ env: postgresEnvironment(pg, { EDA_AUTH: 'iam', AWS_REGION: 'eu-west-1' }), credentials: { generateIamToken } });
    await withWriter((tx) => tx.query('select 1'));
    // THEN
    expect(generateIamToken).toHaveBeenCalledWith({ hostname: pg.host, port: pg.port, username: pg.user, region: 'eu-west-1' });
  });

  test('secret auth: the password comes from the secret', async () => {
    // GIVEN
    const fetchSecret = jest.fn(async () => JSON.stringify({ username: pg.user, password: pg.password }));
    await configureDatabases({
      env: postgresEnvironment(pg, { EDA_AUTH: 'secret', EDA_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:db' }),
      credentials: { fetchSecret },
    });
    // WHEN
    const result = await withWriter((tx) => tx.query<{ user: string }>('select current_user as user'));
    // THEN
    expect(result.rows[0].user).toBe(pg.user);
    expect(fetchSecret).toHaveBeenCalledTimes(1);
  });
});
