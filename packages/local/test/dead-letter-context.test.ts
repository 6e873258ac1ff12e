import { Message, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue, ORDERS_DDL, startWriter, withConnection } from './writer-harness';
import { ATTRIBUTES } from '../../runtime/src/queue/message-attributes';
import { LocalStack } from '../src/local-stack';
import { messageSizeBytes, SQS_MAXIMUM_MESSAGE_SIZE_BYTES } from '../src/sqs-fidelity';

// EDA-11 #6: the writer's dead-letter copy keeps the producer's attributes and carries its error context even
// when the poison message is within 1 KB of SQS's 1 MiB limit. Real writer, local SQS (sizes counted in bytes).

let stack: LocalStack | undefined;
let sqs: SQSClient;
let deadLetters: Message[];
let received: Map<string, number>;

const attributesOf = (key: string) => ({
  [ATTRIBUTES.idempotencyKey]: { DataType: 'String', StringValue: key },
  [ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: `corr-${key}` },
  'tenant-id': { DataType: 'String', StringValue: 'acme' },
});

/** A rejected order whose body + attributes are `size` bytes, with a 2,000-character rejection message. */
function rejectedOrder(key: string, size: number) {
  const base = { id: key, total: 1, reject: `rejected: ${'r'.repeat(2_000)}`, pad: '' };
  const overhead = messageSizeBytes({ MessageBody: JSON.stringify(base), MessageAttributes: attributesOf(key) });
  return JSON.stringify({ ...base, pad: 'p'.repeat(size - overhead) });
}

beforeAll(async () => {
  // 30 s: reading and re-sending a 1 MiB message on this shared machine must finish well within the visibility.
  stack = await LocalStack.up({ visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  sqs = stack.sqs.createClient();
  await withConnection(stack.postgres.connectionString, (db) => db.query(ORDERS_DDL));
  const messages = [
    { key: 'tenant-poison', body: JSON.stringify({ id: 'tenant-poison', total: 1, reject: 'rule 7' }) },
    { key: 'big-poison', body: rejectedOrder('big-poison', SQS_MAXIMUM_MESSAGE_SIZE_BYTES - 1024) },
  ];
  for (const { key, body } of messages) {
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.sqs.queueUrl, MessageBody: body, MessageAttributes: attributesOf(key) }));
  }
  received = new Map();
  const run = await startWriter(stack, sqs, {
    mode: 'per-message',
    onDelivery: (records) => records.forEach((r) => received.set(r.messageId, (received.get(r.messageId) ?? 0) + 1)),
  });
  try {
    await run.source.waitUntilDrained(60_000);
  } finally {
    await run.stop();
  }
  deadLetters = await drainQueue(sqs, stack.sqs.deadLetterQueueUrl);
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await stack?.down();
}, 30_000);

const attribute = (m: Message | undefined, name: string) => m?.MessageAttributes?.[name]?.StringValue;
const byKey = (key: string) => deadLetters.filter((m) => attribute(m, ATTRIBUTES.idempotencyKey) === key);

test('THEN each poison message was received once and dead-lettered by the writer exactly once', () => {
  expect({ receives: [...received.values()], deadLetters: deadLetters.length, tenant: byKey('tenant-poison').length, big: byKey('big-poison').length })
    .toEqual({ receives: [1, 1], deadLetters: 2, tenant: 1, big: 1 });
});

test('THEN the dead-letter copy keeps the producer\'s tenant-id and carries the error context', () => {
  const [copy] = byKey('tenant-poison');
  expect(Object.fromEntries(['tenant-id', ATTRIBUTES.correlationId, ATTRIBUTES.errorClass, ATTRIBUTES.errorCode, ATTRIBUTES.errorMessage, ATTRIBUTES.attempts]
    .map((name) => [name, attribute(copy, name)]))).toEqual({
    'tenant-id': 'acme',
    [ATTRIBUTES.correlationId]: 'corr-tenant-poison',
    [ATTRIBUTES.errorClass]: 'permanent',
    [ATTRIBUTES.errorCode]: 'ORDER_REJECTED',
    [ATTRIBUTES.errorMessage]: 'rule 7',
    [ATTRIBUTES.attempts]: '1',
  });
});

test('THEN the poison of (1 MiB − 1 KB) keeps its body and tenant-id, with the error message cut to fit 1 MiB', () => {
  const [copy] = byKey('big-poison');
  const message = attribute(copy, ATTRIBUTES.errorMessage) ?? '';
  expect({
    body: copy?.Body === rejectedOrder('big-poison', SQS_MAXIMUM_MESSAGE_SIZE_BYTES - 1024),
    tenant: attribute(copy, 'tenant-id'),
    errorClass: attribute(copy, ATTRIBUTES.errorClass),
    errorCode: attribute(copy, ATTRIBUTES.errorCode),
    messageIsAPrefix: message.length > 0 && 'rejected: '.concat('r'.repeat(2_000)).startsWith(message),
    truncated: message.length < 1024,
    size: messageSizeBytes({ MessageBody: copy?.Body, MessageAttributes: copy?.MessageAttributes as never }) <= SQS_MAXIMUM_MESSAGE_SIZE_BYTES,
  }).toEqual({ body: true, tenant: 'acme', errorClass: 'permanent', errorCode: 'ORDER_REJECTED', messageIsAPrefix: true, truncated: true, size: true });
});
