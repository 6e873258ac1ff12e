import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { queryOnce } from '../../../../test/support/postgres-query';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { closeDatabases, configureDatabases } from '../../src/connections/database-registry';
import { useSqsClient } from '../../src/queue/sqs-client';
import { BatchWriteEffect, sqlWriter, WriteEffect, WriterMode } from '../../src/writer/sql-writer';
import { RecordingLogger, RecordingMetrics, sqsEvent, sqsRecord } from '../support/fakes';
import { postgresEnvironment } from '../support/postgres-env';
import { resetWriterTest } from '../support/writer-test-reset';

const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes-dlq';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes';
const sqs = mockClient(SQSClient);

interface Order {
  readonly id: number;
  readonly total: number;
}

let pg: LocalPostgres;

// A fresh connection per inspection: the tests stop and start the server.
const admin = { query: (text: string) => queryOnce(pg.connectionString, text) };

beforeAll(async () => {
  pg = await startPostgres();
  await admin.query('create table orders (id int primary key, total numeric not null check (total >= 0))');
});

afterAll(async () => {
  await closeDatabases();
  await pg?.stop();
  useSqsClient(undefined);
});

beforeEach(async () => {
  await resetWriterTest(sqs, pg, admin);
});

// 'batch-effect': batch mode with a set-based batchEffect (one unnest insert per batch).
type TestedMode = WriterMode | 'batch-effect';

function recordingWriter(testedMode: TestedMode) {
  const mode: WriterMode = testedMode === 'per-message' ? 'per-message' : 'batch';
  const effects: string[] = [];
  const batchCalls: string[][] = [];
  const batchEffect: BatchWriteEffect<Order> = async (tx, messages) => {
    batchCalls.push(messages.map((m) => m.idempotencyKey));
    await tx.query('insert into orders (id, total) select * from unnest($1::int[], $2::numeric[])',
      [messages.map((m) => m.body.id), messages.map((m) => m.body.total)]);
  };
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const effect: WriteEffect<Order> = async (tx, message) => {
    effects.push(message.idempotencyKey);
    await tx.query('insert into orders (id, total) values ($1, $2)', [message.body.id, message.body.total]);
  };
  const handler = sqlWriter(effect, {
    mode,
    logger,
    metrics,
    deadLetterQueueUrl: DLQ,
    queueUrl: QUEUE,
    random: () => 0,
    batchEffect: testedMode === 'batch-effect' ? batchEffect : undefined,
  });
  return { handler, effects, batchCalls, logger, metrics };
}

function dlqAttributes(call: number): Record<string, string | undefined> {
  const input = sqs.commandCalls(SendMessageCommand)[call].args[0].input;
  return Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
}

describe.each<TestedMode>(['per-message', 'batch', 'batch-effect'])('sqlWriter (%s) against PostgreSQL 15', (mode) => {
  test('applies one effect per key, counts duplicates and dead-letters poison messages with their context', async () => {
    // GIVEN a key applied by an earlier batch
    const { handler, effects, logger, metrics } = recordingWriter(mode);
    await handler(sqsEvent(sqsRecord({ key: 'order-1', body: { id: 1, total: 10 }, correlationId: 'corr-1' })));
    // WHEN one batch holds a new write, a redelivery of the earlier one, a duplicate inside the batch,
    // a malformed body, a constraint violation and a message without a key
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'order-2', body: { id: 2, total: 20 }, correlationId: 'corr-2' }),
      sqsRecord({ key: 'order-1', body: { id: 1, total: 10 }, correlationId: 'corr-1' }),
      sqsRecord({ key: 'order-2', body: { id: 2, total: 20 }, correlationId: 'corr-2b' }),
      sqsRecord({ key: 'order-3', body: '{"id": 3, "total":', correlationId: 'corr-3', messageId: 'bad-json', receiveCount: 2 }),
      sqsRecord({ key: 'order-4', body: { id: 4, total: -5 }, correlationId: 'corr-4', messageId: 'negative-total' }),
      sqsRecord({ body: { id: 5, total: 50 }, correlationId: 'corr-5', messageId: 'no-key' }),
    ));

    // THEN nothing is left for SQS to retry
    expect(response).toEqual({ batchItemFailures: [] });
    // exactly one committed effect per key, nothing of the poison messages
    const orders = await admin.query('select id, total::int from orders order by id');
    expect(orders.rows).toEqual([{ id: 1, total: 10 }, { id: 2, total: 20 }]);
    const keys = await admin.query('select key, message_id, correlation_id from eda_idempotency_keys order by key');
    expect(keys.rows.map((r) => [r.key, r.correlation_id])).toEqual([['order-1', 'corr-1'], ['order-2', 'corr-2']]);
    if (mode === 'per-message') expect(effects.filter((k) => k !== 'order-4')).toEqual(['order-1', 'order-2']);
    // duplicates counted, poisons counted, metrics carry the correlation ids
    expect(metrics.published[1].metrics).toEqual({
      WritesApplied: 1, DuplicatesSkipped: 2, PoisonMessages: 3, TransientRetries: 0, WritesDeferred: 0,
    });
    expect(metrics.published[1].metadata.correlation_ids.split(',')).toEqual(expect.arrayContaining(['corr-2', 'corr-3', 'corr-4', 'corr-5']));
    // the three poison messages are in the DLQ with the attributes needed to replay them
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent.map((s) => s.QueueUrl)).toEqual([DLQ, DLQ, DLQ]);
    expect(sent.map((s) => s.MessageBody)).toEqual(['{"id": 3, "total":', '{"id":4,"total":-5}', '{"id":5,"total":50}']);
    expect(dlqAttributes(0)).toEqual({
      'eda-error-class': 'permanent',
      'eda-error-code': 'EDA_BAD_JSON',
      'eda-error-message': expect.stringContaining('message body is not JSON'),
      'eda-attempts': '2',
      'eda-correlation-id': 'corr-3',
      'eda-original-message-id': 'bad-json',
      'eda-idempotency-key': 'order-3',
      'eda-source-queue-arn': 'arn:aws:sqs:eu-west-1:123456789012:orders-writes',
    });
    expect(dlqAttributes(1)).toEqual({
      'eda-error-class': 'permanent',
      'eda-error-code': '23514',
      'eda-error-message': expect.stringContaining('orders_total_check'),
      'eda-attempts': '1',
      'eda-correlation-id': 'corr-4',
      'eda-original-message-id': 'negative-total',
      'eda-idempotency-key': 'order-4',
      'eda-source-queue-arn': 'arn:aws:sqs:eu-west-1:123456789012:orders-writes',
    });
    expect(dlqAttributes(2)).toMatchObject({ 'eda-error-code': 'EDA_MISSING_IDEMPOTENCY_KEY', 'eda-original-message-id': 'no-key', 'eda-correlation-id': 'corr-5' });
    // every failure is logged with its classification and the restored correlation id
    const errors = logger.lines('error');
    expect(errors).toHaveLength(3);
    expect(errors[1]).toMatchObject({
      message: 'permanent write failure: sent to the dead-letter queue',
      extra: { error_class: 'permanent', error_code: '23514', message_id: 'negative-total' },
      keys: { correlation_id: 'corr-4', message_id: 'negative-total' },
    });
  });

  test('a redelivered batch applies nothing twice', async () => {
    // GIVEN
    const { handler, effects, batchCalls, metrics } = recordingWriter(mode);
    const batch = sqsEvent(
      sqsRecord({ key: 'a', body: { id: 10, total: 1 }, messageId: 'ma' }),
      sqsRecord({ key: 'b', body: { id: 11, total: 2 }, messageId: 'mb' }),
    );
    await handler(batch);
    // WHEN
    const response = await handler(batch);
    // THEN
    expect(response.batchItemFailures).toEqual([]);
    expect(mode === 'batch-effect' ? batchCalls : effects).toEqual(mode === 'batch-effect' ? [['a', 'b']] : ['a', 'b']);
    expect(metrics.published[1].metrics).toMatchObject({ WritesApplied: 0, DuplicatesSkipped: 2 });
    expect((await admin.query('select count(*)::int as n from orders')).rows[0].n).toBe(2);
  });

  test('while the database is down every message is a batch item failure with backed-off visibility, then applies once it is back', async () => {
    // GIVEN
    const { handler, metrics, logger } = recordingWriter(mode);
    await handler(sqsEvent(sqsRecord({ key: 'warm-up', body: { id: 20, total: 1 } })));
    await pg.stopServer();
    const batch = sqsEvent(
      sqsRecord({ key: 'x', body: { id: 21, total: 1 }, messageId: 'mx', receiveCount: 1 }),
      sqsRecord({ key: 'y', body: { id: 22, total: 1 }, messageId: 'my', receiveCount: 4 }),
    );
    try {
      // WHEN
      const response = await handler(batch);
      // THEN
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'mx' }, { itemIdentifier: 'my' }]);
      const visibility = sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input;
      expect(visibility.QueueUrl).toBe(QUEUE);
      expect(visibility.Entries?.map((e) => e.VisibilityTimeout)).toEqual([64, 512]);
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
      expect(metrics.published[1].metrics).toMatchObject({ TransientRetries: 2, PoisonMessages: 0 });
      expect(logger.lines('warn').some((l) => l.message === 'transient write failure: retried with backoff' && l.extra.error_class === 'transient')).toBe(true);
    } finally {
      await pg.startServer();
    }
    // WHEN the database is back
    const retried = await handler(batch);
    // THEN
    expect(retried.batchItemFailures).toEqual([]);
    expect((await admin.query('select count(*)::int as n from orders where id in (21, 22)')).rows[0].n).toBe(2);
  });
});

describe('sqlWriter idempotency under concurrency (PostgreSQL 15)', () => {
  test('two concurrent deliveries of the same message on two connections apply its effect once', async () => {
    // GIVEN two handlers (one per mode) sharing a pool of two connections, and the same message delivered to both
    const first = recordingWriter('per-message');
    await first.handler(sqsEvent(sqsRecord({ key: 'setup', body: { id: 30, total: 1 } })));
    await closeDatabases();
    const second = recordingWriter('batch');
    const record = sqsRecord({ key: 'race', body: { id: 31, total: 1 } });
    // WHEN
    await configureDatabases({ env: postgresEnvironment(pg, { EDA_POOL_MAX: '2' }) });
    const responses = await Promise.all([first.handler(sqsEvent(record)), second.handler(sqsEvent(record))]);
    // THEN
    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect((await admin.query('select count(*)::int as n from orders where id = 31')).rows[0].n).toBe(1);
    const applied = first.metrics.total('WritesApplied') + second.metrics.total('WritesApplied');
    const skipped = first.metrics.total('DuplicatesSkipped') + second.metrics.total('DuplicatesSkipped');
    expect([applied, skipped]).toEqual([2, 1]);
  });
});

describe('sqlWriter batchEffect against PostgreSQL 15', () => {
  test('calls the batch effect once per batch with only the newly claimed messages', async () => {
    // GIVEN a key applied by an earlier batch
    const { handler, batchCalls, effects, metrics } = recordingWriter('batch-effect');
    await handler(sqsEvent(sqsRecord({ key: 'order-1', body: { id: 1, total: 10 } })));
    // WHEN a batch holds two new keys, a redelivery across batches and a duplicate within the batch
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'order-2', body: { id: 2, total: 20 } }),
      sqsRecord({ key: 'order-1', body: { id: 1, total: 10 } }),
      sqsRecord({ key: 'order-3', body: { id: 3, total: 30 } }),
      sqsRecord({ key: 'order-2', body: { id: 2, total: 20 } }),
    ));
    // THEN one set-based call per batch, without duplicates, and no per-message effect
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batchCalls).toEqual([['order-1'], ['order-2', 'order-3']]);
    expect(effects).toEqual([]);
    const orders = await admin.query('select id from orders order by id');
    expect(orders.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(metrics.published[1].metrics).toEqual({
      WritesApplied: 2, DuplicatesSkipped: 2, PoisonMessages: 0, TransientRetries: 0, WritesDeferred: 0,
    });
  });

  test('a failing batch effect is isolated per message with the per-message effect: only the poison message is dead-lettered', async () => {
    // GIVEN a batch whose set-based insert fails on one row (check constraint)
    const { handler, batchCalls, effects } = recordingWriter('batch-effect');
    // WHEN it is processed
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'order-1', body: { id: 1, total: 10 } }),
      sqsRecord({ key: 'order-2', body: { id: 2, total: -1 }, messageId: 'negative' }),
      sqsRecord({ key: 'order-3', body: { id: 3, total: 30 } }),
    ));
    // THEN the batch effect ran once, the per-message effect isolated the culprit, the others are applied once
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batchCalls).toEqual([['order-1', 'order-2', 'order-3']]);
    expect(effects).toEqual(['order-1', 'order-2', 'order-3']);
    const orders = await admin.query('select id from orders order by id');
    expect(orders.rows.map((r) => r.id)).toEqual([1, 3]);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody)).toEqual(['{"id":2,"total":-1}']);
  });

  test('a transient failure of the batch effect rolls the whole batch back: nothing of it stays, each message is applied once', async () => {
    // GIVEN a batch effect that inserts its rows, then fails with a serialization failure
    const effects: string[] = [];
    const handler = sqlWriter<Order>(async (tx, message) => {
      effects.push(message.idempotencyKey);
      await tx.query('insert into orders (id, total) values ($1, $2)', [message.body.id, message.body.total]);
    }, {
      mode: 'batch',
      deadLetterQueueUrl: DLQ,
      queueUrl: QUEUE,
      random: () => 0,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      batchEffect: async (tx, messages) => {
        await tx.query('insert into orders (id, total) select * from unnest($1::int[], $2::numeric[])',
          [messages.map((m) => m.body.id), messages.map((m) => m.body.total)]);
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      },
    });
    // WHEN a batch of two is processed
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'order-1', body: { id: 1, total: 10 } }),
      sqsRecord({ key: 'order-2', body: { id: 2, total: 20 } }),
    ));
    // THEN the batch transaction left nothing (no row twice), the per-message fallback applied each once
    expect(response).toEqual({ batchItemFailures: [] });
    expect(effects).toEqual(['order-1', 'order-2']);
    const orders = await admin.query('select id, count(*)::int as n from orders group by id order by id');
    expect(orders.rows).toEqual([{ id: 1, n: 1 }, { id: 2, n: 1 }]);
  });
});
