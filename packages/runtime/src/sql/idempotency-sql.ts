import type { DatabaseEngine } from '../config/environment';

/**
 * SQL of the idempotency table. The key row is inserted in the same transaction as the effect, so
 * the effect is applied exactly once per key whatever SQS redelivers.
 *
 * Keys compare byte for byte on both engines. PostgreSQL: `text COLLATE "C"` (deterministic, byte order).
 * MySQL/MariaDB: a VARBINARY column, and every text value is sent as bytes (a Buffer, which mysql2 writes as a
 * hex literal): a column taking the database's default collation (utf8mb4_general_ci, MySQL 8's
 * utf8mb4_0900_ai_ci, latin1_swedish_ci) is case- and accent-insensitive, PAD SPACE on MariaDB and MySQL 5.7
 * (`k1` equals `k1 `), and in latin1 turns non-Latin keys into `?`, so distinct keys collide and the second
 * write is skipped as a duplicate. Bytes sent as hex literals do not depend on the connection's character set.
 */

/** Name of the idempotency table. */
export const IDEMPOTENCY_TABLE = 'eda_idempotency_keys';
/** Index that keeps the purge of expired keys a range scan. */
export const IDEMPOTENCY_APPLIED_AT_INDEX = 'eda_idempotency_keys_applied_at';
/** Longest accepted idempotency key, in UTF-16 code units (JavaScript `length`; the same limit on both engines). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/**
 * Bytes of the MySQL key column: 255 characters of up to 4 UTF-8 bytes. An InnoDB index key prefix may be
 * 3,072 bytes with the DYNAMIC row format (the default since MySQL 5.7 and MariaDB 10.2), so the primary key fits.
 * https://dev.mysql.com/doc/refman/8.0/en/innodb-limits.html: "The index key prefix length limit is 3072 bytes
 * for InnoDB tables that use the DYNAMIC or COMPRESSED row format."
 */
export const MYSQL_KEY_BYTES = MAX_IDEMPOTENCY_KEY_LENGTH * 4;

/** One row to claim. */
export interface IdempotencyRow {
  readonly key: string;
  readonly messageId: string;
  readonly correlationId?: string;
  /**
   * SHA-256 (hex) of the message body. When set, a key that is already recorded with a different fingerprint
   * is a reused key (an error), not a duplicate. Leave it unset for tables without the body_sha256 column.
   */
  readonly bodySha256?: string;
}

/** A statement and its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

const MYSQL_TEXT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';

/**
 * DDL of the idempotency table, one statement per entry (run them in your migrations, or let the writer
 * create the table on first use): the table with the body fingerprint column, and the applied_at index of the purge.
 */
export function migrationStatements(engine: DatabaseEngine): string[] {
  if (engine === 'mysql') {
    return [`CREATE TABLE IF NOT EXISTS ${IDEMPOTENCY_TABLE} (
  \`key\` VARBINARY(${MYSQL_KEY_BYTES}) NOT NULL PRIMARY KEY,
  message_id VARCHAR(128) ${MYSQL_TEXT} NOT NULL,
  correlation_id VARCHAR(128) ${MYSQL_TEXT} NULL,
  body_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  INDEX ${IDEMPOTENCY_APPLIED_AT_INDEX} (applied_at)
) ENGINE=InnoDB`];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${IDEMPOTENCY_TABLE} (
  "key" text COLLATE "C" PRIMARY KEY,
  message_id text NOT NULL,
  correlation_id text,
  body_sha256 text,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE INDEX IF NOT EXISTS ${IDEMPOTENCY_APPLIED_AT_INDEX} ON ${IDEMPOTENCY_TABLE} (applied_at)`,
  ];
}

/**
 * {@link migrationStatements} as one script: one statement on MySQL; on PostgreSQL two separated by `;` (run it
 * as a simple query, e.g. `client.query(sql)` without parameters, or run the statements one by one).
 */
export function migrationSql(engine: DatabaseEngine): string {
  return migrationStatements(engine).join(';\n');
}

/**
 * Upgrades a table created by the DDL of earlier versions (no body_sha256 column, no applied_at index and, on
 * MySQL, a key column in the database's default collation). Run once, e.g. in a migration; docs/operations.md.
 *
 * MySQL: the key is first converted to utf8mb4 text (from whatever character set it had, latin1 included),
 * then to its UTF-8 bytes, which is what the writer sends: keys recorded before the upgrade keep matching their
 * redeliveries. Keys a latin1 column already stored as `?` cannot be recovered.
 */
export function upgradeStatements(engine: DatabaseEngine): string[] {
  if (engine === 'mysql') {
    return [
      `ALTER TABLE ${IDEMPOTENCY_TABLE} MODIFY \`key\` VARCHAR(${MAX_IDEMPOTENCY_KEY_LENGTH}) ${MYSQL_TEXT} NOT NULL`,
      `ALTER TABLE ${IDEMPOTENCY_TABLE}
  MODIFY \`key\` VARBINARY(${MYSQL_KEY_BYTES}) NOT NULL,
  MODIFY message_id VARCHAR(128) ${MYSQL_TEXT} NOT NULL,
  MODIFY correlation_id VARCHAR(128) ${MYSQL_TEXT} NULL,
  ADD COLUMN body_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD INDEX ${IDEMPOTENCY_APPLIED_AT_INDEX} (applied_at)`,
    ];
  }
  return [
    `ALTER TABLE ${IDEMPOTENCY_TABLE} ADD COLUMN IF NOT EXISTS body_sha256 text`,
    `CREATE INDEX IF NOT EXISTS ${IDEMPOTENCY_APPLIED_AT_INDEX} ON ${IDEMPOTENCY_TABLE} (applied_at)`,
  ];
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

/** One column of the idempotency table as information_schema describes it. */
export interface IdempotencyColumn {
  readonly name: string;
  readonly type: string;
  readonly collation: string | null;
}

/** Columns of the idempotency table (lower-case aliases: MySQL 8 returns information_schema names in upper case). */
export function tableColumnsSql(engine: DatabaseEngine): string {
  const schema = engine === 'mysql' ? 'DATABASE()' : 'current_schema()';
  return `SELECT column_name AS name, data_type AS type, collation_name AS collation FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = '${IDEMPOTENCY_TABLE}'`;
}

/** Binary collations without PAD SPACE (a VARCHAR key in one of them compares bytes exactly). */
const MYSQL_EXACT_COLLATIONS = new Set(['binary', 'utf8mb4_0900_bin', 'utf8mb4_nopad_bin']);

/** Whether a MySQL key column compares bytes exactly (VARBINARY/BINARY, or a NO PAD binary collation). */
export function isExactMysqlKeyColumn(column: IdempotencyColumn): boolean {
  const type = column.type.toLowerCase();
  return type === 'varbinary' || type === 'binary' || MYSQL_EXACT_COLLATIONS.has((column.collation ?? '').toLowerCase());
}

/** A value as MySQL bytes (mysql2 writes a Buffer as a hex literal, whatever the connection's character set). */
function mysqlBytes(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/** A text parameter for a utf8mb4 column of MySQL, independent of the connection's character set. */
const MYSQL_TEXT_PARAM = 'CONVERT(? USING utf8mb4)';

function mysqlTextOrNull(value: string | undefined): Buffer | null {
  return value === undefined ? null : mysqlBytes(value);
}

/** The fingerprint column when any row carries a fingerprint (absent from tables created before it existed). */
function withFingerprint(rows: readonly IdempotencyRow[]): boolean {
  return rows.some((r) => r.bodySha256 !== undefined);
}

function mysqlRowSql(fingerprint: boolean): string {
  return fingerprint ? `(?, ${MYSQL_TEXT_PARAM}, ${MYSQL_TEXT_PARAM}, ?)` : `(?, ${MYSQL_TEXT_PARAM}, ${MYSQL_TEXT_PARAM})`;
}

function mysqlRowParams(row: IdempotencyRow, fingerprint: boolean): unknown[] {
  const params: unknown[] = [mysqlBytes(row.key), mysqlBytes(row.messageId), mysqlTextOrNull(row.correlationId)];
  if (fingerprint) params.push(row.bodySha256 ?? null);
  return params;
}

function columns(engine: DatabaseEngine, fingerprint: boolean): string {
  const key = engine === 'mysql' ? '`key`' : '"key"';
  return `${key}, message_id, correlation_id${fingerprint ? ', body_sha256' : ''}`;
}

/**
 * Claims one key. PostgreSQL: a row comes back when the key is new. MySQL: rowCount (affected rows)
 * is 1 when new, 0 when the key existed (INSERT IGNORE; the key length is checked before, so IGNORE
 * cannot silently truncate it).
 */
export function claimKeySql(engine: DatabaseEngine, row: IdempotencyRow): SqlStatement {
  const fingerprint = row.bodySha256 !== undefined;
  if (engine === 'mysql') {
    return {
      sql: `INSERT IGNORE INTO ${IDEMPOTENCY_TABLE} (${columns(engine, fingerprint)}) VALUES ${mysqlRowSql(fingerprint)}`,
      params: mysqlRowParams(row, fingerprint),
    };
  }
  return fingerprint
    ? { sql: POSTGRES_CLAIM_KEY_SQL.withFingerprint, params: [row.key, row.messageId, row.correlationId ?? null, row.bodySha256] }
    : { sql: POSTGRES_CLAIM_KEY_SQL.withoutFingerprint, params: [row.key, row.messageId, row.correlationId ?? null] };
}

/** Built once: the per-message writer claims a key per message (EDA-15). */
const POSTGRES_CLAIM_KEY_SQL = {
  withFingerprint: `INSERT INTO ${IDEMPOTENCY_TABLE} (${columns('postgres', true)}) VALUES ($1, $2, $3, $4) ON CONFLICT ("key") DO NOTHING RETURNING "key"`,
  withoutFingerprint: `INSERT INTO ${IDEMPOTENCY_TABLE} (${columns('postgres', false)}) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING RETURNING "key"`,
} as const;

/**
 * The fingerprints recorded for keys that were not new (a locking read on MySQL, which sees the latest committed
 * row whatever the transaction's snapshot). Keys come back as text on both engines.
 */
export function recordedFingerprintsSql(engine: DatabaseEngine, keys: readonly string[]): SqlStatement {
  if (engine === 'mysql') {
    return {
      sql: `SELECT \`key\`, body_sha256 FROM ${IDEMPOTENCY_TABLE} WHERE \`key\` IN (${keys.map(() => '?').join(', ')}) FOR UPDATE`,
      params: keys.map(mysqlBytes),
    };
  }
  return { sql: `SELECT "key", body_sha256 FROM ${IDEMPOTENCY_TABLE} WHERE "key" = ANY($1::text[])`, params: [[...keys]] };
}

/**
 * PostgreSQL: claims many keys in one statement (three or four array parameters, whatever the batch size)
 * and returns the keys that were new. A concurrent transaction claiming the same key blocks on the
 * unique index until it commits, then this one skips it: exactly one claimant wins.
 */
export function claimKeysPostgresSql(rows: readonly IdempotencyRow[]): SqlStatement {
  const params: unknown[] = [rows.map((r) => r.key), rows.map((r) => r.messageId), rows.map((r) => r.correlationId ?? null)];
  if (!withFingerprint(rows)) {
    return {
      sql: `INSERT INTO ${IDEMPOTENCY_TABLE} ("key", message_id, correlation_id)
SELECT k, m, c FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, c)
ON CONFLICT ("key") DO NOTHING
RETURNING "key"`,
      params,
    };
  }
  params.push(rows.map((r) => r.bodySha256 ?? null));
  return {
    sql: `INSERT INTO ${IDEMPOTENCY_TABLE} ("key", message_id, correlation_id, body_sha256)
SELECT k, m, c, f FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, m, c, f)
ON CONFLICT ("key") DO NOTHING
RETURNING "key"`,
    params,
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
 * the others in one multi-row INSERT IGNORE and check its affected rows. The lock also reads the recorded
 * fingerprints.
 */
/**
 * RDS Proxy pins a session on any statement over 16 KB: "Statements with text size greater than 16 KB cause
 * pinning." (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html, MySQL and PostgreSQL
 * lists). mysql2 interpolates parameters into the statement text on the client, so a batch claim's SQL grows
 * with its rows: bounded below this many bytes as sent. Read as 16 × 1024, with room for the statement's own words.
 */
export const MAX_UNPINNED_STATEMENT_BYTES = 16 * 1024;

/** Upper bound of the bytes a parameter takes once mysql2 has interpolated it (bytes as X'…', text escaped and quoted). */
function mysqlLiteralBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (Buffer.isBuffer(value)) return 3 + 2 * value.length;
  return 2 + 2 * Buffer.byteLength(String(value), 'utf8');
}

function mysqlInterpolatedBytes(sql: string, params: readonly unknown[]): number {
  return Buffer.byteLength(sql, 'utf8') - params.length + params.reduce<number>((sum, p) => sum + mysqlLiteralBytes(p), 0);
}

/**
 * Splits a batch into runs whose MySQL claim statements (the locking read and the insert) stay within
 * {@link MAX_UNPINNED_STATEMENT_BYTES} as sent, so that a big batch never pins an RDS Proxy session. Each run is
 * claimed in the same transaction; a single row too big for the bound (a 255-character key of 4-byte characters
 * is about 2 KB) still forms a run of its own.
 */
export function mysqlClaimRuns(rows: readonly IdempotencyRow[]): IdempotencyRow[][] {
  const fingerprint = withFingerprint(rows);
  const empty = claimKeysMysqlSql([]);
  const lockFixed = Buffer.byteLength(empty.lockExisting.sql, 'utf8');
  const insertFixed = Buffer.byteLength(empty.insert([]).sql, 'utf8');
  const runs: IdempotencyRow[][] = [];
  let run: IdempotencyRow[] = [];
  let lockBytes = lockFixed;
  let insertBytes = insertFixed;
  for (const row of rows) {
    // ", " between values, as the statements join them.
    const lockRow = 2 + mysqlLiteralBytes(mysqlBytes(row.key));
    const insertRow = 2 + mysqlInterpolatedBytes(mysqlRowSql(fingerprint), mysqlRowParams(row, fingerprint));
    if (run.length > 0 && (lockBytes + lockRow > MAX_UNPINNED_STATEMENT_BYTES || insertBytes + insertRow > MAX_UNPINNED_STATEMENT_BYTES)) {
      runs.push(run);
      run = [];
      lockBytes = lockFixed;
      insertBytes = insertFixed;
    }
    run.push(row);
    lockBytes += lockRow;
    insertBytes += insertRow;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export function claimKeysMysqlSql(rows: readonly IdempotencyRow[]): MysqlBatchClaim {
  const fingerprint = withFingerprint(rows);
  return {
    lockExisting: {
      sql: `SELECT \`key\`${fingerprint ? ', body_sha256' : ''} FROM ${IDEMPOTENCY_TABLE} WHERE \`key\` IN (${rows.map(() => '?').join(', ')}) FOR UPDATE`,
      params: rows.map((r) => mysqlBytes(r.key)),
    },
    insert: (newRows) => ({
      sql: `INSERT IGNORE INTO ${IDEMPOTENCY_TABLE} (${columns('mysql', fingerprint)}) VALUES ${newRows.map(() => mysqlRowSql(fingerprint)).join(', ')}`,
      params: newRows.flatMap((r) => mysqlRowParams(r, fingerprint)),
    }),
  };
}

/**
 * PostgreSQL: deletes at most `batchSize` keys recorded more than `olderThanSeconds` ago, by the database's clock
 * (the clock that wrote applied_at): a range of the applied_at index, skipping rows locked by a concurrent purge.
 * Rows a writer inserts are younger than the cutoff (and invisible until committed): never touched, never waited for.
 */
export function purgeBatchPostgresSql(olderThanSeconds: number, batchSize: number): SqlStatement {
  return {
    sql: `DELETE FROM ${IDEMPOTENCY_TABLE} WHERE "key" IN (
SELECT "key" FROM ${IDEMPOTENCY_TABLE} WHERE applied_at < now() - $1::double precision * interval '1 second'
ORDER BY applied_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    params: [olderThanSeconds, batchSize],
  };
}

/** The two statements of a MySQL purge batch. */
export interface MysqlPurgeBatch {
  readonly selectExpired: SqlStatement;
  readonly deleteKeys: (keys: readonly unknown[]) => SqlStatement;
}

/**
 * MySQL: a DELETE with a range condition locks every row it scans (next-key locks under REPEATABLE READ), and the
 * plan may scan past the expired rows into rows a writer has just inserted and not committed: the purge would
 * wait for writers, and writers' inserts for the purge. So the expired keys are first read without locks (a
 * consistent read), then deleted by primary key, which locks only those rows; the cutoff is checked again.
 */
export function purgeBatchMysqlSql(olderThanSeconds: number, batchSize: number): MysqlPurgeBatch {
  const expired = 'applied_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND';
  return {
    selectExpired: {
      sql: `SELECT \`key\` FROM ${IDEMPOTENCY_TABLE} WHERE ${expired} ORDER BY applied_at LIMIT ?`,
      params: [olderThanSeconds, batchSize],
    },
    deleteKeys: (keys) => ({
      sql: `DELETE FROM ${IDEMPOTENCY_TABLE} WHERE \`key\` IN (${keys.map(() => '?').join(', ')}) AND ${expired}`,
      params: [...keys, olderThanSeconds],
    }),
  };
}
