import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { errorMessageOf, newStack, writerFunction } from './consumer-fixture';
import { WriteBuffer } from '../../src/write-buffer';

describe('WriteBuffer props validation', () => {
  test('existingQueue and queueProps together fail', () => {
    const stack = newStack();
    const existingQueue = new sqs.Queue(stack, 'Existing');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, queueProps: {} }))).toBe(
      'existingQueue and queueProps cannot both be set: pass an existing resource or configure a new one, not both');
  });

  test('existingDeadLetterQueue and deadLetterQueueProps together fail', () => {
    const stack = newStack();
    const existingDeadLetterQueue = new sqs.Queue(stack, 'ExistingDlq');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingDeadLetterQueue, deadLetterQueueProps: {} }))).toBe(
      'existingDeadLetterQueue and deadLetterQueueProps cannot both be set: pass an existing resource or configure a new one, not both');
  });

  test('visibilityTimeout and queueProps.visibilityTimeout together fail', () => {
    const stack = newStack();

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', {
      visibilityTimeout: Duration.minutes(1),
      queueProps: { visibilityTimeout: Duration.minutes(2) },
    }))).toBe('visibilityTimeout and queueProps.visibilityTimeout cannot both be set: pass an existing resource or configure a new one, not both');
  });

  test('maxReceiveCount below 1 fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { maxReceiveCount: 0 }))).toBe(
      'maxReceiveCount must be between 1 and 1000, got 0');
  });

  test('maxReceiveCount above 1000 fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { maxReceiveCount: 1001 }))).toBe(
      'maxReceiveCount must be between 1 and 1000, got 1001');
  });

  test('a fractional maxReceiveCount fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { maxReceiveCount: 5.5 }))).toBe(
      'maxReceiveCount must be a whole number, got 5.5');
  });

  test('deadLetterRetention above 14 days fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { deadLetterRetention: Duration.days(15) }))).toBe(
      'deadLetterRetention (seconds) must be between 60 and 1209600, got 1296000');
  });

  test('fifo different from queueProps.fifo fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { fifo: true, queueProps: { fifo: false } }))).toBe(
      'fifo is true but queueProps.fifo is false: set one of them');
  });

  test('queueProps.deadLetterQueue fails because the buffer owns the redrive policy', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Other');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { queueProps: { deadLetterQueue: { queue, maxReceiveCount: 5 } } }))).toBe(
      'queueProps.deadLetterQueue cannot be set: the WriteBuffer owns the redrive policy (use existingDeadLetterQueue or deadLetterQueueProps, and maxReceiveCount)');
  });

  test('content-based deduplication fails because the idempotency key is the deduplication id', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { fifo: true, queueProps: { contentBasedDeduplication: true } }))).toBe(
      'queueProps.contentBasedDeduplication cannot be true: producers set the deduplication id to the idempotency key');
  });

  test('queueProps.enforceSSL false fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { queueProps: { enforceSSL: false } }))).toBe(
      'queueProps.enforceSSL cannot be false: the write buffer only accepts TLS requests');
  });

  test('an unencrypted dead-letter queue fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { deadLetterQueueProps: { encryption: sqs.QueueEncryption.UNENCRYPTED } }))).toBe(
      'deadLetterQueueProps.encryption cannot be UNENCRYPTED: write buffers hold user data and are always encrypted');
  });

  test('encryptionMasterKey with queueProps.encryption fails', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { encryptionMasterKey: key, queueProps: { encryption: sqs.QueueEncryption.KMS_MANAGED } }))).toBe(
      'encryptionMasterKey and queueProps.encryption/encryptionMasterKey cannot both be set');
  });

  test('deadLetterQueueProps.fifo different from the queue type fails', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { fifo: true, deadLetterQueueProps: { fifo: false } }))).toBe(
      'deadLetterQueueProps.fifo is false but the queue is a FIFO queue: the dead-letter queue must be of the same type');
  });

  test('a standard dead-letter queue for a FIFO buffer fails', () => {
    const stack = newStack();
    const existingDeadLetterQueue = new sqs.Queue(stack, 'StandardDlq');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { fifo: true, existingDeadLetterQueue }))).toBe(
      'the dead-letter queue must be a FIFO queue like the queue, got a standard queue');
  });
});

describe('WriteBuffer consumer validation', () => {
  function buffer(props: ConstructorParameters<typeof WriteBuffer>[2] = {}) {
    const stack = newStack();
    return { stack, writeBuffer: new WriteBuffer(stack, 'Buffer', props), writer: writerFunction(stack, 'Writer') };
  }

  test('maxConcurrency below 2 fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { maxConcurrency: 1 }))).toBe(
      'maxConcurrency must be between 2 and 1000, got 1');
  });

  test('maxConcurrency above 1000 fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { maxConcurrency: 1001 }))).toBe(
      'maxConcurrency must be between 2 and 1000, got 1001');
  });

  test('a fractional maxConcurrency fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { maxConcurrency: 2.5 }))).toBe(
      'maxConcurrency must be a whole number, got 2.5');
  });

  test('maxConcurrency above the reserved concurrency fails at synth', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer');
    writeBuffer.addConsumer(writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 5 }), { maxConcurrency: 10 });

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'maxConcurrency must be at most the reserved concurrency of Stack/Writer (5), got 10');
  });

  test('reserved concurrency set after addConsumer is still checked', () => {
    const { stack, writeBuffer, writer } = buffer();
    writeBuffer.addConsumer(writer, { maxConcurrency: 10 });

    (writer.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 3;

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'maxConcurrency must be at most the reserved concurrency of Stack/Writer (3), got 10');
  });

  test('an alias consumer is checked against the reserved concurrency of its function', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer');
    const writer = writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 4 });
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: writer.currentVersion });
    writeBuffer.addConsumer(alias, { maxConcurrency: 8 });

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'maxConcurrency must be at most the reserved concurrency of Stack/Live (4), got 8');
  });

  test('a consumer with reserved concurrency but no maxConcurrency fails at synth', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer');
    writeBuffer.addConsumer(writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 5 }));

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'maxConcurrency is required for consumer Stack/Writer because it has reserved concurrency 5: '
      + 'without it throttled polls count as receives and move messages to the dead-letter queue unprocessed');
  });

  test('batchSize above 10,000 on a standard queue fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { batchSize: 10_001, maxBatchingWindow: Duration.seconds(1) }))).toBe(
      'batchSize must be between 1 and 10000, got 10001');
  });

  test('batchSize 0 fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { batchSize: 0 }))).toBe(
      'batchSize must be between 1 and 10000, got 0');
  });

  test('batchSize above 10 without a batching window fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { batchSize: 100 }))).toBe(
      'batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize 100 for consumer Stack/Writer');
  });

  test('batchSize above 10 with a zero batching window fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { batchSize: 100, maxBatchingWindow: Duration.seconds(0) }))).toBe(
      'batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize 100 for consumer Stack/Writer');
  });

  test('a batching window above 300 seconds fails', () => {
    const { writeBuffer, writer } = buffer();

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { maxBatchingWindow: Duration.seconds(301) }))).toBe(
      'maxBatchingWindow (seconds) must be between 0 and 300, got 301');
  });

  test('batchSize above 10 on a FIFO queue fails', () => {
    const { writeBuffer, writer } = buffer({ fifo: true });

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { batchSize: 11 }))).toBe(
      'batchSize must be between 1 and 10, got 11 (FIFO queue)');
  });

  test('a batching window on a FIFO queue fails', () => {
    const { writeBuffer, writer } = buffer({ fifo: true });

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer, { maxBatchingWindow: Duration.seconds(5) }))).toBe(
      'maxBatchingWindow is not supported on a FIFO queue, got 5 seconds for consumer Stack/Writer');
  });

  test('adding the same function twice fails', () => {
    const { writeBuffer, writer } = buffer();
    writeBuffer.addConsumer(writer);

    expect(errorMessageOf(() => writeBuffer.addConsumer(writer))).toBe(
      'addConsumer: function Stack/Writer is already a consumer of Stack/Buffer (at most one event source mapping per function and queue)');
  });

  test('a visibility timeout below the consumer timeout fails at synth (Lambda refuses the event source)', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer', { visibilityTimeout: Duration.seconds(29) });
    writeBuffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }));

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'visibilityTimeout must be at least the timeout of consumer Stack/Writer (30 s), got 29 s: ' +
      'Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout');
  });

  test('a queueProps visibility timeout below the consumer timeout fails at synth', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer', { queueProps: { visibilityTimeout: Duration.seconds(2) } });
    writeBuffer.addConsumer(writerFunction(stack, 'Writer'));

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'visibilityTimeout must be at least the timeout of consumer Stack/Writer (3 s), got 2 s: ' +
      'Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout');
  });

  test('a visibility timeout equal to the consumer timeout synthesizes with a warning: below AWS\'s 6 × recommendation', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer', { visibilityTimeout: Duration.seconds(30) });
    writeBuffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }), { maxBatchingWindow: Duration.seconds(5), batchSize: 20 });

    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Buffer', Match.stringLikeRegexp('below AWS\'s recommendation'));
    expect(warnings.map((w) => w.entry.data)).toEqual([
      'visibilityTimeout 30 s is below AWS\'s recommendation for consumer Stack/Writer: 6 × its timeout + its batching window (6 × 30 s + 5 s = 185 s), ' +
      'so a batch retried after a throttle or an error can become visible again while it is still processed ' +
      '(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). Acknowledge this warning if the shorter timeout is deliberate. ' +
      '[ack: cdk-elastic-data-access:VisibilityTimeoutBelowRecommendation]',
    ]);
  });

  test('a visibility timeout at the recommendation (6 × timeout + batching window) synthesizes without a warning', () => {
    const stack = newStack();
    const writeBuffer = new WriteBuffer(stack, 'Buffer', { visibilityTimeout: Duration.seconds(185) });
    writeBuffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }), { maxBatchingWindow: Duration.seconds(5), batchSize: 20 });

    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('below AWS\'s recommendation'))).toEqual([]);
  });

  test('the derived visibility timeout follows the recommendation including the batching window', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer').addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }), { maxBatchingWindow: Duration.seconds(5), batchSize: 20 });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 185 });
  });
});
