import { readConnectionSettings } from '../../src/config/environment';
import { mysqlBeginSql, mysqlPoolConfig } from '../../src/connections/mysql-pool';
import type { SqlExecutor } from '../../src/connections/sql-pool';
import { claimKeys } from '../../src/writer/idempotency-store';

const env = { EDA_ENGINE: 'mysql', EDA_WRITE_HOST: 'proxy.example', EDA_DATABASE: 'app', EDA_DB_USER: 'app_writer' };
const credentials = { password: async () => 'token-1', invalidate: () => undefined };

describe('mysql pool configuration', () => {
  test('verifies the server certificate and never enables multiple statements', () => {
    const settings = readConnectionSettings('writer', { ...env, EDA_AUTH: 'password', EDA_DB_PASSWORD: 'pw', EDA_POOL_MAX: '2' });
    const config = mysqlPoolConfig({ settings, host: 'proxy.example', credentials }, 'pw');
    expect(config).toMatchObject({
      host: 'proxy.example',
      port: 3306,
      user: 'app_writer',
      database: 'app',
      password: 'pw',
      ssl: { rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      connectionLimit: 2,
      multipleStatements: false,
    });
  });

  test('sets no session state at connect time', () => {
    const settings = readConnectionSettings('writer', { ...env, EDA_AUTH: 'password', EDA_DB_PASSWORD: 'pw', EDA_STATEMENT_TIMEOUT_MS: '5000' });
    const config = mysqlPoolConfig({ settings, host: 'h', credentials }, 'pw') as Record<string, unknown>;
    expect(config.flags).toBeUndefined();
    expect(config.timezone).toBeUndefined();
    expect(config.charset).toBeUndefined();
  });

  test('EDA_TLS=disable turns TLS off (local stack only)', () => {
    const settings = readConnectionSettings('writer', { ...env, EDA_AUTH: 'password', EDA_DB_PASSWORD: 'pw', EDA_TLS: 'disable' });
    expect(mysqlPoolConfig({ settings, host: 'h', credentials }, 'pw').ssl).toBeUndefined();
  });

  test('EDA_AUTH=iam answers the cleartext auth switch with a fresh token per connection', async () => {
    const settings = readConnectionSettings('writer', { ...env, EDA_AUTH: 'iam' });
    const config = mysqlPoolConfig({ settings, host: 'h', credentials }, undefined);
    const plugin = (config.authPlugins as Record<string, (...a: unknown[]) => (data: Buffer) => Promise<Buffer>>).mysql_clear_password({});
    expect(config.password).toBeUndefined();
    await expect(plugin(Buffer.alloc(0))).resolves.toEqual(Buffer.from('token-1\0'));
  });

  test('transactions start with START TRANSACTION (READ ONLY for readers)', () => {
    expect(mysqlBeginSql(false)).toBe('START TRANSACTION');
    expect(mysqlBeginSql(true)).toBe('START TRANSACTION READ ONLY');
  });
});

describe('claimKeys on MySQL', () => {
  function fakeMysql(existing: string[], affectedRows: number) {
    const calls: Array<{ sql: string; params?: readonly unknown[] }> = [];
    const tx: SqlExecutor = {
      engine: 'mysql',
      query: async <Row>(sql: string, params?: readonly unknown[]) => {
        calls.push({ sql, params });
        if (sql.startsWith('SELECT')) return { rows: existing.map((key) => ({ key })) as Row[], rowCount: existing.length };
        return { rows: [] as Row[], rowCount: affectedRows };
      },
    };
    return { tx, calls };
  }

  test('inserts only the keys that do not exist yet and returns them', async () => {
    const { tx, calls } = fakeMysql(['k1'], 1);
    const fresh = await claimKeys(tx, [{ key: 'k1', messageId: 'm1' }, { key: 'k2', messageId: 'm2' }]);
    expect([...fresh]).toEqual(['k2']);
    // Keys and ids travel as bytes: the key column is VARBINARY, whatever the connection's character set.
    expect(calls[1]).toEqual({
      sql: 'INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES (?, CONVERT(? USING utf8mb4), CONVERT(? USING utf8mb4))',
      params: [Buffer.from('k2'), Buffer.from('m2'), null],
    });
  });

  test('throws when a concurrent claimant inserted a key between the lock and the insert', async () => {
    const { tx } = fakeMysql([], 1);
    await expect(claimKeys(tx, [{ key: 'k1', messageId: 'm1' }, { key: 'k2', messageId: 'm2' }]))
      .rejects.toThrow('idempotency batch claim inserted 1 of 2 new keys');
  });
});
