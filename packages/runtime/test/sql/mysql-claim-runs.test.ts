import { randomUUID } from 'node:crypto';
import { format } from 'mysql2';
import { claimKeysMysqlSql, IdempotencyRow, MAX_UNPINNED_STATEMENT_BYTES, mysqlClaimRuns } from '../../src/sql/idempotency-sql';

// mysql2 sends query() parameters interpolated into the text: what RDS Proxy measures is the formatted statement.
const sentBytes = (statement: { sql: string; params: unknown[] }) => Buffer.byteLength(format(statement.sql, statement.params as never[]), 'utf8');

function rows(count: number, keyOf: (i: number) => string, fingerprint = true): IdempotencyRow[] {
  return Array.from({ length: count }, (_, i) => ({
    key: keyOf(i), messageId: randomUUID(), correlationId: randomUUID(), bodySha256: fingerprint ? 'a'.repeat(64) : undefined,
  }));
}

describe('GIVEN a MySQL batch claim', () => {
  test('WHEN the batch is 1,000 UUID keys THEN every statement as sent stays within 16 KB, and the runs keep every row in order', () => {
    const batch = rows(1000, () => `order-${randomUUID()}`);
    const runs = mysqlClaimRuns(batch);
    const sizes = runs.flatMap((run) => {
      const claim = claimKeysMysqlSql(run);
      return [sentBytes(claim.lockExisting), sentBytes(claim.insert(run))];
    });
    expect({ over: sizes.filter((b) => b > MAX_UNPINNED_STATEMENT_BYTES), rows: runs.flat() }).toEqual({ over: [], rows: batch });
    expect(runs.length).toBeGreaterThan(1);
  });

  test('WHEN keys use the most bytes a key may (255 four-byte characters) THEN the bound still holds', () => {
    const batch = rows(40, (i) => `${'😀'.repeat(254)}${String.fromCharCode(65 + (i % 26))}`);
    const sizes = mysqlClaimRuns(batch).flatMap((run) => {
      const claim = claimKeysMysqlSql(run);
      return [sentBytes(claim.lockExisting), sentBytes(claim.insert(run))];
    });
    expect(sizes.filter((b) => b > MAX_UNPINNED_STATEMENT_BYTES)).toEqual([]);
  });

  test('WHEN the batch is small THEN it is one run (one locking read, one insert)', () => {
    expect(mysqlClaimRuns(rows(10, (i) => `k${i}`)).length).toBe(1);
  });

  // Without the runs, the claim of 1,000 keys would be one statement of several hundred KB: pinned on every batch.
  test('WHEN not split THEN the same batch would exceed 16 KB (the defect this prevents)', () => {
    const batch = rows(1000, () => `order-${randomUUID()}`);
    const claim = claimKeysMysqlSql(batch);
    expect(sentBytes(claim.insert(batch))).toBeGreaterThan(MAX_UNPINNED_STATEMENT_BYTES);
  });
});
