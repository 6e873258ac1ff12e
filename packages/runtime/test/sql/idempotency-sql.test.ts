import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  claimKeySql,
  claimKeysMysqlSql,
  claimKeysPostgresSql,
  isExactMysqlKeyColumn,
  migrationSql,
  migrationStatements,
  purgeBatchMysqlSql,
  purgeBatchPostgresSql,
  tableExistsSql,
  upgradeStatements,
} from '../../src/sql/idempotency-sql';

const rows = [
  { key: 'k1', messageId: 'm1', correlationId: 'c1' },
  { key: 'k2', messageId: 'm2' },
];
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('idempotency SQL', () => {
  test('PostgreSQL migration creates the key table with a byte-order text primary key, the fingerprint column and the applied_at index', () => {
    const [table, index] = migrationStatements('postgres');
    expect(table).toMatch(/^CREATE TABLE IF NOT EXISTS eda_idempotency_keys \(\s+"key" text COLLATE "C" PRIMARY KEY,\s+message_id text NOT NULL,\s+correlation_id text,\s+body_sha256 text,\s+applied_at timestamptz NOT NULL DEFAULT now\(\)\s+\)$/);
    expect(index).toBe('CREATE INDEX IF NOT EXISTS eda_idempotency_keys_applied_at ON eda_idempotency_keys (applied_at)');
    expect(migrationSql('postgres')).toBe(`${table};\n${index}`);
  });

  test('MySQL migration makes the key 1,020 bytes of VARBINARY (255 characters of utf8mb4) and indexes applied_at', () => {
    const [table] = migrationStatements('mysql');
    expect(migrationStatements('mysql')).toHaveLength(1);
    expect(migrationSql('mysql')).toBe(table);
    expect(table).toContain('`key` VARBINARY(1020) NOT NULL PRIMARY KEY');
    expect(table).toContain('message_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    expect(table).toContain('body_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL');
    expect(table).toContain('applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)');
    expect(table).toContain('INDEX eda_idempotency_keys_applied_at (applied_at)');
    expect(table).toMatch(/ENGINE=InnoDB$/);
  });

  test('a MySQL key column is exact only as (VAR)BINARY or in a NO PAD binary collation', () => {
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'varbinary', collation: null })).toBe(true);
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'VARCHAR', collation: 'utf8mb4_0900_bin' })).toBe(true);
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'varchar', collation: 'utf8mb4_nopad_bin' })).toBe(true);
    // utf8mb4_bin is PAD SPACE on MariaDB and MySQL 5.7: 'k1' and 'k1 ' are equal.
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'varchar', collation: 'utf8mb4_bin' })).toBe(false);
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'varchar', collation: 'utf8mb4_0900_ai_ci' })).toBe(false);
    expect(isExactMysqlKeyColumn({ name: 'key', type: 'varchar', collation: 'latin1_swedish_ci' })).toBe(false);
  });

  test('the existence checks need no CREATE privilege', () => {
    expect(tableExistsSql('postgres')).toBe("SELECT 1 AS present WHERE to_regclass('eda_idempotency_keys') IS NOT NULL");
    expect(tableExistsSql('mysql')).toBe("SELECT 1 AS present FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'eda_idempotency_keys'");
  });

  test('PostgreSQL single claim returns the key only when it is new, with the fingerprint when given', () => {
    expect(claimKeySql('postgres', rows[0])).toEqual({
      sql: 'INSERT INTO eda_idempotency_keys ("key", message_id, correlation_id) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING RETURNING "key"',
      params: ['k1', 'm1', 'c1'],
    });
    expect(claimKeySql('postgres', { ...rows[0], bodySha256: 'f1' })).toEqual({
      sql: 'INSERT INTO eda_idempotency_keys ("key", message_id, correlation_id, body_sha256) VALUES ($1, $2, $3, $4) ON CONFLICT ("key") DO NOTHING RETURNING "key"',
      params: ['k1', 'm1', 'c1', 'f1'],
    });
  });

  test('MySQL single claim sends every text as bytes, whatever the connection character set', () => {
    expect(claimKeySql('mysql', rows[1])).toEqual({
      sql: 'INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES (?, CONVERT(? USING utf8mb4), CONVERT(? USING utf8mb4))',
      params: [bytes('k2'), bytes('m2'), null],
    });
  });

  test('PostgreSQL batch claim passes three arrays to one unnest (four with fingerprints), whatever the batch size', () => {
    const statement = claimKeysPostgresSql(rows);
    expect(statement.sql).toContain('SELECT k, m, c FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, c)');
    expect(statement.sql).toContain('ON CONFLICT ("key") DO NOTHING\nRETURNING "key"');
    expect(statement.params).toEqual([['k1', 'k2'], ['m1', 'm2'], ['c1', null]]);
    const fingerprinted = claimKeysPostgresSql(rows.map((r, i) => ({ ...r, bodySha256: `f${i}` })));
    expect(fingerprinted.sql).toContain('SELECT k, m, c, f FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, m, c, f)');
    expect(fingerprinted.params[3]).toEqual(['f0', 'f1']);
  });

  test('MySQL batch claim locks the existing keys, then inserts the rest in one multi-row INSERT IGNORE', () => {
    const statements = claimKeysMysqlSql(rows);
    expect(statements.lockExisting).toEqual({
      sql: 'SELECT `key` FROM eda_idempotency_keys WHERE `key` IN (?, ?) FOR UPDATE',
      params: [bytes('k1'), bytes('k2')],
    });
    expect(statements.insert(rows)).toEqual({
      sql: 'INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES (?, CONVERT(? USING utf8mb4), CONVERT(? USING utf8mb4)), (?, CONVERT(? USING utf8mb4), CONVERT(? USING utf8mb4))',
      params: [bytes('k1'), bytes('m1'), bytes('c1'), bytes('k2'), bytes('m2'), null],
    });
  });

  test('the purge deletes one bounded batch of keys older than the cutoff, by the database clock', () => {
    expect(purgeBatchPostgresSql(3600, 500).sql).toContain('ORDER BY applied_at LIMIT $2 FOR UPDATE SKIP LOCKED');
    const mysql = purgeBatchMysqlSql(3600, 500);
    expect(mysql.selectExpired).toEqual({
      sql: 'SELECT `key` FROM eda_idempotency_keys WHERE applied_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY applied_at LIMIT ?',
      params: [3600, 500],
    });
    expect(mysql.deleteKeys([bytes('a'), bytes('b')])).toEqual({
      sql: 'DELETE FROM eda_idempotency_keys WHERE `key` IN (?, ?) AND applied_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND',
      params: [bytes('a'), bytes('b'), 3600],
    });
  });
});

describe('the documented upgrade', () => {
  test('docs/operations.md shows exactly the statements upgradeStatements runs', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'operations.md'), 'utf8');
    for (const engine of ['mysql', 'postgres'] as const) {
      for (const statement of upgradeStatements(engine)) expect(doc).toContain(`${statement};`);
    }
  });
});
