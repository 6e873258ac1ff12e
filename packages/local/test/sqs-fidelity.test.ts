import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { messageSizeBytes, SQS_MAXIMUM_MESSAGE_SIZE_BYTES } from '../src/sqs-fidelity';
import { LocalSqs, startSqs } from '../src/sqs-server';

// The local SQS against SQS's documented behaviour (quotes from @aws-sdk/client-sqs dist-types/models/models_0.d.ts
// and dist-types/commands/*.d.ts), before any proof relies on it.

let sqs: LocalSqs | undefined;
let client: SQSClient;
const MAX_RECEIVE_COUNT = 5;

beforeAll(async () => {
  sqs = await startSqs({ queueName: 'fidelity', visibilityTimeoutSeconds: 2, maxReceiveCount: MAX_RECEIVE_COUNT });
  client = sqs.createClient();
}, 30_000);

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

const send = async (body: string, queueUrl = sqs!.queueUrl) =>
  (await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))).MessageId!;

/** Receives the message with `body` (bounded: 40 polls of ≤ 1 s), or undefined; with AttributeNames, which the emulator always knew. */
async function receive(body: string, queueUrl = sqs!.queueUrl, polls = 40): Promise<Message | undefined> {
  for (let i = 0; i < polls; i++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, AttributeNames: ['All'],
    }));
    const found = Messages?.find((m) => m.Body === body);
    if (found) return found;
  }
  return undefined;
}

const receiveCount = (message: Message | undefined) => Number(message?.Attributes?.ApproximateReceiveCount);

describe('ApproximateReceiveCount: "the number of times a message has been received across all queues but not deleted"', () => {
  test('WHEN a message is received twice with four visibility changes in between THEN its receive count is 2', async () => {
    await send('count-me');
    const first = await receive('count-me');
    // Two single changes and two batch changes, the writer's and the event source's calls.
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 1 }));
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 1 }));
    for (let i = 0; i < 2; i++) {
      const result = await client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: sqs!.queueUrl, Entries: [{ Id: 'a', ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: i === 0 ? 1 : 0 }],
      }));
      expect(result.Failed ?? []).toEqual([]);
    }
    const second = await receive('count-me');
    expect([receiveCount(first), receiveCount(second)]).toEqual([1, 2]);
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 }));
  }, 60_000);
});

describe('redrive: "When the ReceiveCount for a message exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to the dead-letter-queue"', () => {
  test('WHEN every receive is followed by ChangeMessageVisibility THEN the message is received exactly maxReceiveCount times, then it is in the DLQ', async () => {
    await send('redrive-me');
    const counts: number[] = [];
    // Bounded: at most 2 × maxReceiveCount receives.
    for (let i = 0; i < 2 * MAX_RECEIVE_COUNT; i++) {
      const message = await receive('redrive-me', sqs!.queueUrl, i < MAX_RECEIVE_COUNT ? 40 : 4);
      if (!message) break;
      counts.push(receiveCount(message));
      // A short backoff, as the writer sets one after a transient failure.
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 1 }));
    }
    const deadLettered = await receive('redrive-me', sqs!.deadLetterQueueUrl);
    expect({ counts, inDeadLetterQueue: deadLettered?.Body }).toEqual({ counts: [1, 2, 3, 4, 5], inDeadLetterQueue: 'redrive-me' });
  }, 90_000);
});

describe('MessageSystemAttributeNames: "To provide attribute names, you are encouraged to use MessageSystemAttributeNames"', () => {
  test('WHEN a receive names system attributes with MessageSystemAttributeNames THEN exactly those are returned', async () => {
    await send('attributes');
    let message: Message | undefined;
    for (let i = 0; i < 40 && !message; i++) {
      const { Messages } = await client.send(new ReceiveMessageCommand({
        QueueUrl: sqs!.queueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }));
      message = Messages?.find((m) => m.Body === 'attributes');
    }
    expect(Object.keys(message?.Attributes ?? {}).sort()).toEqual(['ApproximateReceiveCount', 'SentTimestamp']);
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: message!.ReceiptHandle, VisibilityTimeout: 0 }));
  }, 60_000);
});

describe('ChangeMessageVisibility: "the 10 seconds begin to count from the time that you make the ChangeMessageVisibility call"', () => {
  test('WHEN the visibility of a received message is set to 3 s THEN it stays hidden for at least 3 s after the call', async () => {
    await send('hidden');
    const first = await receive('hidden');
    const changedAt = Date.now();
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 3 }));
    const again = await receive('hidden');
    // SQS's visibility has whole seconds; the emulator keeps it to the millisecond.
    expect({ hiddenForAtLeast3s: Date.now() - changedAt >= 3_000, receiveCount: receiveCount(again) })
      .toEqual({ hiddenForAtLeast3s: true, receiveCount: 2 });
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs!.queueUrl, ReceiptHandle: again!.ReceiptHandle, VisibilityTimeout: 0 }));
  }, 60_000);
});

describe('message size: "All parts of the message attribute, including Name, Type, and Value, are part of the message size restriction (1 MiB or 1,048,576 bytes)"', () => {
  const attributes = { 'tenant-id': { DataType: 'String', StringValue: 'é-tenant' } };
  const attributeBytes = messageSizeBytes({ MessageBody: '', MessageAttributes: attributes });

  test('the size counts attribute names, types and values in UTF-8 bytes', () => {
    // 'tenant-id' (9) + 'String' (6) + 'é-tenant' (9 bytes: é is 2)
    expect(attributeBytes).toBe(24);
  });

  test('WHEN body + attributes are exactly 1,048,576 bytes THEN SendMessage accepts it', async () => {
    // Two-byte characters: the emulator alone, counting characters, would accept twice as much.
    const body = 'é'.repeat((SQS_MAXIMUM_MESSAGE_SIZE_BYTES - attributeBytes) / 2);
    const result = await client.send(new SendMessageCommand({ QueueUrl: sqs!.deadLetterQueueUrl, MessageBody: body, MessageAttributes: attributes }));
    expect(result.MessageId).toMatch(/./);
  });

  test('WHEN they are 1,048,577 bytes THEN SendMessage fails with SQS\'s message', async () => {
    const body = 'é'.repeat((SQS_MAXIMUM_MESSAGE_SIZE_BYTES - attributeBytes) / 2) + 'x';
    await expect(client.send(new SendMessageCommand({ QueueUrl: sqs!.deadLetterQueueUrl, MessageBody: body, MessageAttributes: attributes })))
      .rejects.toThrow('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.');
  });
});
