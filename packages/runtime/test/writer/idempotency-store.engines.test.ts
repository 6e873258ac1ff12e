import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { readConnectionSettings } from '../../src/config/environment';
import { createPasswordProvider } from '../../src/connections/credentials';
import { closeDatabases, configureDatabases } from '../../src/connections/database-registry';
import { createMysqlPool } from '../../src/connections/mysql-pool';
import { createPostgresPool } from '../../src/connections/postgres-pool';
import type { SqlPool } from '../../src/connections/sql-pool';
import { ConfigurationError } from '../../src/errors';
import { useSqsClient } from '../../src/queue/sqs-client';
import { migrationSql, upgradeStatements } from '../../src/sql/idempotency-sql';
import { purgeIdempotencyKeys, PurgeIdempotencyKeysResult } from '../../src/writer/idempotency-store';
import { sqlWriter, WriteEffect, WriterMode } from '../../src/writer/sql-writer';
import { FakeClock, RecordingLogger, RecordingMetrics, sqsEvent, sqsRecord } from '../support/fakes';
import { EngineKind, EngineUnderTest, startEngine } from '../support/sql-engines';
import { answerWriterSqsCalls } from '../support/sqs-mock';

const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes-dlq';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes';
const sqs = mockClient(SQSClient);

/** Distinct keys that a case- or accent-insensitive, PAD SPACE or latin1 key column makes collide. */
const DISTINCT_KEYS = ['order-ABC', 'order-abc', 'k1', 'k1 ', 'resume', 'résumé', '注文', '発注'];
const MODES: WriterMode[] = ['per-message', 'batch'];
const DAY = 86_400;

/** The DDL of the previous versions (881cd88), as tables created by them still are. */
const LEGACY_DDL = {
  mysql: `CREATE TABLE eda_idempotency_keys (
  \`key\` VARCHAR(255) NOT NULL PRIMARY KEY,
  message_id VARCHAR(128) NOT NULL,
  correlation_id VARCHAR(128) NULL,
  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB`,
  postgres: `CREATE TABLE eda_idempotency_keys (
  "key" text PRIMARY KEY,
  message_id text NOT NULL,
  correlation_id text,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
};

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

const KINDS: EngineKind[] = ['postgres', 'mariadb-utf8mb4', 'mariadb-latin1', 'mariadb-latin1-connection'];

describe.each(KINDS)('idempotency table on %s', (kind) => {
  let db: EngineUnderTest;

  beforeAll(async () => {
    db = await startEngine(kind);
  });

  afterAll(async () => {
    await closeDatabases();
    await db?.stop();
    useSqsClient(undefined);
  });

  beforeEach(async () => {
    answerWriterSqsCalls(sqs);
    await db.admin('DROP TABLE IF EXISTS eda_idempotency_keys');
    await db.admin('DROP TABLE IF EXISTS effects');
    // The effect records the key as hex (ASCII), so the effect table itself cannot fold keys.
    await db.admin('CREATE TABLE effects (key_hex VARCHAR(2048) NOT NULL, body VARCHAR(200) NOT NULL)');
    await configureDatabases({ env: db.env, breaker: { failureThreshold: 1000, clock: new FakeClock() } });
  });

  const effect: WriteEffect = async (tx, message) => {
    await tx.query(`INSERT INTO effects (key_hex, body) VALUES (${db.placeholder(1)}, ${db.placeholder(2)})`, [hex(message.idempotencyKey), message.record.body]);
  };

  function writer(mode: WriterMode, extra: { ensureTable?: boolean } = {}, writeEffect: WriteEffect = effect) {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const handler = sqlWriter(writeEffect, { mode, logger, metrics, deadLetterQueueUrl: DLQ, queueUrl: QUEUE, random: () => 0, ...extra });
    return { handler, logger, metrics };
  }

  /** Effect rows per key (keys decoded from their hex). */
  async function effectsPerKey(): Promise<Record<string, number>> {
    const rows = await db.admin('SELECT key_hex, COUNT(*) AS n FROM effects GROUP BY key_hex');
    return Object.fromEntries(rows.map((r) => [Buffer.from(String(r.key_hex), 'hex').toString('utf8'), Number(r.n)]));
  }

  /** Key rows as stored: the key's and the correlation id's UTF-8 bytes (hex), and the fingerprint. */
  async function keyRows(): Promise<Array<{ key: string; correlation: string | null }>> {
    const rows = await db.admin(db.engine === 'mysql'
      ? 'SELECT LOWER(HEX(`key`)) AS key_hex, LOWER(HEX(correlation_id)) AS correlation_hex FROM eda_idempotency_keys'
      : "SELECT encode(convert_to(\"key\", 'UTF8'), 'hex') AS key_hex, encode(convert_to(correlation_id, 'UTF8'), 'hex') AS correlation_hex FROM eda_idempotency_keys");
    return rows.map((r) => ({
      key: Buffer.from(String(r.key_hex), 'hex').toString('utf8'),
      correlation: r.correlation_hex ? Buffer.from(String(r.correlation_hex), 'hex').toString('utf8') : null,
    })).sort((a, b) => a.key.localeCompare(b.key));
  }

  const deliveries = (keys: readonly string[]) => keys.map((key, i) => sqsRecord({ key, body: { n: i }, correlationId: `相関-${i}` }));
  const once = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 1]));

  test.each(MODES)('%s: keys differing only in case, trailing space, accent or script are each applied exactly once', async (mode) => {
    // GIVEN
    const { handler, metrics } = writer(mode);
    // WHEN every key is delivered, then redelivered
    const first = await handler(sqsEvent(...deliveries(DISTINCT_KEYS)));
    const second = await handler(sqsEvent(...deliveries(DISTINCT_KEYS)));
    // THEN
    expect([first.batchItemFailures, second.batchItemFailures]).toEqual([[], []]);
    expect(await effectsPerKey()).toEqual(once(DISTINCT_KEYS));
    expect(await keyRows()).toEqual(DISTINCT_KEYS.map((key, i) => ({ key, correlation: `相関-${i}` })).sort((a, b) => a.key.localeCompare(b.key)));
    expect(metrics.published.map((p) => [p.metrics.WritesApplied, p.metrics.DuplicatesSkipped])).toEqual([[8, 0], [0, 8]]);
  });

  test.each(MODES)('%s: a table created by an earlier version: MySQL refuses to claim until upgraded, then every key is applied once', async (mode) => {
    // GIVEN a legacy table holding a key an earlier version applied (written by a utf8mb4 client)
    await db.admin(LEGACY_DDL[db.engine]);
    await db.admin("INSERT INTO eda_idempotency_keys (message_id, correlation_id, `key`) VALUES ('m-old', NULL, 'résumé')".replace('`key`', db.engine === 'mysql' ? '`key`' : '"key"'));
    await db.admin(`INSERT INTO effects (key_hex, body) VALUES ('${hex('résumé')}', 'legacy')`);
    const { handler, logger } = writer(mode, { ensureTable: false });
    // WHEN
    const beforeUpgrade = await handler(sqsEvent(...deliveries(DISTINCT_KEYS)));
    const effectsBeforeUpgrade = await effectsPerKey();
    for (const statement of upgradeStatements(db.engine)) await db.admin(statement);
    const afterUpgrade = await handler(sqsEvent(...deliveries(DISTINCT_KEYS)));
    // THEN
    if (db.engine === 'mysql') {
      // Nothing is applied under a collating key column: all retried, each logged with the layout error code.
      expect(beforeUpgrade.batchItemFailures).toHaveLength(DISTINCT_KEYS.length);
      expect(effectsBeforeUpgrade).toEqual({ résumé: 1 });
      expect(logger.lines('warn').filter((l) => l.extra.error_code === 'EDA_IDEMPOTENCY_TABLE_LAYOUT')).toHaveLength(DISTINCT_KEYS.length);
      expect(logger.lines('error').map((l) => [l.message, l.extra.error_code])).toEqual([
        ['idempotency table refused: every write is retried until it is upgraded', 'EDA_IDEMPOTENCY_TABLE_LAYOUT'],
      ]);
    } else {
      // PostgreSQL keys were always exact: the legacy table keeps working, without fingerprints (warned once).
      expect(beforeUpgrade.batchItemFailures).toEqual([]);
      expect(logger.lines('warn').map((l) => l.message)).toEqual([
        'eda_idempotency_keys has no body_sha256 column: a reused key with a different body is skipped as a duplicate; upgrade the table (docs/operations.md)',
      ]);
    }
    expect(afterUpgrade.batchItemFailures).toEqual([]);
    // The key applied before the upgrade still matches its redelivery: applied once, not twice.
    expect(await effectsPerKey()).toEqual(once(DISTINCT_KEYS));
  });

  test.each(MODES)('%s: a key reused with a different body goes to the dead-letter queue as EDA_IDEMPOTENCY_KEY_REUSED, the same body stays a duplicate', async (mode) => {
    // GIVEN order-1 applied with body v1
    const { handler, metrics } = writer(mode);
    await handler(sqsEvent(sqsRecord({ key: 'order-1', body: { v: 1 } })));
    // WHEN order-1 comes again with the same and with another body, and order-2 twice with two bodies in one batch
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'order-1', body: { v: 1 }, messageId: 'same-body' }),
      sqsRecord({ key: 'order-1', body: { v: 2 }, messageId: 'other-body' }),
      sqsRecord({ key: 'order-2', body: { v: 1 }, messageId: 'order-2-first' }),
      sqsRecord({ key: 'order-2', body: { v: 2 }, messageId: 'order-2-other-body' }),
    ));
    // THEN
    expect(response.batchItemFailures).toEqual([]);
    expect(await effectsPerKey()).toEqual({ 'order-1': 1, 'order-2': 1 });
    const dead = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(dead.map((d) => [
      JSON.parse(d.MessageBody!), d.MessageAttributes?.['eda-error-class']?.StringValue, d.MessageAttributes?.['eda-error-code']?.StringValue,
    ])).toEqual([[{ v: 2 }, 'permanent', 'EDA_IDEMPOTENCY_KEY_REUSED'], [{ v: 2 }, 'permanent', 'EDA_IDEMPOTENCY_KEY_REUSED']]);
    expect(dead.map((d) => d.MessageAttributes?.['eda-original-message-id']?.StringValue).sort()).toEqual(['order-2-other-body', 'other-body']);
    expect(metrics.published[1].metrics).toMatchObject({ WritesApplied: 1, DuplicatesSkipped: 1, PoisonMessages: 2 });
  });

  test('migrationSql runs as one script in a migration tool, and the writer then needs no CREATE', async () => {
    // GIVEN the table created ahead of time, as a migration would
    await db.admin(migrationSql(db.engine));
    const { handler, logger } = writer('per-message', { ensureTable: false });
    // WHEN
    const response = await handler(sqsEvent(...deliveries(DISTINCT_KEYS)));
    // THEN the table has the fingerprint column (no warning) and every key applied once
    expect(response.batchItemFailures).toEqual([]);
    expect(logger.lines('warn')).toEqual([]);
    expect(await effectsPerKey()).toEqual(once(DISTINCT_KEYS));
  });

  function separatePool(): SqlPool {
    const settings = readConnectionSettings('writer', db.env);
    const host = db.env.EDA_WRITE_HOST;
    const credentials = createPasswordProvider(settings, host);
    return db.engine === 'mysql' ? createMysqlPool({ settings, host, credentials }) : createPostgresPool({ settings, host, credentials });
  }

  async function backdate(prefix: string, seconds: number): Promise<void> {
    const key = db.engine === 'mysql' ? '`key`' : '"key"';
    const cutoff = db.engine === 'mysql' ? `CURRENT_TIMESTAMP(6) - INTERVAL ${seconds} SECOND` : `now() - interval '${seconds} seconds'`;
    await db.admin(`UPDATE eda_idempotency_keys SET applied_at = ${cutoff} WHERE ${key} LIKE '${prefix}%'`);
  }

  test('the purge deletes only expired keys, in batches, while a writer transaction holds newly claimed keys (no write lost or applied twice)', async () => {
    // GIVEN 250 expired keys and 50 keys 10 minutes short of the 1-day retention
    const purgePool = separatePool();
    const purges: PurgeIdempotencyKeysResult[] = [];
    // The purge runs to its end on its own connection in the middle of a writer's batch transaction, which has
    // claimed fresh-100…109 and not committed yet.
    const purgingEffect: WriteEffect = async (tx, message) => {
      await effect(tx, message);
      if (message.idempotencyKey === 'fresh-105') purges.push(await purgeIdempotencyKeys(purgePool, { olderThanSeconds: DAY, batchSize: 20 }));
    };
    const { handler, logger } = writer('batch', {}, purgingEffect);
    const expired = Array.from({ length: 250 }, (_, i) => `expired-${i}`);
    const young = Array.from({ length: 50 }, (_, i) => `young-${i}`);
    await handler(sqsEvent(...[...expired, ...young].map((key) => sqsRecord({ key, body: {} }))));
    await backdate('expired-', 2 * DAY);
    await backdate('young-', DAY - 600);
    const fresh = Array.from({ length: 200 }, (_, i) => `fresh-${i}`);
    const batchOf = (keys: readonly string[]) => sqsEvent(...keys.map((key) => sqsRecord({ key, body: {} })));
    try {
      // WHEN the writer applies 20 batches of new keys, then the first 10 are redelivered
      const failures: unknown[] = [];
      for (let b = 0; b < 20; b++) failures.push(...(await handler(batchOf(fresh.slice(b * 10, b * 10 + 10)))).batchItemFailures);
      failures.push(...(await handler(batchOf(fresh.slice(0, 10)))).batchItemFailures);
      // THEN
      // One purge, inside the open batch transaction: it neither waited for the writer's rows nor made the batch fail.
      expect(purges).toEqual([{ deleted: 250, batches: 13, more: false }]);
      expect(logger.lines('warn')).toEqual([]);
      expect(failures).toEqual([]);
      const keys = (await keyRows()).map((r) => r.key);
      expect(keys).toHaveLength(250);
      expect(new Set(keys)).toEqual(new Set([...young, ...fresh]));
      expect(await effectsPerKey()).toEqual(once([...expired, ...young, ...fresh]));
    } finally {
      await purgePool.end();
    }
  });

  test('the purge never deletes keys younger than EDA_IDEMPOTENCY_RETENTION_SECONDS, and the table has the applied_at index', async () => {
    // GIVEN
    const { handler } = writer('batch');
    await handler(sqsEvent(sqsRecord({ key: 'recent', body: {} })));
    process.env.EDA_IDEMPOTENCY_RETENTION_SECONDS = String(DAY);
    const purgePool = separatePool();
    try {
      // WHEN / THEN
      await expect(purgeIdempotencyKeys(purgePool, { olderThanSeconds: DAY - 1 })).rejects.toThrow(new ConfigurationError('olderThanSeconds',
        `must be at least EDA_IDEMPOTENCY_RETENTION_SECONDS (${DAY} s): a younger key can still meet a redelivery of its message, got ${DAY - 1}`));
      expect(await purgeIdempotencyKeys(purgePool)).toEqual({ deleted: 0, batches: 1, more: false });
      expect((await keyRows()).map((r) => r.key)).toEqual(['recent']);
      const indexes = await db.admin(db.engine === 'mysql'
        ? "SELECT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'eda_idempotency_keys' AND column_name = 'applied_at'"
        : "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'eda_idempotency_keys' AND indexdef LIKE '%(applied_at)'");
      expect(indexes.map((r) => r.name)).toEqual(['eda_idempotency_keys_applied_at']);
    } finally {
      delete process.env.EDA_IDEMPOTENCY_RETENTION_SECONDS;
      await purgePool.end();
    }
  });
});
