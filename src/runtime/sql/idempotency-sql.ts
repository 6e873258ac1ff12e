import type { DatabaseEngine } from '../config/environment';

/**
 * SQL of the idempotency table. The key row is inserted in the same transaction as the effect, so
 * the effect is applied exactly once per key whatever SQS redelivers.
 */

/** Name of the idempotency table. */
export const IDEMPOTENCY_TABLE = 'eda_idempotency_keys';
/** Longest accepted idempotency key (MySQL VARCHAR(255) primary key; same limit on both engines). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** One row to claim. */
export interface IdempotencyRow {
  readonly key: string;
  readonly messageId: string;
  readonly correlationId?: string;
}

/** A statement and its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/** DDL of the idempotency table (run it in your migrations, or let the writer create it on first use). */
export function migrationSql(engine: DatabaseEngine): string {
  if (engine === 'mysql') {
    return `CREATE TABLE IF NOT EXISTS ${IDEMPOTENCY_TABLE} (
  \`key\` VARCHAR(${MAX_IDEMPOTENCY_KEY_LENGTH}) NOT NULL PRIMARY KEY,
  message_id VARCHAR(128) NOT NULL,
  correlation_id VARCHAR(128) NULL,
  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB`;
  }
  return `CREATE TABLE IF NOT EXISTS ${IDEMPOTENCY_TABLE} (
  "key" text PRIMARY KEY,
  message_id text NOT NULL,
  correlation_id text,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
}

/**
 * Checks whether the table exists without needing CREATE privilege (the writer's database user
 * usually lacks it in production; the table then comes from migrations).
 */
export function tableExistsSql(engine: DatabaseEngine): string {
  return engine === 'mysql'
    ? `SELECT 1 AS present FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${IDEMPOTENCY_TABLE}'`
    : `SELECT 1 AS present WHERE to_regclass('${IDEMPOTENCY_TABLE}') IS NOT NULL`;
}

/**
 * Claims one key. PostgreSQL: a row comes back when the key is new. MySQL: rowCount (affected rows)
 * is 1 when new, 0 when the key existed (INSERT IGNORE; the key length is checked before, so IGNORE
 * cannot silently truncate it).
 */
export function claimKeySql(engine: DatabaseEngine, row: IdempotencyRow): SqlStatement {
  const params = [row.key, row.messageId, row.correlationId ?? null];
  if (engine === 'mysql') {
    return { sql: `INSERT IGNORE INTO ${IDEMPOTENCY_TABLE} (\`key\`, message_id, correlation_id) VALUES (?, ?, ?)`, params };
  }
  return {
    sql: `INSERT INTO ${IDEMPOTENCY_TABLE} ("key", message_id, correlation_id) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING RETURNING "key"`,
    params,
  };
}

/**
 * PostgreSQL: claims many keys in one statement (three array parameters, whatever the batch size)
 * and returns the keys that were new. A concurrent transaction claiming the same key blocks on the
 * unique index until it commits, then this one skips it: exactly one claimant wins.
 */
export function claimKeysPostgresSql(rows: readonly IdempotencyRow[]): SqlStatement {
  return {
    sql: `INSERT INTO ${IDEMPOTENCY_TABLE} ("key", message_id, correlation_id)
SELECT k, m, c FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, c)
ON CONFLICT ("key") DO NOTHING
RETURNING "key"`,
    params: [rows.map((r) => r.key), rows.map((r) => r.messageId), rows.map((r) => r.correlationId ?? null)],
  };
}

/** The two statements of a MySQL batch claim. */
export interface MysqlBatchClaim {
  readonly lockExisting: SqlStatement;
  readonly insert: (newRows: readonly IdempotencyRow[]) => SqlStatement;
}

/**
 * MySQL has no RETURNING: lock the keys that already exist (a locking read sees the latest committed
 * rows, and its next-key locks keep concurrent claimants out of the gaps until commit), then insert
 * the others in one multi-row INSERT IGNORE and check its affected rows.
 */
export function claimKeysMysqlSql(rows: readonly IdempotencyRow[]): MysqlBatchClaim {
  return {
    lockExisting: {
      sql: `SELECT \`key\` FROM ${IDEMPOTENCY_TABLE} WHERE \`key\` IN (${rows.map(() => '?').join(', ')}) FOR UPDATE`,
      params: rows.map((r) => r.key),
    },
    insert: (newRows) => ({
      sql: `INSERT IGNORE INTO ${IDEMPOTENCY_TABLE} (\`key\`, message_id, correlation_id) VALUES ${newRows.map(() => '(?, ?, ?)').join(', ')}`,
      params: newRows.flatMap((r) => [r.key, r.messageId, r.correlationId ?? null]),
    }),
  };
}
