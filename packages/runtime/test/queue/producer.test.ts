import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EnqueueError, MissingIdempotencyKeyError } from '../../src/errors';
import { setCorrelationId } from '../../src/observability/correlation';
import { enqueueWrite, enqueueWrites } from '../../src/queue/producer';
import { useSqsClient } from '../../src/queue/sqs-client';
import { RecordingLogger } from '../support/fakes';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes';
const FIFO_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-writes.fifo';
const noSleep = async () => undefined;

beforeEach(() => {
  sqs.reset();
  useSqsClient(new SQSClient({ region: 'eu-west-1' }));
  process.env.EDA_WRITE_QUEUE_URL = QUEUE;
  delete process.env.EDA_WRITE_QUEUE_FIFO;
  setCorrelationId(undefined, new RecordingLogger());
});

afterAll(() => {
  delete process.env.EDA_WRITE_QUEUE_URL;
  useSqsClient(undefined);
});

describe('enqueueWrite', () => {
  test('sends the JSON body with the idempotency key and correlation id as message attributes', async () => {
    // GIVEN
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
    // WHEN
    const id = await enqueueWrite({ orderId: 7 }, { idempotencyKey: 'order-7', correlationId: 'req-1' });
    // THEN
    expect(id).toBe('sqs-1');
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input).toEqual({
      QueueUrl: QUEUE,
      MessageBody: '{"orderId":7}',
      MessageAttributes: {
        'eda-idempotency-key': { DataType: 'String', StringValue: 'order-7' },
        'eda-correlation-id': { DataType: 'String', StringValue: 'req-1' },
      },
    });
  });

  test('defaults the correlation id to the one set for the invocation', async () => {
    // GIVEN
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
    setCorrelationId('from-api', new RecordingLogger());
    // WHEN
    await enqueueWrite({}, { idempotencyKey: 'k' });
    // THEN
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageAttributes?.['eda-correlation-id']?.StringValue).toBe('from-api');
  });

  test('derives the FIFO deduplication id from the idempotency key (SHA-256 hex) and uses the given message group', async () => {
    // GIVEN
    process.env.EDA_WRITE_QUEUE_URL = FIFO_QUEUE;
    process.env.EDA_WRITE_QUEUE_FIFO = 'true';
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
    // WHEN
    await enqueueWrite({}, { idempotencyKey: 'order-7', messageGroupId: 'customer-3' });
    // THEN
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input).toMatchObject({
      QueueUrl: FIFO_QUEUE, MessageDeduplicationId: createHash('sha256').update('order-7').digest('hex'), MessageGroupId: 'customer-3',
    });
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageAttributes?.['eda-idempotency-key']?.StringValue).toBe('order-7');
  });

  test('throws MissingIdempotencyKeyError instead of inventing a key', async () => {
    // WHEN
    const attempt = enqueueWrite({}, { idempotencyKey: '' });
    // THEN
    await expect(attempt).rejects.toBeInstanceOf(MissingIdempotencyKeyError);
    await expect(attempt).rejects.toThrow('missing idempotency key: enqueueWrite has no idempotencyKey');
    expect(sqs.calls()).toHaveLength(0);
  });

  test('throws a ConfigurationError naming EDA_WRITE_QUEUE_URL when it is not set', async () => {
    delete process.env.EDA_WRITE_QUEUE_URL;
    await expect(enqueueWrite({}, { idempotencyKey: 'k' })).rejects.toThrow('EDA_WRITE_QUEUE_URL is required to enqueue writes');
  });
});

describe('enqueueWrites', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ body: { i }, idempotencyKey: `key-${i}` }));

  test('sends 10 entries per SendMessageBatch call', async () => {
    // GIVEN
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    // WHEN
    await enqueueWrites(entries(23), { sleep: noSleep });
    // THEN
    const sizes = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  test('retries only the entries SQS failed on its side', async () => {
    // GIVEN
    sqs.on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }], Successful: [] })
      .resolves({ Failed: [], Successful: [] });
    // WHEN
    await enqueueWrites(entries(3), { sleep: noSleep });
    // THEN
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.Entries?.map((e) => e.MessageAttributes?.['eda-idempotency-key']?.StringValue)).toEqual(['key-1']);
  });

  test('throws EnqueueError with the keys still failing after maxAttempts', async () => {
    // GIVEN
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: 'm0', Code: 'InternalError', Message: 'try later', SenderFault: false }], Successful: [] });
    const sleep = jest.fn(async () => undefined);
    // WHEN
    const attempt = enqueueWrites(entries(2), { maxAttempts: 3, retryDelayMs: 100, sleep });
    // THEN
    await expect(attempt).rejects.toBeInstanceOf(EnqueueError);
    await expect(attempt).rejects.toMatchObject({ failed: [{ idempotencyKey: 'key-0', code: 'InternalError', message: 'try later', senderFault: false }] });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  test('backs off exponentially between attempts', async () => {
    // GIVEN
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: 'm0', Code: 'InternalError', SenderFault: false }], Successful: [] });
    const sleep = jest.fn(async () => undefined);
    // WHEN
    await enqueueWrites(entries(1), { maxAttempts: 3, retryDelayMs: 100, sleep }).catch(() => undefined);
    // THEN
    expect(sleep.mock.calls).toEqual([[100], [200]]);
  });

  test('does not retry an entry SQS rejected as a sender fault', async () => {
    // GIVEN
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: 'm0', Code: 'InvalidMessageContents', SenderFault: true }], Successful: [] });
    // WHEN
    const attempt = enqueueWrites(entries(1), { sleep: noSleep });
    // THEN
    await expect(attempt).rejects.toMatchObject({ failed: [{ idempotencyKey: 'key-0', code: 'InvalidMessageContents', senderFault: true }] });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  test('checks every idempotency key before sending anything', async () => {
    const attempt = enqueueWrites([{ body: {}, idempotencyKey: 'ok' }, { body: {}, idempotencyKey: undefined as unknown as string }]);
    await expect(attempt).rejects.toThrow('missing idempotency key: enqueueWrites entry 1 has no idempotencyKey');
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('enqueueWrites bodies', () => {
  test('a body that JSON cannot represent is rejected before anything is sent, even after 10 valid entries', async () => {
    const valid = Array.from({ length: 10 }, (_, i) => ({ body: { i }, idempotencyKey: `ok-${i}` }));
    const attempt = enqueueWrites([...valid, { body: undefined, idempotencyKey: 'bad' }]);
    await expect(attempt).rejects.toThrow('write bad has a body that is not JSON-serialisable');
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('enqueueWrite bodies', () => {
  test('rejects a body that JSON cannot represent', async () => {
    await expect(enqueueWrite(undefined, { idempotencyKey: 'k' })).rejects.toThrow('write k has a body that is not JSON-serialisable');
  });
});
