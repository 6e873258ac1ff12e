import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { queryOnce } from '../../../../test/support/postgres-query';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { createValkeyClient, TieredCache, ValkeyClient } from '../../src/cache';
import { closeDatabases } from '../../src/connections/database-registry';
import { useSqsClient } from '../../src/queue/sqs-client';
import { sqlWriter, SqlWriterOptions, WriteEffect, WriterMode } from '../../src/writer/sql-writer';
import type { WriteMessage } from '../../src/writer/write-message';
import { closeClients, RedisServer, startRedisServer } from '../cache/redis-server';
import { RecordingLogger, RecordingMetrics, sqsEvent, sqsRecord } from '../support/fakes';
import { resetWriterTest } from '../support/writer-test-reset';

/*
 * EDA-12 defect 2: cache invalidation must run after COMMIT. Real PostgreSQL (the writer's transaction, a
 * concurrent read on another connection) and a real redis-server (the cache's remote tier).
 */
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes';
const DLQ = `${QUEUE}-dlq`;
const sqs = mockClient(SQSClient);

interface Order {
  readonly id: number;
  readonly total: number;
}

let pg: LocalPostgres;
let redis: RedisServer;
let redisAdmin: Redis;
const clients: ValkeyClient[] = [];
const admin = { query: (text: string) => queryOnce(pg.connectionString, text) };

/** A fresh cache (own Valkey client) standing for one reader execution environment. */
function readerCache(): TieredCache {
  const client = createValkeyClient({ host: '127.0.0.1', port: redis.port, tls: false, cluster: false, commandTimeoutMs: 1000 });
  clients.push(client);
  return new TieredCache({ remote: client });
}

/** The reader: the committed total of order 1 through the cache (60 s TTL), counting database loads. */
function reader(cache: TieredCache) {
  let loads = 0;
  return {
    read: () => cache.cachedRead('order:1', 60, async () => {
      loads++;
      return Number((await admin.query('select total from orders where id = 1')).rows[0].total);
    }),
    loads: () => loads,
  };
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedisServer()]);
  redisAdmin = new Redis({ host: '127.0.0.1', port: redis.port });
  await admin.query('create table orders (id int primary key, total numeric not null)');
});

afterAll(async () => {
  await closeDatabases();
  await closeClients([...clients.splice(0), redisAdmin]);
  await pg?.stop();
  await redis?.stop();
  useSqsClient(undefined);
});

beforeEach(async () => {
  await resetWriterTest(sqs, pg, admin);
  await admin.query('insert into orders values (1, 1)');
  await redisAdmin.flushall();
});

/**
 * The race of the issue: the cached value has expired; the writer updates total 1 → 2 and, before its COMMIT,
 * another execution environment reads (cache miss → loads the committed 1 → caches it).
 */
function racingWriter(mode: WriterMode, invalidateInsideEffect: boolean, writerCache: TieredCache, concurrentRead: () => Promise<number>) {
  const readsInWindow: number[] = [];
  const effect: WriteEffect<Order> = async (tx, message) => {
    await tx.query('update orders set total = $2 where id = $1', [message.body.id, message.body.total]);
    // The old advice: the only place to invalidate was here, before COMMIT.
    if (invalidateInsideEffect) await writerCache.invalidate(`order:${message.body.id}`);
    readsInWindow.push(await concurrentRead());
  };
  const options: SqlWriterOptions = {
    mode,
    deadLetterQueueUrl: DLQ,
    queueUrl: QUEUE,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    afterCommit: invalidateInsideEffect ? undefined : (m: WriteMessage<Order>) => writerCache.invalidate(`order:${m.body.id}`),
  };
  return { handler: sqlWriter(effect, options), readsInWindow };
}

describe('EDA-12.2 after-commit hook: no stale value cached across a concurrent read', () => {
  test.each<WriterMode>(['per-message', 'batch'])('%s: invalidating in afterCommit serves 2 after the write; invalidating inside the effect served 1', async (mode) => {
    // Baseline, the old advice (invalidate inside the effect): the concurrent read caches the old value.
    expect(await reader(readerCache()).read()).toBe(1);
    const writerCacheA = readerCache();
    await writerCacheA.invalidate('order:1'); // the cached value expired
    const old = racingWriter(mode, true, writerCacheA, () => reader(readerCache()).read());
    await old.handler(sqsEvent(sqsRecord({ body: { id: 1, total: 2 }, key: `old-${mode}` })));
    expect((await admin.query('select total from orders where id = 1')).rows[0].total).toBe('2');
    const freshReaderOld = reader(readerCache());
    expect({ inWindow: old.readsInWindow, afterCommit: await freshReaderOld.read() }).toEqual({ inWindow: [1], afterCommit: 1 });

    // The fix: the same race, with the invalidation in afterCommit.
    await admin.query('update orders set total = 1 where id = 1');
    const writerCacheB = readerCache();
    await writerCacheB.invalidate('order:1');
    const fixed = racingWriter(mode, false, writerCacheB, () => reader(readerCache()).read());
    await fixed.handler(sqsEvent(sqsRecord({ body: { id: 1, total: 2 }, key: `new-${mode}` })));

    const after = reader(readerCache());
    expect({ inWindow: fixed.readsInWindow, afterCommit: await after.read() }).toEqual({ inWindow: [1], afterCommit: 2 });
    expect(after.loads()).toBe(1);
  });
});

describe('EDA-12.2 after-commit hook semantics', () => {
  function writer(options: Partial<SqlWriterOptions>, effect?: WriteEffect<Order>) {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const handler = sqlWriter<Order>(effect ?? (async (tx, m) => {
      if (m.body.total < 0) throw Object.assign(new Error('negative total'), { code: '23514' });
      await tx.query('update orders set total = $2 where id = $1', [m.body.id, m.body.total]);
    }), { deadLetterQueueUrl: DLQ, queueUrl: QUEUE, logger, metrics, ...options });
    return { handler, logger, metrics };
  }

  test.each<WriterMode>(['per-message', 'batch'])('%s: the hook sees the committed row, runs once per message in order, not for a failed write', async (mode) => {
    const seen: Array<{ key: string; duplicate: boolean; committedTotal: string }> = [];
    const batches: string[][] = [];
    const { handler } = writer({
      mode,
      // A separate connection: sees only committed data.
      afterCommit: async (m, write) => {
        seen.push({ key: m.idempotencyKey, duplicate: write.duplicate, committedTotal: (await admin.query('select total from orders where id = 1')).rows[0].total });
      },
      afterBatchCommit: (messages) => { batches.push(messages.map((m) => m.idempotencyKey)); },
    });

    await handler(sqsEvent(
      sqsRecord({ body: { id: 1, total: 5 }, key: 'a' }),
      sqsRecord({ body: { id: 1, total: -1 }, key: 'poison' }),
      // A redelivery of the first write (same key, same body): a duplicate. (Another body would be a reused key.)
      sqsRecord({ body: { id: 1, total: 5 }, key: 'a' }),
    ));

    expect(seen).toEqual([{ key: 'a', duplicate: false, committedTotal: '5' }, { key: 'a', duplicate: true, committedTotal: '5' }]);
    expect(batches).toEqual([['a', 'a']]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1); // the poison message, dead-lettered
  });

  test.each<WriterMode>(['per-message', 'batch'])('%s: a failing hook is logged and counted; the write stands and the message is acknowledged', async (mode) => {
    let calls = 0;
    const { handler, logger, metrics } = writer({
      mode,
      afterCommit: async () => { calls++; throw new Error('cache down'); },
      afterBatchCommit: async () => { throw new Error('cache down too'); },
    });

    const response = await handler(sqsEvent(sqsRecord({ body: { id: 1, total: 7 }, key: 'k1' }), sqsRecord({ body: { id: 1, total: 8 }, key: 'k2' })));

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(2);
    expect((await admin.query('select count(*)::int as n from eda_idempotency_keys')).rows[0].n).toBe(2);
    expect((await admin.query('select total from orders where id = 1')).rows[0].total).toBe('8');
    expect(metrics.total('AfterCommitFailures')).toBe(3);
    expect(metrics.total('WritesApplied')).toBe(2);
    expect(logger.lines('error').map((l) => l.message)).toEqual([
      'afterCommit hook failed after the write committed: not retried',
      'afterCommit hook failed after the write committed: not retried',
      'afterBatchCommit hook failed after the write committed: not retried',
    ]);
  });

  test('a transient failure (rolled back) runs no hook; its redelivery does', async () => {
    const hooks: string[] = [];
    let failOnce = true;
    const { handler } = writer({ afterCommit: (m) => { hooks.push(m.idempotencyKey); } }, async (tx, m) => {
      await tx.query('update orders set total = $2 where id = $1', [m.body.id, m.body.total]);
      if (failOnce) {
        failOnce = false;
        throw Object.assign(new Error('serialization failure'), { code: '40001' });
      }
    });
    const record = sqsRecord({ body: { id: 1, total: 9 }, key: 't' });

    const first = await handler(sqsEvent(record));
    expect({ failures: first.batchItemFailures.length, hooks: [...hooks], total: (await admin.query('select total from orders where id = 1')).rows[0].total })
      .toEqual({ failures: 1, hooks: [], total: '1' });
    const second = await handler(sqsEvent(record));
    expect({ failures: second.batchItemFailures.length, hooks, total: (await admin.query('select total from orders where id = 1')).rows[0].total })
      .toEqual({ failures: 0, hooks: ['t'], total: '9' });
  });
});
