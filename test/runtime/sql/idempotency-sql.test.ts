import {
  claimKeySql,
  claimKeysMysqlSql,
  claimKeysPostgresSql,
  migrationSql,
  tableExistsSql,
} from '../../../src/runtime/sql/idempotency-sql';

const rows = [
  { key: 'k1', messageId: 'm1', correlationId: 'c1' },
  { key: 'k2', messageId: 'm2' },
];

describe('idempotency SQL', () => {
  test('PostgreSQL migration creates the key table with a text primary key', () => {
    expect(migrationSql('postgres')).toMatch(/^CREATE TABLE IF NOT EXISTS eda_idempotency_keys \(\s+"key" text PRIMARY KEY,\s+message_id text NOT NULL,\s+correlation_id text,\s+applied_at timestamptz NOT NULL DEFAULT now\(\)\s+\)$/);
  });

  test('MySQL migration quotes the reserved word key and bounds it to 255 characters', () => {
    expect(migrationSql('mysql')).toContain('`key` VARCHAR(255) NOT NULL PRIMARY KEY');
    expect(migrationSql('mysql')).toContain('applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)');
    expect(migrationSql('mysql')).toMatch(/ENGINE=InnoDB$/);
  });

  test('the existence checks need no CREATE privilege', () => {
    expect(tableExistsSql('postgres')).toBe("SELECT 1 AS present WHERE to_regclass('eda_idempotency_keys') IS NOT NULL");
    expect(tableExistsSql('mysql')).toBe("SELECT 1 AS present FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'eda_idempotency_keys'");
  });

  test('PostgreSQL single claim returns the key only when it is new', () => {
    expect(claimKeySql('postgres', rows[0])).toEqual({
      sql: 'INSERT INTO eda_idempotency_keys ("key", message_id, correlation_id) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING RETURNING "key"',
      params: ['k1', 'm1', 'c1'],
    });
  });

  test('MySQL single claim is an INSERT IGNORE with ? placeholders and a null correlation id when absent', () => {
    expect(claimKeySql('mysql', rows[1])).toEqual({
      sql: 'INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES (?, ?, ?)',
      params: ['k2', 'm2', null],
    });
  });

  test('PostgreSQL batch claim passes three arrays to one unnest, whatever the batch size', () => {
    const statement = claimKeysPostgresSql(rows);
    expect(statement.sql).toContain('SELECT k, m, c FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, c)');
    expect(statement.sql).toContain('ON CONFLICT ("key") DO NOTHING\nRETURNING "key"');
    expect(statement.params).toEqual([['k1', 'k2'], ['m1', 'm2'], ['c1', null]]);
  });

  test('MySQL batch claim locks the existing keys, then inserts the rest in one multi-row INSERT IGNORE', () => {
    const statements = claimKeysMysqlSql(rows);
    expect(statements.lockExisting).toEqual({
      sql: 'SELECT `key` FROM eda_idempotency_keys WHERE `key` IN (?, ?) FOR UPDATE',
      params: ['k1', 'k2'],
    });
    expect(statements.insert(rows)).toEqual({
      sql: 'INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES (?, ?, ?), (?, ?, ?)',
      params: ['k1', 'm1', 'c1', 'k2', 'm2', null],
    });
  });
});
