import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Client } from 'pg';
import { drainQueue, order, orderCounts, ORDERS_DDL, OutgoingMessage, sendAll, startWriter, testNoPinning, WriterRun } from './writer-harness';
import { ATTRIBUTES } from '../../runtime/src/queue/message-attributes';
import { LocalStack } from '../src/local-stack';

// Thousands of writes, 2.5 % duplicate deliveries and a few poison messages through the local queue and the real
// writer (sqlWriter), in both transaction layouts. Per-message mode runs 2,000: one transaction per message is
// round-trip bound (≈ 50–100 messages/s here on a shared core), and what it proves — each key once, duplicates
// skipped, exactly the poison dead-lettered — does not grow with the count; batch mode runs 10,000.
const UNIQUE_WRITES = { 'per-message': 2_000, 'batch': 10_000 } as const;
const DUPLICATE_EVERY = 40; // 2.5 %
const POISON_MESSAGES = 5;
const NEGATIVE_TOTALS = 3; // violate the check constraint: SQLSTATE 23514, permanent

let stack: LocalStack | undefined;
let sqs: SQSClient;
let db: Client;

beforeAll(async () => {
  stack = await LocalStack.up({ visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  sqs = stack.sqs.createClient();
  db = new Client({ connectionString: stack.postgres.connectionString });
  await db.connect();
  await db.query(ORDERS_DDL);
}, 30_000);

afterAll(async () => {
  await db?.end().catch(() => undefined);
  sqs?.destroy();
  await stack?.down();
}, 30_000);

describe.each([
  ['per-message', '2,000 writes, 50 duplicates'],
  ['batch', '10,000 writes, 250 duplicates'],
] as const)('GIVEN %s mode, %s and 5 poison messages', (mode, _volume) => {
  const prefix = `${mode}-`;
  const uniqueWrites = UNIQUE_WRITES[mode];
  const duplicateCount = uniqueWrites / DUPLICATE_EVERY;
  let run: WriterRun | undefined;
  let deadLetters: Message[];
  let leftOver: { visible: number; inFlight: number };

  beforeAll(async () => {
    const writes = Array.from({ length: uniqueWrites }, (_, i) => order(`${prefix}${i}`, i % 100));
    // Every 40th write is delivered twice, the copy later in the stream (a producer retry, an SQS redelivery).
    const duplicates = writes.filter((_, i) => i % DUPLICATE_EVERY === 0);
    const poison: OutgoingMessage[] = [
      { body: '{not json', idempotencyKey: `${prefix}bad-json` },
      { body: JSON.stringify({ id: `${prefix}no-key`, total: 1 }) },
      ...Array.from({ length: NEGATIVE_TOTALS }, (_, i) => order(`${prefix}negative-${i}`, -1)),
    ];
    const stream: OutgoingMessage[] = [];
    // The poison spread evenly through the stream.
    const spacing = uniqueWrites / POISON_MESSAGES;
    writes.forEach((write, i) => {
      stream.push(write);
      if (i % spacing === spacing / 2) stream.push(poison[(i - spacing / 2) / spacing]);
    });
    stream.push(...duplicates);
    await sendAll(sqs, stack!.sqs.queueUrl, stream);

    run = await startWriter(stack!, sqs, { mode, concurrency: 2 });
    try {
      await run.source.waitUntilDrained(120_000);
    } finally {
      await run.stop();
    }
    leftOver = await run.source.depth();
    deadLetters = await drainQueue(sqs, stack!.sqs.deadLetterQueueUrl);
  }, 180_000);

  test('THEN every key is applied exactly once', async () => {
    expect(await orderCounts(db, `${prefix}`)).toEqual({ rows: uniqueWrites, distinct: uniqueWrites, doubled: 0 });
  });

  test('THEN the queue is empty', () => {
    expect(leftOver).toEqual({ visible: 0, inFlight: 0 });
  });

  test('THEN the writer counts every duplicate delivery as skipped', () => {
    expect(run!.metrics).toMatchObject({ WritesApplied: uniqueWrites, DuplicatesSkipped: duplicateCount });
  });

  test('THEN exactly the poison messages are in the DLQ', () => {
    const attribute = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;
    expect(deadLetters.map((m) => attribute(m, ATTRIBUTES.errorCode)).sort()).toEqual(
      ['23514', '23514', '23514', 'EDA_BAD_JSON', 'EDA_MISSING_IDEMPOTENCY_KEY']);
  });

  test('THEN every dead letter carries its replay context', () => {
    for (const message of deadLetters) {
      const attributes = message.MessageAttributes ?? {};
      expect({
        errorClass: attributes[ATTRIBUTES.errorClass]?.StringValue,
        hasMessage: (attributes[ATTRIBUTES.errorMessage]?.StringValue ?? '').length > 0,
        attempts: attributes[ATTRIBUTES.attempts]?.StringValue,
        hasOriginalId: (attributes[ATTRIBUTES.originalMessageId]?.StringValue ?? '').length > 0,
      }).toEqual({ errorClass: 'permanent', hasMessage: true, attempts: '1', hasOriginalId: true });
    }
  });

  test('THEN dead letters of keyed writes keep their idempotency and correlation ids', () => {
    const negative = deadLetters.filter((m) => m.MessageAttributes?.[ATTRIBUTES.errorCode]?.StringValue === '23514');
    expect(negative.map((m) => [
      m.MessageAttributes?.[ATTRIBUTES.idempotencyKey]?.StringValue,
      m.MessageAttributes?.[ATTRIBUTES.correlationId]?.StringValue,
    ]).sort()).toEqual([0, 1, 2].map((i) => [`${prefix}negative-${i}`, `corr-${prefix}negative-${i}`]));
  });

  test('THEN the writer counts the poison messages', () => {
    expect(run!.metrics.PoisonMessages).toBe(5);
  });
});

describe('GIVEN every run above', () => {
  testNoPinning(() => stack);
});
