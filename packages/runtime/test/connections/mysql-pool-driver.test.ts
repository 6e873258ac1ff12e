import { readConnectionSettings } from '../../src/config/environment';
import { createMysqlPool, MysqlDriver, useMysqlDriver } from '../../src/connections/mysql-pool';

/** A mysql2/promise stand-in recording what the pool does with its connections. */
function fakeDriver(queryImpl: (sql: string) => unknown) {
  const log: string[] = [];
  const connection = {
    query: jest.fn(async (options: string | { sql: string; timeout?: number }) => {
      const sql = typeof options === 'string' ? options : options.sql;
      log.push(typeof options === 'string' ? sql : `${sql} [timeout=${options.timeout}]`);
      return [queryImpl(sql), []];
    }),
    commit: jest.fn(async () => log.push('COMMIT')),
    rollback: jest.fn(async () => log.push('ROLLBACK')),
    release: jest.fn(() => log.push('release')),
    destroy: jest.fn(() => log.push('destroy')),
  };
  const createPool = jest.fn(() => ({ getConnection: async () => connection, end: async () => undefined }));
  return { driver: { createPool } as unknown as MysqlDriver, createPool, log };
}

const settings = readConnectionSettings('writer', {
  EDA_ENGINE: 'mysql',
  EDA_WRITE_HOST: 'proxy.example',
  EDA_DATABASE: 'app',
  EDA_DB_USER: 'app_writer',
  EDA_AUTH: 'password',
  EDA_DB_PASSWORD: 'pw',
  EDA_STATEMENT_TIMEOUT_MS: '5000',
});
const credentials = { password: async () => 'pw', invalidate: jest.fn() };

afterEach(() => useMysqlDriver(undefined));

describe('MySQL pool with a registered driver', () => {
  test('wraps the work in START TRANSACTION … COMMIT with the statement timeout on each query', async () => {
    // GIVEN
    const { driver, log } = fakeDriver(() => [{ id: 1 }]);
    useMysqlDriver(driver);
    const pool = createMysqlPool({ settings, host: 'proxy.example', credentials });
    // WHEN
    const result = await pool.transaction((tx) => tx.query('SELECT id FROM t WHERE id = ?', [1]));
    // THEN
    expect(result).toEqual({ rows: [{ id: 1 }], rowCount: 1 });
    expect(log).toEqual(['START TRANSACTION', 'SELECT id FROM t WHERE id = ? [timeout=5000]', 'COMMIT', 'release']);
  });

  test('maps affectedRows of INSERT IGNORE to rowCount', async () => {
    const { driver } = fakeDriver(() => ({ affectedRows: 0, insertId: 0 }));
    useMysqlDriver(driver);
    const pool = createMysqlPool({ settings, host: 'h', credentials });
    await expect(pool.transaction((tx) => tx.query('INSERT IGNORE INTO t VALUES (?)', ['k']))).resolves.toEqual({ rows: [], rowCount: 0 });
  });

  test('rolls back and returns the connection when the effect fails', async () => {
    const { driver, log } = fakeDriver(() => []);
    useMysqlDriver(driver);
    const pool = createMysqlPool({ settings, host: 'h', credentials });
    await expect(pool.transaction(async () => {
      throw Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' });
    })).rejects.toThrow('dup');
    expect(log).toEqual(['START TRANSACTION', 'ROLLBACK', 'release']);
  });

  test('destroys the connection instead of returning it when the connection was lost', async () => {
    const { driver, log } = fakeDriver(() => []);
    useMysqlDriver(driver);
    const pool = createMysqlPool({ settings, host: 'h', credentials });
    await expect(pool.transaction(async () => {
      throw Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    })).rejects.toThrow('lost');
    expect(log).toEqual(['START TRANSACTION', 'destroy']);
  });

  test('creates the mysql2 pool once per execution environment', async () => {
    const { driver, createPool } = fakeDriver(() => []);
    useMysqlDriver(driver);
    const pool = createMysqlPool({ settings, host: 'h', credentials });
    await pool.transaction(async () => undefined);
    await pool.transaction(async () => undefined);
    expect(createPool).toHaveBeenCalledTimes(1);
  });
});
