import { createHash } from 'node:crypto';
import { BatchProcessor } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DatabaseUnavailableError, PermanentWriteError } from '../../src/errors';
import { queueUrlFromArn, useSqsClient } from '../../src/queue/sqs-client';
import { deadLetterCopy } from '../../src/writer/failure-routing';
import { bodyFingerprint } from '../../src/writer/idempotency-store';
import { sqlWriter, SqlWriterOptions, WriteEffect } from '../../src/writer/sql-writer';
import { FakeDatabase } from '../support/fake-database';
import { RecordingLogger, RecordingMetrics, sqsEvent, sqsRecord } from '../support/fakes';

const sqs = mockClient(SQSClient);
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes-dlq';
const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq' });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Failed: [] });
  useSqsClient(new SQSClient({ region: 'eu-west-1' }));
  delete process.env.EDA_WRITE_QUEUE_URL;
  delete process.env.EDA_DEAD_LETTER_QUEUE_URL;
});

afterAll(() => useSqsClient(undefined));

function writer(effect: WriteEffect, options: Partial<SqlWriterOptions> = {}) {
  const db = new FakeDatabase();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = sqlWriter(effect, { database: () => db, logger, metrics, deadLetterQueueUrl: DLQ, random: () => 0, ...options });
  return { handler, db, logger, metrics };
}

const noop: WriteEffect = async () => undefined;

describe('sqlWriter control flow', () => {
  test('dead-letters a PermanentWriteError thrown by the effect with its code and acknowledges it', async () => {
    // GIVEN
    const { handler, db } = writer(async () => {
      throw new PermanentWriteError('order already shipped', 'ORDER_SHIPPED');
    });
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ key: 'k', body: {} })));
    // THEN
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageAttributes?.['eda-error-code']?.StringValue).toBe('ORDER_SHIPPED');
    expect(db.keys.has('k')).toBe(false);
  });

  test('reports a permanent failure as a batch item failure when no dead-letter queue is configured', async () => {
    // GIVEN
    const { handler, logger } = writer(noop, { deadLetterQueueUrl: undefined });
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ key: 'k', body: 'not json', messageId: 'm1' })));
    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logger.lines('error')[0].message).toBe('permanent write failure but EDA_DEAD_LETTER_QUEUE_URL is not set: left to the redrive policy');
  });

  test('reports a permanent failure as a batch item failure when sending it to the dead-letter queue fails', async () => {
    // GIVEN
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const { handler, logger } = writer(noop);
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ body: {}, messageId: 'm1' })));
    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logger.lines('error')[0].extra).toMatchObject({ error_code: 'EDA_MISSING_IDEMPOTENCY_KEY', send_error: 'Error: AccessDenied' });
  });

  test('treats an open breaker as transient: batch item failure, visibility extended, no database call', async () => {
    // GIVEN
    const { handler, db, metrics } = writer(noop, { queueUrl: 'https://q' });
    jest.spyOn(db.breaker, 'execute').mockRejectedValue(new DatabaseUnavailableError(1000));
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ key: 'k', body: {}, messageId: 'm1', receiveCount: 3 })));
    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(db.transactions).toBe(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input.Entries).toEqual([
      { Id: 'v0', ReceiptHandle: expect.any(String), VisibilityTimeout: 256 },
    ]);
    expect(metrics.published[0].metrics.TransientRetries).toBe(1);
  });

  test('derives the queue URL from the event source ARN and extends visibility 10 entries per call', async () => {
    // GIVEN
    const { handler, db } = writer(noop);
    db.connectError = connectionRefused();
    const records = Array.from({ length: 12 }, (_, i) => sqsRecord({ key: `k${i}`, body: {} }));
    // WHEN
    await handler(sqsEvent(...records));
    // THEN
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.QueueUrl)).toEqual([
      'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes',
    ]);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
  });

  test('batch mode does not retry message by message when the database is unreachable', async () => {
    // GIVEN
    const { handler, db } = writer(noop, { mode: 'batch', ensureTable: false });
    db.connectError = connectionRefused();
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ key: 'a', body: {} }), sqsRecord({ key: 'b', body: {} })));
    // THEN
    expect(response.batchItemFailures).toHaveLength(2);
    expect(db.transactions).toBe(1);
  });

  test('batch mode runs the effects of new keys in one transaction', async () => {
    // GIVEN
    const seen: string[] = [];
    const { handler, db } = writer(async (_tx, m) => {
      seen.push(m.idempotencyKey);
    }, { mode: 'batch', ensureTable: false });
    db.keys.add('old');
    // WHEN
    await handler(sqsEvent(sqsRecord({ key: 'old', body: {} }), sqsRecord({ key: 'new-1', body: {} }), sqsRecord({ key: 'new-2', body: {} })));
    const afterFirstBatch = db.transactions;
    await handler(sqsEvent(sqsRecord({ key: 'new-3', body: {} }), sqsRecord({ key: 'new-4', body: {} })));
    // THEN the table layout is checked once per execution environment (even without ensureTable), then one transaction per batch
    expect(seen).toEqual(['new-1', 'new-2', 'new-3', 'new-4']);
    expect(afterFirstBatch).toBe(2);
    expect(db.transactions).toBe(3);
  });

  test('on a FIFO queue a transient failure holds back the rest of its message group only', async () => {
    // GIVEN
    const fifoArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-writes.fifo';
    const applied: string[] = [];
    const { handler } = writer(async (_tx, m) => {
      if (m.idempotencyKey === 'a1') throw Object.assign(new Error('deadlock'), { code: '40P01' });
      applied.push(m.idempotencyKey);
    }, { ensureTable: false });
    // WHEN
    const response = await handler(sqsEvent(
      sqsRecord({ key: 'a1', body: {}, messageId: 'a1', queueArn: fifoArn, messageGroupId: 'A' }),
      sqsRecord({ key: 'b1', body: {}, messageId: 'b1', queueArn: fifoArn, messageGroupId: 'B' }),
      sqsRecord({ key: 'a2', body: {}, messageId: 'a2', queueArn: fifoArn, messageGroupId: 'A' }),
    ));
    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }]);
    expect(applied).toEqual(['b1']);
  });

  test('uses the idempotency key extractor for messages without the attribute', async () => {
    // GIVEN
    const { handler, db } = writer(noop, { ensureTable: false, idempotencyKey: (body) => (body as { orderId: string }).orderId });
    // WHEN
    await handler(sqsEvent(sqsRecord({ body: { orderId: 'o-1' } })));
    // THEN
    expect([...db.keys]).toEqual(['o-1']);
  });

  test('restores the correlation id on the logger for each message and removes it afterwards', async () => {
    // GIVEN
    const { handler, logger } = writer(async () => {
      logger.info('inside effect');
    }, { ensureTable: false });
    // WHEN
    await handler(sqsEvent(sqsRecord({ key: 'k', body: {}, correlationId: 'corr-9', messageId: 'm9' })));
    // THEN
    expect(logger.entries.find((e) => e.message === 'inside effect')?.keys).toEqual({ correlation_id: 'corr-9', message_id: 'm9' });
    expect(logger.currentKeys).toEqual({});
  });
});

describe('dead-letter and queue helpers', () => {
  test('a FIFO dead-letter queue gets the original message group and the message id as deduplication id', () => {
    const record = sqsRecord({ key: 'k', body: 'x', messageId: 'm1', messageGroupId: 'G' });
    const input = deadLetterCopy(record, { errorClass: 'permanent', code: 'EDA_BAD_JSON', connectionFailure: false, message: 'bad' }, 'https://q/dlq.fifo')!.input;
    expect(input).toMatchObject({ MessageGroupId: 'G', MessageDeduplicationId: 'm1', MessageBody: 'x' });
  });

  test('the error message attribute is truncated to 1024 characters', () => {
    const record = sqsRecord({ key: 'k', body: 'x' });
    const input = deadLetterCopy(record, { errorClass: 'permanent', code: 'X', connectionFailure: false, message: 'e'.repeat(5000) }, DLQ)!.input;
    expect(input.MessageAttributes!['eda-error-message'].StringValue).toHaveLength(1024);
  });

  test('queueUrlFromArn builds the SQS URL of an event source ARN', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:orders-writes')).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes');
    expect(queueUrlFromArn('not-an-arn')).toBeUndefined();
  });
});

describe('sqlWriter time budget (EDA-11 #5)', () => {
  /** A Lambda context whose remaining time drops by `costMs` with every effect call. */
  function shrinkingContext(timeoutMs: number) {
    let remaining = timeoutMs;
    return {
      context: { getRemainingTimeInMillis: () => remaining } as unknown as import('aws-lambda').Context,
      spend: (ms: number) => {
        remaining -= ms;
      },
    };
  }

  test.each(['per-message', 'batch'] as const)('%s: once the slowest transaction no longer fits, the rest is returned unprocessed, without backoff, and counted as WritesDeferred', async (mode) => {
    // GIVEN 1,000 ms of reserve, 3,500 ms left and an effect that takes 1,000 ms (of the fake remaining time)
    const invocation = shrinkingContext(3_500);
    const { handler, db, metrics } = writer(async () => invocation.spend(1_000), { timeReserveMs: 1_000, mode });
    const records = ['a', 'b', 'c', 'd', 'e'].map((key) => sqsRecord({ key, body: {}, messageId: `m-${key}` }));
    // WHEN
    const response = await handler(sqsEvent(...records), invocation.context);
    // THEN per-message: a (2,500 left), b (1,500 left) fit, c does not (500 left < 1,000); batch: the batch
    // transaction is the first one, so it runs whole
    const expectedApplied = mode === 'per-message' ? ['a', 'b'] : ['a', 'b', 'c', 'd', 'e'];
    expect([...db.keys].sort()).toEqual(expectedApplied);
    const deferred = records.filter((r) => !expectedApplied.includes(r.messageId.slice(2))).map((r) => r.messageId);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(deferred);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(0);
    expect(metrics.total('WritesDeferred')).toBe(5 - expectedApplied.length);
    expect(metrics.total('TransientRetries')).toBe(0);
  });

  test('a poison message is still dead-lettered when the budget is exhausted (it needs no database)', async () => {
    // GIVEN no time left for any transaction
    const { handler, db, metrics } = writer(noop, { timeReserveMs: 1_000 });
    const context = { getRemainingTimeInMillis: () => 1_000 } as unknown as import('aws-lambda').Context;
    // WHEN
    const response = await handler(sqsEvent(sqsRecord({ key: 'p', body: 'not json', messageId: 'poison' }), sqsRecord({ key: 'k', body: {}, messageId: 'fine' })), context);
    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'fine' }]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(db.transactions).toBe(0);
    expect(metrics.total('WritesDeferred')).toBe(1);
  });
});

describe('sqlWriter per-record work (EDA-15)', () => {
  test('batch mode answers a batch its transaction applied entirely without the batch processor\'s per-record pass', async () => {
    // GIVEN
    const processRecord = jest.spyOn(BatchProcessor.prototype, 'processRecord');
    const { handler, metrics } = writer(noop, { mode: 'batch', ensureTable: false });
    const records = Array.from({ length: 120 }, (_, i) => sqsRecord({ key: `k${i}`, body: { i }, correlationId: `corr-${i % 60}` }));
    try {
      // WHEN
      const response = await handler(sqsEvent(...records));
      // THEN every record is applied, none went through the per-record pass, and the metrics are those of the batch
      expect(response.batchItemFailures).toEqual([]);
      expect(processRecord).toHaveBeenCalledTimes(0);
      expect(metrics.published[0].metrics).toMatchObject({ WritesApplied: 120, DuplicatesSkipped: 0, PoisonMessages: 0 });
      expect(metrics.published[0].metadata.correlation_ids.split(',')).toEqual(Array.from({ length: 50 }, (_, i) => `corr-${i}`));
    } finally {
      processRecord.mockRestore();
    }
  });

  test('batch mode still runs the per-record pass when one record failed: the failure is dead-lettered, the rest applied', async () => {
    // GIVEN
    const processRecord = jest.spyOn(BatchProcessor.prototype, 'processRecord');
    const { handler, db, metrics } = writer(noop, { mode: 'batch', ensureTable: false });
    const records = [sqsRecord({ key: 'a', body: {} }), sqsRecord({ key: 'b', body: 'not json', messageId: 'bad' }), sqsRecord({ key: 'c', body: {} })];
    try {
      // WHEN
      const response = await handler(sqsEvent(...records));
      // THEN
      expect(response.batchItemFailures).toEqual([]);
      expect(processRecord).toHaveBeenCalledTimes(3);
      expect([...db.keys].sort()).toEqual(['a', 'c']);
      expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageAttributes?.['eda-original-message-id']?.StringValue)).toEqual(['bad']);
      expect(metrics.published[0].metrics).toMatchObject({ WritesApplied: 2, PoisonMessages: 1 });
    } finally {
      processRecord.mockRestore();
    }
  });

  test('reads the queue settings from the environment once per invocation', async () => {
    // GIVEN a transient failure, which needs the queue URL and the backoff
    const env = process.env;
    let reads = 0;
    process.env = new Proxy({ ...env }, {
      get: (target, name) => {
        if (name === 'EDA_WRITE_QUEUE_FIFO') reads++;
        return target[name as string];
      },
    });
    try {
      const { handler } = writer(async () => {
        throw Object.assign(new Error('deadlock'), { code: '40P01' });
      }, { ensureTable: false });
      // WHEN
      const response = await handler(sqsEvent(sqsRecord({ key: 'k', body: {}, messageId: 'm1' })));
      // THEN
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
      expect(reads).toBe(1);
    } finally {
      process.env = env;
    }
  });

  test('per-message mode logs skipped duplicates once per invocation, not once per message', async () => {
    // GIVEN
    const { handler, db, logger, metrics } = writer(noop, { ensureTable: false });
    for (const key of ['d1', 'd2', 'd3']) db.keys.add(key);
    // WHEN
    await handler(sqsEvent(sqsRecord({ key: 'd1', body: {} }), sqsRecord({ key: 'd2', body: {} }), sqsRecord({ key: 'd3', body: {} }), sqsRecord({ key: 'n', body: {} })));
    // THEN
    expect(logger.lines('info').map((e) => [e.message, e.extra])).toEqual([['duplicate writes skipped', { duplicates: 3 }]]);
    expect(metrics.published[0].metrics).toMatchObject({ WritesApplied: 1, DuplicatesSkipped: 3 });
  });

  test('bodyFingerprint is the SHA-256 of the body\'s UTF-8 bytes, whichever hash API computes it', () => {
    for (const body of ['{"id":"o-1"}', '{"name":"Müller 🚀"}', 'lone \ud800 surrogate', '']) {
      expect(bodyFingerprint(body)).toBe(createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'));
    }
  });
});
