import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand, Message, ReceiveMessageCommand, SendMessageCommand, SQSClient, StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { eda } from './cli-fixture';
import { regionOfQueueUrl } from '../../src/cli/redrive/queue-url-region';
import { replayDeduplicationId } from '../../src/cli/redrive/replay-ids';

const sqs = mockClient(SQSClient);
const ACCOUNT = '123456789012';
const DLQ = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders-dlq`;
const QUEUE = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders`;
const FIFO_DLQ = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders-dlq.fifo`;
const FIFO_QUEUE = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders.fifo`;

function arnOf(url: string): string {
  return `arn:aws:sqs:eu-west-1:${ACCOUNT}:${url.split('/').pop()}`;
}

function queues(...urls: string[]) {
  for (const url of urls) {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: url }).resolves({
      Attributes: { QueueArn: arnOf(url), FifoQueue: url.endsWith('.fifo') ? 'true' : 'false', ApproximateNumberOfMessages: '2' },
    });
  }
}

const str = (value: string) => ({ DataType: 'String', StringValue: value, StringListValues: [], BinaryListValues: [] });

function deadLetter(id: number, group?: string): Message {
  return {
    MessageId: `m-${id}`,
    ReceiptHandle: `rh-${id}`,
    Body: JSON.stringify({ orderId: id }),
    Attributes: {
      SentTimestamp: '1763900000000',
      ApproximateReceiveCount: '6',
      // SQS: "When a message is moved from a FIFO queue to a FIFO DLQ, the original message's deduplication
      // ID will be replaced with the original message's ID" (sqs-configure-dead-letter-queue-redrive.html)
      ...(group ? { MessageGroupId: group, MessageDeduplicationId: `m-${id}` } : {}),
    },
    MessageAttributes: {
      'eda-idempotency-key': str(`idem-${id}`),
      'eda-correlation-id': str(`corr-${id}`),
      'eda-original-message-id': str(`orig-${id}`),
      'eda-error-class': str('permanent'),
      'eda-error-code': str('23505'),
      'eda-error-message': str('duplicate key value violates unique constraint'),
      'eda-attempts': { DataType: 'Number', StringValue: '5' },
    },
  };
}

beforeEach(() => sqs.reset());

describe('eda redrive --dry-run', () => {
  test('lists each message with its error attributes', async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [deadLetter(1), deadLetter(2)] }).resolves({ Messages: [] });

    const result = await eda(['redrive', '--dlq', DLQ, '--dry-run', '--wait-seconds', '0']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('standard queue, about 2 message(s); listing 2 (dry run, nothing moved)');
    expect(result.stdout).toContain('- m-1 sent 2025-11-23T12:13:20.000Z, received 6×');
    for (const line of [
      'eda-error-class: permanent', 'eda-error-code: 23505', 'eda-error-message: duplicate key value violates unique constraint',
      'eda-attempts: 5', 'eda-correlation-id: corr-1', 'eda-original-message-id: orig-1', 'body: {"orderId":1}',
    ]) expect(result.stdout).toContain(line);
  });

  test('asks for every message attribute and the system attributes', async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });

    await eda(['redrive', '--dlq', DLQ, '--dry-run', '--wait-seconds', '0']);

    expect(sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input).toMatchObject({
      QueueUrl: DLQ, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
    });
  });

  test('makes the listed messages visible again and neither sends nor deletes', async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [deadLetter(1), deadLetter(2)] }).resolves({ Messages: [] });

    await eda(['redrive', '--dlq', DLQ, '--dry-run', '--wait-seconds', '0']);

    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input).toEqual({
      QueueUrl: DLQ,
      Entries: [{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }, { Id: '1', ReceiptHandle: 'rh-2', VisibilityTimeout: 0 }],
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  test('lists at most --max messages', async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [deadLetter(1)] });

    const result = await eda(['redrive', '--dlq', DLQ, '--dry-run', '--max', '3', '--wait-seconds', '0']);

    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([3, 2]);
    expect(result.stdout).toContain('listing 1');
  });

  test('--json prints the summaries as JSON', async () => {
    queues(FIFO_DLQ);
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [deadLetter(1, 'customer-1')] }).resolves({});

    const result = await eda(['redrive', '--dlq', FIFO_DLQ, '--dry-run', '--json', '--wait-seconds', '0']);

    const parsed = JSON.parse(result.stdout);
    expect(parsed.fifo).toBe(true);
    expect(parsed.messages[0]).toMatchObject({ messageId: 'm-1', messageGroupId: 'customer-1', attributes: { 'eda-error-code': '23505' } });
  });
});

describe('eda redrive from a standard queue', () => {
  test('starts a message move task back to the source queues', async () => {
    queues(DLQ);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolvesOnce({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', StartedTimestamp: Date.now(), ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 2 }] });

    const result = await eda(['redrive', '--dlq', DLQ, '--poll-seconds', '0']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message move task COMPLETED: moved 2 of 2 message(s)');
    expect(result.stdout).toContain('done: 2 message(s) moved');
    expect(sqs.commandCalls(ListMessageMoveTasksCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: arnOf(DLQ), MaxResults: 10 }, { SourceArn: arnOf(DLQ), MaxResults: 10 },
    ]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).toEqual({
      SourceArn: arnOf(DLQ), DestinationArn: undefined, MaxNumberOfMessagesPerSecond: undefined,
    });
  });

  test('passes --to as the destination ARN and --rate as the rate limit', async () => {
    queues(DLQ, QUEUE);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });

    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED' }] });
    await eda(['redrive', '--dlq', DLQ, '--to', QUEUE, '--rate', '50', '--poll-seconds', '0']);

    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).toEqual({
      SourceArn: arnOf(DLQ), DestinationArn: arnOf(QUEUE), MaxNumberOfMessagesPerSecond: 50,
    });
  });

  test('with --max, moves that many messages by receive, send and delete', async () => {
    queues(DLQ, QUEUE);
    sqs.on(ListDeadLetterSourceQueuesCommand).resolves({ queueUrls: [QUEUE] });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [deadLetter(1)] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });

    const result = await eda(['redrive', '--dlq', DLQ, '--max', '2', '--wait-seconds', '0']);

    expect(result.code).toBe(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(result.stdout).toContain(`moved 2 message(s) by receive, send and delete from ${DLQ} to their source queues`);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([QUEUE, QUEUE]);
  });

  test('a rate above 500 messages per second is rejected', async () => {
    const result = await eda(['redrive', '--dlq', DLQ, '--rate', '501']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rate must be at most 500 messages per second, got 501');
  });

  test('a failing move task names the call', async () => {
    queues(DLQ);
    sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('a task is already running'), { name: 'UnsupportedOperation' }));

    const result = await eda(['redrive', '--dlq', DLQ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('StartMessageMoveTask failed: UnsupportedOperation: a task is already running');
  });
});

describe('eda redrive from a FIFO queue', () => {
  function fifoMove(messages: Message[]) {
    queues(FIFO_DLQ, FIFO_QUEUE);
    sqs.on(ListDeadLetterSourceQueuesCommand).resolves({ queueUrls: [FIFO_QUEUE] });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageBatchCommand).resolves({ Failed: [] });
  }

  test('sends each message to the source queue with its group and a replay deduplication id, in order', async () => {
    fifoMove([deadLetter(1, 'customer-1'), deadLetter(2, 'customer-1')]);

    const result = await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0']);

    expect(result.code).toBe(0);
    const sends = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sends.map((s) => [s.QueueUrl, s.MessageGroupId, s.MessageDeduplicationId, s.MessageBody])).toEqual([
      [FIFO_QUEUE, 'customer-1', replayDeduplicationId(deadLetter(1, 'customer-1'), 1), '{"orderId":1}'],
      [FIFO_QUEUE, 'customer-1', replayDeduplicationId(deadLetter(2, 'customer-1'), 1), '{"orderId":2}'],
    ]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  test('forwards the producer attributes and drops the error attributes of the failure being replayed', async () => {
    fifoMove([deadLetter(1, 'customer-1')]);

    await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0']);

    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageAttributes).toEqual({
      'eda-idempotency-key': { DataType: 'String', StringValue: 'idem-1' },
      'eda-correlation-id': { DataType: 'String', StringValue: 'corr-1' },
      'eda-original-message-id': { DataType: 'String', StringValue: 'orig-1' },
      'eda-replay-attempt': { DataType: 'Number', StringValue: '1' },
    });
  });

  test('deletes the moved messages from the dead-letter queue', async () => {
    fifoMove([deadLetter(1, 'g'), deadLetter(2, 'g')]);

    await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0']);

    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0].args[0].input).toEqual({
      QueueUrl: FIFO_DLQ, Entries: [{ Id: '0', ReceiptHandle: 'rh-1' }, { Id: '1', ReceiptHandle: 'rh-2' }],
    });
  });

  test('a failed send stops the move, deletes what was sent, releases the rest, and exits 1', async () => {
    fifoMove([deadLetter(1, 'g'), deadLetter(2, 'g'), deadLetter(3, 'g')]);
    sqs.on(SendMessageCommand).resolvesOnce({ MessageId: 'new' }).rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));

    const result = await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('moved 1 message(s)');
    expect(result.stderr).toContain('move stopped: SendMessage failed: RequestThrottled: throttled (message m-2 stays in the dead-letter queue)');
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0].args[0].input.Entries).toEqual([{ Id: '0', ReceiptHandle: 'rh-1' }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'rh-2', VisibilityTimeout: 0 }, { Id: '1', ReceiptHandle: 'rh-3', VisibilityTimeout: 0 },
    ]);
  });

  test('in a dead-letter queue of several queues, a message without a source attribute is left there and the exit code is 1', async () => {
    fifoMove([deadLetter(1, 'g')]);
    sqs.on(ListDeadLetterSourceQueuesCommand).resolves({ queueUrls: [FIFO_QUEUE, `${FIFO_QUEUE}2`] });

    const result = await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`1 message(s) not moved and left in the dead-letter queue: no eda-source-queue-arn or DeadLetterQueueSourceArn attribute, and ${FIFO_DLQ} is not the dead-letter queue of exactly one queue: pass --to`);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input.Entries).toEqual([{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }]);
  });

  test('moving between a FIFO and a standard queue is rejected', async () => {
    queues(FIFO_DLQ, QUEUE);

    const result = await eda(['redrive', '--dlq', FIFO_DLQ, '--to', QUEUE]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${FIFO_DLQ} is a FIFO queue but ${QUEUE} is a standard queue`);
  });
});

describe('eda redrive input checks', () => {
  test('--dlq must be a queue URL', async () => {
    const result = await eda(['redrive', '--dlq', 'orders-dlq']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--dlq must be a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>), got orders-dlq');
  });

  test('--max must be a positive whole number', async () => {
    const result = await eda(['redrive', '--dlq', DLQ, '--max', '0']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max must be a whole number of at least 1, got 0');
  });

  test('a queue that does not exist is a clear error', async () => {
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }));

    const result = await eda(['redrive', '--dlq', DLQ, '--dry-run']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`queue ${DLQ} does not exist (check the URL and --region)`);
  });
});

describe('EDA-17 eda redrive takes the Region from the queue URL', () => {
  /** The Region of the SQS client that sent the first GetQueueAttributes call. */
  async function regionOfFirstCall(): Promise<string> {
    const client = sqs.commandCalls(GetQueueAttributesCommand)[0].thisValue as SQSClient;
    return client.config.region();
  }

  test("without --region and without AWS_REGION, the URL's Region is used and nothing asks for one", async () => {
    const url = `https://sqs.ap-southeast-2.amazonaws.com/${ACCOUNT}/orders-dlq`;
    queues(url);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });

    const result = await eda(['redrive', '--dlq', url, '--dry-run', '--wait-seconds', '0'], { env: {} });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await regionOfFirstCall()).toBe('ap-southeast-2');
  });

  test("the URL's Region wins over AWS_REGION, which would address another Region's endpoint", async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });

    await eda(['redrive', '--dlq', DLQ, '--dry-run', '--wait-seconds', '0'], { env: { AWS_REGION: 'us-east-1' } });

    expect(await regionOfFirstCall()).toBe('eu-west-1');
  });

  test('--region still overrides the URL', async () => {
    queues(DLQ);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });

    await eda(['redrive', '--dlq', DLQ, '--dry-run', '--wait-seconds', '0', '--region', 'eu-central-1'], { env: {} });

    expect(await regionOfFirstCall()).toBe('eu-central-1');
  });

  test('a URL without a Region (a local SQS) still needs --region or AWS_REGION, with the usual message', async () => {
    const result = await eda(['redrive', '--dlq', `http://127.0.0.1:4566/${ACCOUNT}/orders-dlq`, '--dry-run'], { env: {} });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('eda redrive: no AWS region configured: pass --region <region> or set AWS_REGION (or AWS_DEFAULT_REGION)\n');
  });

  test.each([
    [`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders`, 'us-east-1'],
    [`https://sqs.cn-north-1.amazonaws.com.cn/${ACCOUNT}/orders.fifo`, 'cn-north-1'],
    [`https://eu-west-1.queue.amazonaws.com/${ACCOUNT}/orders`, 'eu-west-1'],
    [`https://vpce-1a2b3c-abc.sqs.us-east-1.vpce.amazonaws.com/${ACCOUNT}/orders`, undefined],
    [`http://127.0.0.1:4566/${ACCOUNT}/orders`, undefined],
  ])('regionOfQueueUrl(%s) is %s', (url, region) => {
    expect(regionOfQueueUrl(url)).toBe(region);
  });
});

describe('EDA-12.4 eda redrive reports the outcome of the move task (aws-sdk-client-mock: what the local SQS cannot show)', () => {
  /** A writer dead letter: no DeadLetterQueueSourceArn, the source in the eda-source-queue-arn attribute. */
  function writerDeadLetter(id: number): Message {
    const message = deadLetter(id);
    return { ...message, MessageAttributes: { ...message.MessageAttributes, 'eda-source-queue-arn': str(arnOf(QUEUE)) } };
  }

  test('a task that fails with CouldNotDetermineMessageSource is completed by a manual move to the source named by the message', async () => {
    queues(DLQ, QUEUE);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'FAILED', FailureReason: 'CouldNotDetermineMessageSource', StartedTimestamp: Date.now(), ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 5 }] });
    sqs.on(GetQueueUrlCommand, { QueueName: 'orders', QueueOwnerAWSAccountId: ACCOUNT }).resolves({ QueueUrl: QUEUE });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [writerDeadLetter(4), writerDeadLetter(5)] }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageBatchCommand).resolves({ Failed: [] });

    const result = await eda(['redrive', '--dlq', DLQ, '--poll-seconds', '0', '--wait-seconds', '0']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message move task FAILED (CouldNotDetermineMessageSource): moved 3 of 5 message(s)');
    expect(result.stdout).toContain(`then moved 2 message(s) by receive, send and delete from ${DLQ} to their source queues`);
    expect(result.stdout).toContain('done: 5 message(s) moved');
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([QUEUE, QUEUE]);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(1);
  });

  test('a task that fails for another reason exits 1 and says why', async () => {
    queues(DLQ);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'FAILED', FailureReason: 'AccessDenied', StartedTimestamp: Date.now(), ApproximateNumberOfMessagesMoved: 0 }] });

    const result = await eda(['redrive', '--dlq', DLQ, '--poll-seconds', '0']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`message move task FAILED (AccessDenied): the messages not moved stay in ${DLQ}`);
    expect(result.stdout).toContain('not done: 0 message(s) moved');
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  test('a task still running when the wait ends exits 1 with how to follow it', async () => {
    queues(DLQ);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 7 }] });

    const result = await eda(['redrive', '--dlq', DLQ, '--poll-seconds', '0', '--timeout-seconds', '3']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('message move task RUNNING: moved 7 message(s)');
    expect(result.stderr).toContain('the task has not ended within the wait; follow it with: aws sqs list-message-move-tasks');
  });

  test('--json reports the task and the manual move', async () => {
    queues(DLQ);
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 4 }] });

    const result = await eda(['redrive', '--dlq', DLQ, '--poll-seconds', '0', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ queue: DLQ, moved: 4, ok: true, task: { status: 'COMPLETED', moved: 4, taskHandle: 'task-1' } });
  });
});

describe('EDA-12.4 FIFO replay cannot be swallowed by deduplication', () => {
  test('the replay deduplication id differs from the original and from the previous replay, and is the same on a re-run', async () => {
    queues(FIFO_DLQ, FIFO_QUEUE);
    sqs.on(ListDeadLetterSourceQueuesCommand).resolves({ queueUrls: [FIFO_QUEUE] });
    const firstReplay = deadLetter(1, 'g');
    const secondReplay: Message = { ...deadLetter(1, 'g'), MessageAttributes: { ...firstReplay.MessageAttributes, 'eda-replay-attempt': { DataType: 'Number', StringValue: '1' } } };
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [firstReplay] }).resolvesOnce({ Messages: [] })
      .resolvesOnce({ Messages: [firstReplay] }).resolvesOnce({ Messages: [] })
      .resolvesOnce({ Messages: [secondReplay] }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageBatchCommand).resolves({ Failed: [] });

    for (let run = 0; run < 3; run++) expect((await eda(['redrive', '--dlq', FIFO_DLQ, '--wait-seconds', '0'])).code).toBe(0);

    const ids = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageDeduplicationId);
    const attempts = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageAttributes?.['eda-replay-attempt']?.StringValue);
    expect(ids[0]).not.toBe('idem-1');
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(attempts).toEqual(['1', '1', '2']);
  });
});
