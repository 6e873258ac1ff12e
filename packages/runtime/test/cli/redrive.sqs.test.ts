import {
  CreateQueueCommand, GetQueueAttributesCommand, Message, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { eda } from './cli-fixture';
import { LocalSqs, startSqs } from '../../../local/src/sqs-server';
import { useSqsClient } from '../../src/queue/sqs-client';
import { sendToDeadLetterQueue } from '../../src/writer/failure-routing';
import { sqsRecord } from '../support/fakes';

/*
 * EDA-12 defect 4 against the local SQS (local-aws-sqs), which runs message move tasks (StartMessageMoveTask,
 * ListMessageMoveTasks) and fails one with CouldNotDetermineMessageSource on a message that has no
 * DeadLetterQueueSourceArn, as SQS does. The assertions count messages per queue, not receive counts
 * (local-aws-sqs 2.0.2 also counts ChangeMessageVisibility as a receive).
 */
let sqs: LocalSqs;
let client: SQSClient;
const ARN_PREFIX = 'arn:aws:sqs:us-east-1:123456789012';

beforeEach(async () => {
  sqs = await startSqs({ queueName: 'redrive-writes', visibilityTimeoutSeconds: 1, maxReceiveCount: 1 });
  client = sqs.createClient();
  // Messages the failed task had received come back after this (the emulator keeps them in flight).
  await client.send(new SetQueueAttributesCommand({ QueueUrl: sqs.deadLetterQueueUrl, Attributes: { VisibilityTimeout: '1' } }));
  useSqsClient(client);
});

afterEach(async () => {
  useSqsClient(undefined);
  client.destroy();
  await sqs.stop();
});

const env = () => ({ AWS_REGION: sqs.region, AWS_ENDPOINT_URL_SQS: sqs.endpoint });
// The SDK reads AWS_ENDPOINT_URL_SQS from process.env too: set it there, so any SQS client of the CLI talks to the local SQS.
beforeEach(() => { process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint; });
afterEach(() => { delete process.env.AWS_ENDPOINT_URL_SQS; });

async function count(queueUrl: string): Promise<number> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes!.ApproximateNumberOfMessages) + Number(out.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function receiveAll(queueUrl: string, expected: number, visibilitySeconds = 30): Promise<Message[]> {
  const received: Message[] = [];
  for (let call = 0; call < expected + 2 && received.length < expected; call++) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibilitySeconds, MessageAttributeNames: ['All'], AttributeNames: ['All'] }));
    if (!out.Messages?.length) break;
    received.push(...out.Messages);
  }
  return received;
}

/** Dead-letters `n` messages through the redrive policy: received once (maxReceiveCount 1), not deleted → moved by SQS. */
async function deadLetterByPolicy(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: JSON.stringify({ policy: i }), MessageAttributes: { 'eda-idempotency-key': { DataType: 'String', StringValue: `policy-${i}` } } }));
  }
  await receiveAll(sqs.queueUrl, n, 1);
  for (let attempt = 0; attempt < 50 && await count(sqs.deadLetterQueueUrl) < n; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Dead-letters `n` messages the way the writer does (sendToDeadLetterQueue after a permanent failure). */
async function deadLetterByWriter(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const record = sqsRecord({ body: { writer: i }, key: `writer-${i}`, queueArn: `${ARN_PREFIX}:redrive-writes` });
    await sendToDeadLetterQueue(record, { errorClass: 'permanent', code: '23514', message: 'check violation' } as any, sqs.deadLetterQueueUrl);
  }
}

describe('EDA-12.4 eda redrive against the local SQS', () => {
  test('default mode moves the writer\'s own dead letters and the redrive policy\'s alike: 10 of 10, exit 0', async () => {
    await deadLetterByPolicy(5);
    await deadLetterByWriter(5);
    expect({ dlq: await count(sqs.deadLetterQueueUrl), queue: await count(sqs.queueUrl) }).toEqual({ dlq: 10, queue: 0 });

    const result = await eda(['redrive', '--dlq', sqs.deadLetterQueueUrl, '--poll-seconds', '1', '--wait-seconds', '2'], { env: env() });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message move task FAILED (CouldNotDetermineMessageSource)');
    expect(result.stdout).toContain('done: 10 message(s) moved');
    const back = await receiveAll(sqs.queueUrl, 10);
    expect(back.map((m) => m.MessageAttributes?.['eda-idempotency-key']?.StringValue).sort()).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `policy-${i}`), ...Array.from({ length: 5 }, (_, i) => `writer-${i}`),
    ].sort());
    expect(await count(sqs.deadLetterQueueUrl)).toBe(0);
  });

  test('the writer\'s dead-letter copy names its source queue', async () => {
    await deadLetterByWriter(1);
    const [copy] = await receiveAll(sqs.deadLetterQueueUrl, 1);
    expect(copy.MessageAttributes?.['eda-source-queue-arn']?.StringValue).toBe(`${ARN_PREFIX}:redrive-writes`);
  });

  test('a dead letter whose source cannot be determined stays in the DLQ and the exit code is 1', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: sqs.deadLetterQueueUrl, MessageBody: '{"orphan":true}' }));
    // A second queue with the same DLQ: the DLQ has no single source to fall back to.
    await client.send(new CreateQueueCommand({ QueueName: 'other-writes', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ARN_PREFIX}:redrive-writes-dlq`, maxReceiveCount: 5 }) } }));

    const result = await eda(['redrive', '--dlq', sqs.deadLetterQueueUrl, '--poll-seconds', '1', '--wait-seconds', '2'], { env: env() });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 message(s) not moved and left in the dead-letter queue');
    expect({ dlq: await count(sqs.deadLetterQueueUrl), queue: await count(sqs.queueUrl) }).toEqual({ dlq: 1, queue: 0 });
  });
});

describe('EDA-12.4 FIFO redrive against the local SQS', () => {
  test('replays in order with the original group and a fresh deduplication id; the DLQ is emptied', async () => {
    const fifo = (await client.send(new CreateQueueCommand({ QueueName: 'orders.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const fifoDlq = (await client.send(new CreateQueueCommand({ QueueName: 'orders-dlq.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '1' } }))).QueueUrl!;
    for (let i = 0; i < 3; i++) {
      const record = sqsRecord({ body: { seq: i }, key: `k-${i}`, queueArn: `${ARN_PREFIX}:orders.fifo`, messageGroupId: 'customer-1' });
      await sendToDeadLetterQueue(record, { errorClass: 'permanent', code: 'X', message: 'x' } as any, fifoDlq);
    }
    const originals = await receiveAll(fifoDlq, 3, 1);
    await new Promise((resolve) => setTimeout(resolve, 1200));

    const result = await eda(['redrive', '--dlq', fifoDlq, '--wait-seconds', '1'], { env: env() });

    expect(result.code).toBe(0);
    const replayed = await receiveAll(fifo, 3);
    expect(replayed.map((m) => [m.Body, m.Attributes?.MessageGroupId, m.MessageAttributes?.['eda-replay-attempt']?.StringValue])).toEqual([
      ['{"seq":0}', 'customer-1', '1'], ['{"seq":1}', 'customer-1', '1'], ['{"seq":2}', 'customer-1', '1'],
    ]);
    const originalIds = new Set(originals.map((m) => m.Attributes?.MessageDeduplicationId));
    expect(replayed.filter((m) => originalIds.has(m.Attributes?.MessageDeduplicationId))).toEqual([]);
    expect(await count(fifoDlq)).toBe(0);
  });
});
