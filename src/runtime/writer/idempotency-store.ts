import { database } from '../connections/database-registry';
import type { SqlExecutor, SqlPool } from '../connections/sql-pool';
import {
  claimKeySql,
  claimKeysMysqlSql,
  claimKeysPostgresSql,
  IdempotencyRow,
  migrationSql,
  tableExistsSql,
} from '../sql/idempotency-sql';

/** MySQL batch claim lost a race with a concurrent claimant; the writer falls back to per-message claims. */
export class IdempotencyRaceError extends Error {
  constructor(expected: number, inserted: number) {
    super(`idempotency batch claim inserted ${inserted} of ${expected} new keys`);
    this.name = 'IdempotencyRaceError';
  }
}

/**
 * Creates the idempotency table when it does not exist (checked first, so a user without CREATE
 * privilege passes when the table comes from migrations). Uses the shared writer pool by default.
 */
export async function ensureIdempotencyTable(pool: SqlPool = database('writer').pool): Promise<void> {
  const exists = async (tx: SqlExecutor) => (await tx.query(tableExistsSql(tx.engine))).rows.length > 0;
  try {
    await pool.transaction(async (tx) => {
      if (!(await exists(tx))) await tx.query(migrationSql(tx.engine));
    });
  } catch (error) {
    // Writers starting together race on CREATE TABLE IF NOT EXISTS: PostgreSQL then raises
    // 23505 on pg_type or 42P07 duplicate_table in the losers. The table exists: carry on.
    const code = (error as { code?: unknown }).code;
    if ((code !== '23505' && code !== '42P07') || !(await pool.transaction(exists))) throw error;
  }
}

/** Claims one key inside the caller's transaction; true when the key is new. */
export async function claimKey(tx: SqlExecutor, row: IdempotencyRow): Promise<boolean> {
  const statement = claimKeySql(tx.engine, row);
  const result = await tx.query(statement.sql, statement.params);
  return result.rowCount === 1;
}

/** Claims many keys (distinct) inside the caller's transaction; returns the new ones. */
export async function claimKeys(tx: SqlExecutor, rows: readonly IdempotencyRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  if (tx.engine === 'postgres') {
    const statement = claimKeysPostgresSql(rows);
    const result = await tx.query<{ key: string }>(statement.sql, statement.params);
    return new Set(result.rows.map((r) => r.key));
  }
  const statements = claimKeysMysqlSql(rows);
  const existing = await tx.query<{ key: string }>(statements.lockExisting.sql, statements.lockExisting.params);
  const taken = new Set(existing.rows.map((r) => r.key));
  const fresh = rows.filter((r) => !taken.has(r.key));
  if (fresh.length === 0) return new Set();
  const insert = statements.insert(fresh);
  const inserted = await tx.query(insert.sql, insert.params);
  if (inserted.rowCount !== fresh.length) throw new IdempotencyRaceError(fresh.length, inserted.rowCount);
  return new Set(fresh.map((r) => r.key));
}
