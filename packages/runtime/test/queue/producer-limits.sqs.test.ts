import { CreateQueueCommand, DeleteMessageBatchCommand, Message, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalSqs, startSqs } from '../../../local/src/sqs-server';
import { EnqueueError } from '../../src/errors';
import { MAX_FIFO_ID_LENGTH } from '../../src/queue/fifo-ids';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, messageBytes } from '../../src/queue/message-size';
import { enqueueWrite, enqueueWrites } from '../../src/queue/producer';
import { useSqsClient } from '../../src/queue/sqs-client';

/*
 * EDA-12 defect 1 (producer) against the local SQS (local-aws-sqs), which enforces SQS's FIFO id rules
 * ("1 to 128 in length", alphanumeric and punctuation) and the 1,048,576-byte batch limit (BatchRequestTooLong).
 */
let sqs: LocalSqs;
let client: SQSClient;
let fifoQueueUrl: string;
const noSleep = async () => undefined;

beforeAll(async () => {
  sqs = await startSqs({ queueName: 'producer-limits' });
  client = sqs.createClient();
  const created = await client.send(new CreateQueueCommand({ QueueName: 'producer-limits.fifo', Attributes: { FifoQueue: 'true' } }));
  fifoQueueUrl = created.QueueUrl!;
});

afterAll(async () => {
  useSqsClient(undefined);
  client?.destroy();
  await sqs?.stop();
});

let sends: jest.SpyInstance;
beforeEach(() => {
  useSqsClient(client);
  sends = jest.spyOn(client, 'send');
});
afterEach(() => sends.mockRestore());

/** Receives and deletes (bounded) until `expected` messages arrived or a receive came back empty. */
async function drain(queueUrl: string, expected: number): Promise<Message[]> {
  const received: Message[] = [];
  for (let call = 0; call < expected + 2 && received.length <= expected; call++) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }));
    if (!out.Messages?.length) break;
    received.push(...out.Messages);
    const entries = out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  return received;
}

const keyOf = (m: Message) => m.MessageAttributes?.['eda-idempotency-key']?.StringValue;
const batchCalls = () => sends.mock.calls
  .filter(([command]) => command instanceof SendMessageBatchCommand)
  .map(([command]) => command.input.Entries.length);

describe('EDA-12.1a producer: FIFO ids valid for every idempotency key', () => {
  const awkwardKeys = ['k'.repeat(129), 'x'.repeat(255), 'заказ-42', 'order 42', 'Ä'.repeat(200)];

  test('enqueueWrites enqueues keys of 129 and 255 characters, Cyrillic and spaces on a FIFO queue, keys kept in their attribute', async () => {
    await enqueueWrites(awkwardKeys.map((idempotencyKey, i) => ({ body: { i }, idempotencyKey })), { sleep: noSleep }, { queueUrl: fifoQueueUrl });

    const received = await drain(fifoQueueUrl, awkwardKeys.length);
    expect(received.map(keyOf).sort()).toEqual([...awkwardKeys].sort());
  });

  test('enqueueWrite enqueues the same keys one by one', async () => {
    for (const idempotencyKey of awkwardKeys) await enqueueWrite({ single: true }, { idempotencyKey }, { queueUrl: fifoQueueUrl });

    const received = await drain(fifoQueueUrl, awkwardKeys.length);
    expect(received.map(keyOf).sort()).toEqual([...awkwardKeys].sort());
  });

  test('the deduplication id is stable per key: a resend of one key is dropped by SQS, another key is not', async () => {
    await enqueueWrite({ n: 1 }, { idempotencyKey: 'ключ 1' }, { queueUrl: fifoQueueUrl });
    await enqueueWrite({ n: 2 }, { idempotencyKey: 'ключ 1' }, { queueUrl: fifoQueueUrl });
    await enqueueWrite({ n: 3 }, { idempotencyKey: 'ключ 2' }, { queueUrl: fifoQueueUrl });

    const received = await drain(fifoQueueUrl, 3);
    expect(received.map(keyOf).sort()).toEqual(['ключ 1', 'ключ 2']);
  });

  test(`an explicit group id of ${MAX_FIFO_ID_LENGTH} valid characters is used as it is; one of ${MAX_FIFO_ID_LENGTH + 1} is hashed and still enqueued`, async () => {
    const valid = 'g'.repeat(MAX_FIFO_ID_LENGTH);
    const tooLongGroup = 'g'.repeat(MAX_FIFO_ID_LENGTH + 1);
    await enqueueWrites([{ body: {}, idempotencyKey: 'a', messageGroupId: valid }, { body: {}, idempotencyKey: 'b', messageGroupId: tooLongGroup }],
      { sleep: noSleep }, { queueUrl: fifoQueueUrl });

    const entries = sends.mock.calls.find(([command]) => command instanceof SendMessageBatchCommand)![0].input.Entries;
    expect(entries[0].MessageGroupId).toBe(valid);
    expect(entries[1].MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
    expect((await drain(fifoQueueUrl, 2)).map(keyOf).sort()).toEqual(['a', 'b']);
  });
});

describe('EDA-12.1b producer: batches packed by size within SQS limits', () => {
  const body150k = (i: number) => ({ i, pad: 'p'.repeat(150 * 1024) });

  test('ten valid 150 KB entries are all enqueued, in calls of at most 1 MiB', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ body: body150k(i), idempotencyKey: `big-${i}` }));

    await enqueueWrites(entries, { sleep: noSleep }, { queueUrl: sqs.queueUrl });

    expect(batchCalls()).toEqual([6, 4]);
    expect((await drain(sqs.queueUrl, 10)).map(keyOf).sort()).toEqual(entries.map((e) => e.idempotencyKey).sort());
  });

  /** A body whose message (body + the key attribute) is exactly `bytes` bytes. */
  function bodyOfMessageBytes(key: string, bytes: number): string {
    const overhead = messageBytes('""', { 'eda-idempotency-key': { DataType: 'String', StringValue: key } });
    return 'b'.repeat(bytes - overhead);
  }

  test(`two messages of exactly ${MAX_BATCH_BYTES} bytes in total share one call; one byte more and they take two`, async () => {
    await enqueueWrites([
      { body: bodyOfMessageBytes('s1', 524_288), idempotencyKey: 's1' },
      { body: bodyOfMessageBytes('s2', 524_288), idempotencyKey: 's2' },
    ], { sleep: noSleep }, { queueUrl: sqs.queueUrl });
    await enqueueWrites([
      { body: bodyOfMessageBytes('s3', 524_288), idempotencyKey: 's3' },
      { body: bodyOfMessageBytes('s4', 524_289), idempotencyKey: 's4' },
    ], { sleep: noSleep }, { queueUrl: sqs.queueUrl });

    expect(batchCalls()).toEqual([2, 1, 1]);
    expect((await drain(sqs.queueUrl, 4)).map(keyOf).sort()).toEqual(['s1', 's2', 's3', 's4']);
  });

  test(`a message of ${MAX_MESSAGE_BYTES} bytes is enqueued; one of ${MAX_MESSAGE_BYTES + 1} is an EnqueueError naming it, the others still enqueued`, async () => {
    const attempt = enqueueWrites([
      { body: bodyOfMessageBytes('max', MAX_MESSAGE_BYTES), idempotencyKey: 'max' },
      { body: bodyOfMessageBytes('over', MAX_MESSAGE_BYTES + 1), idempotencyKey: 'over' },
      { body: { small: true }, idempotencyKey: 'small' },
    ], { sleep: noSleep }, { queueUrl: sqs.queueUrl });

    await expect(attempt).rejects.toBeInstanceOf(EnqueueError);
    const error = await attempt.then(() => undefined, (e: EnqueueError) => e) as EnqueueError;
    expect(error.failed).toEqual([{
      idempotencyKey: 'over',
      code: 'MessageTooLong',
      senderFault: true,
      message: `message is ${MAX_MESSAGE_BYTES + 1} bytes (body + attributes); SQS accepts at most ${MAX_MESSAGE_BYTES}`,
    }]);
    expect(error.enqueued).toEqual(['max', 'small']);
    expect((await drain(sqs.queueUrl, 2)).map(keyOf).sort()).toEqual(['max', 'small']);
  });

  test(`enqueueWrite: ${MAX_MESSAGE_BYTES} bytes are sent; ${MAX_MESSAGE_BYTES + 1} are an EnqueueError before any call`, async () => {
    await enqueueWrite(bodyOfMessageBytes('one-max', MAX_MESSAGE_BYTES), { idempotencyKey: 'one-max' }, { queueUrl: sqs.queueUrl });
    const attempt = enqueueWrite(bodyOfMessageBytes('one-over', MAX_MESSAGE_BYTES + 1), { idempotencyKey: 'one-over' }, { queueUrl: sqs.queueUrl });

    await expect(attempt).rejects.toMatchObject({ name: 'EnqueueError', failed: [{ idempotencyKey: 'one-over', code: 'MessageTooLong' }], enqueued: [] });
    expect(sends.mock.calls).toHaveLength(1);
    expect((await drain(sqs.queueUrl, 1)).map(keyOf)).toEqual(['one-max']);
  });

  test('a multi-byte body is measured in UTF-8 bytes, not characters', async () => {
    // 600,000 Cyrillic letters = 1,200,000 bytes: over the limit although under 1,048,576 characters.
    const attempt = enqueueWrites([{ body: 'я'.repeat(600_000), idempotencyKey: 'cyr' }], { sleep: noSleep }, { queueUrl: sqs.queueUrl });
    await expect(attempt).rejects.toMatchObject({ failed: [{ idempotencyKey: 'cyr', code: 'MessageTooLong' }], enqueued: [] });
  });
});

describe('EDA-12.1c producer: every failure is an EnqueueError listing enqueued and failed keys', () => {
  test('a call SQS refuses as a whole (queue that does not exist) fails its keys, reported with the keys already enqueued', async () => {
    // Two batches (10 + 2): the spy sends the second to a queue that does not exist, which SQS refuses as a whole.
    const entries = Array.from({ length: 12 }, (_, i) => ({ body: { i }, idempotencyKey: `c-${i}` }));
    let calls = 0;
    const original = (command: any) => (SQSClient.prototype.send as (c: any) => Promise<any>).call(client, command);
    sends.mockImplementation(async (command: any) => {
      if (command instanceof SendMessageBatchCommand && ++calls === 2) {
        return original(new SendMessageBatchCommand({ ...command.input, QueueUrl: `${sqs.endpoint}/123456789012/missing-queue` }));
      }
      return original(command);
    });

    const error = await enqueueWrites(entries, { sleep: noSleep, maxAttempts: 1 }, { queueUrl: sqs.queueUrl }).catch((e) => e);

    expect(error).toBeInstanceOf(EnqueueError);
    expect(error.enqueued).toEqual(entries.slice(0, 10).map((e) => e.idempotencyKey));
    expect(error.failed.map((f: any) => f.idempotencyKey)).toEqual(['c-10', 'c-11']);
    expect(error.failed[0].senderFault).toBe(true);
    expect((await drain(sqs.queueUrl, 10))).toHaveLength(10);
  });
});
