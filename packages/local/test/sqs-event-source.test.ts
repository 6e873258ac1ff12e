import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { Client } from 'pg';
import { LocalFunction } from '../src/local-function';
import { LocalStack } from '../src/local-stack';
import { LocalSqsEventSource, recordsToDelete } from '../src/sqs-event-source';

const record = (messageId: string) => ({ messageId } as SQSRecord);

describe('recordsToDelete (partial batch response rules)', () => {
  const batch = [record('a'), record('b'), record('c')];

  test('GIVEN no response THEN every record is deleted', () => {
    expect(recordsToDelete(batch, null, true).map((r) => r.messageId)).toEqual(['a', 'b', 'c']);
  });

  test('GIVEN batchItemFailures THEN only the other records are deleted', () => {
    expect(recordsToDelete(batch, { batchItemFailures: [{ itemIdentifier: 'b' }] }, true).map((r) => r.messageId)).toEqual(['a', 'c']);
  });

  test('GIVEN an unknown itemIdentifier THEN the whole batch counts as failed', () => {
    expect(recordsToDelete(batch, { batchItemFailures: [{ itemIdentifier: 'zzz' }] }, true)).toEqual([]);
  });

  test('GIVEN an empty itemIdentifier THEN the whole batch counts as failed', () => {
    expect(recordsToDelete(batch, { batchItemFailures: [{ itemIdentifier: '' }] }, true)).toEqual([]);
  });

  test('GIVEN ReportBatchItemFailures is off THEN batchItemFailures are ignored', () => {
    expect(recordsToDelete(batch, { batchItemFailures: [{ itemIdentifier: 'b' }] }, false)).toHaveLength(3);
  });
});

describe('GIVEN a local stack, a local function and the local SQS event source', () => {
  let stack: LocalStack | undefined;
  let sqs: SQSClient;
  let db: Client;
  let fn: LocalFunction;
  let source: LocalSqsEventSource;

  const send = async (bodies: Array<{ key: string; action: string }>) => {
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({
        QueueUrl: stack!.sqs.queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: JSON.stringify(body) })),
      }));
    }
  };

  beforeAll(async () => {
    // Visibility 2 s and redrive after 2 receives keep retries inside the test's time budget.
    stack = await LocalStack.up({ visibilityTimeoutSeconds: 2, maxReceiveCount: 2 });
    sqs = stack.sqs.createClient();
    db = new Client({ connectionString: stack.postgres.connectionString });
    await db.connect();
    await db.query('create table seen(key text primary key, receives int not null, pid int not null)');
    fn = new LocalFunction({
      handlerModule: join(__dirname, 'fixtures', 'recording-handler.ts'),
      environment: stack.environment(),
      timeoutMs: 1_500,
      maxEnvironments: 2,
    });
    await fn.warm();
    source = new LocalSqsEventSource({ client: sqs, queueUrl: stack.sqs.queueUrl, target: fn, maxConcurrency: 2, waitTimeSeconds: 1 });
    await source.start();
  }, 30_000);

  afterAll(async () => {
    await source?.stop();
    await fn?.close();
    await db?.end().catch(() => undefined);
    sqs?.destroy();
    await stack?.down();
  }, 30_000);

  test('WHEN 30 records succeed THEN each is applied once and deleted from the queue', async () => {
    await send(Array.from({ length: 30 }, (_, i) => ({ key: `ok-${i}`, action: 'ok' })));
    await source.waitUntilDrained(20_000);
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from seen where key like 'ok-%' and receives = 1");
    expect(rows[0].n).toBe(30);
  }, 30_000);

  test('WHEN a record is reported in batchItemFailures THEN it is redriven to the DLQ after maxReceiveCount', async () => {
    await send([{ key: 'poison', action: 'fail' }]);
    await source.waitUntilDrained(20_000);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: stack!.sqs.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
    }));
    expect(Messages?.map((m) => JSON.parse(m.Body!).key)).toEqual(['poison']);
  }, 30_000);

  test('WHEN an invocation outlives the timeout THEN it is killed and its batch is delivered again', async () => {
    const before = fn.stats;
    await send([{ key: 'slow', action: 'hang' }]);
    await source.waitUntilDrained(20_000);
    const { rows } = await db.query<{ receives: number; pid: number }>("select receives, pid from seen where key = 'slow'");
    expect({ receives: rows[0]?.receives, timeouts: fn.stats.timeouts - before.timeouts }).toEqual({ receives: 2, timeouts: 1 });
  }, 30_000);
});
