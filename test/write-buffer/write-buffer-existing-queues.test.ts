import { Duration, Errors } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { errorMessageOf, newStack, writerFunction } from './consumer-fixture';
import { WriteBuffer } from '../../src/write-buffer';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111111111111:orders-writes';
const DLQ_ARN = 'arn:aws:sqs:eu-west-1:111111111111:orders-writes-dlq';

describe('WriteBuffer with existing queues', () => {
  test('an existing queue of this app brings its own dead-letter queue and maxReceiveCount', () => {
    // GIVEN
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const existingQueue = new sqs.Queue(stack, 'Existing', { deadLetterQueue: { queue: dlq, maxReceiveCount: 7 } });

    // WHEN
    const buffer = new WriteBuffer(stack, 'Buffer', { existingQueue });

    // THEN
    expect(buffer.queue).toBe(existingQueue);
    expect(buffer.deadLetterQueue).toBe(dlq);
    expect(buffer.maxReceiveCount).toBe(7);
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2);
  });

  test('an imported queue with an imported dead-letter queue creates no queue and warns that the redrive policy is unverified', () => {
    const stack = newStack();
    const existingQueue = sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN);
    const existingDeadLetterQueue = sqs.Queue.fromQueueArn(stack, 'ExistingDlq', DLQ_ARN);

    const buffer = new WriteBuffer(stack, 'Buffer', { existingQueue, existingDeadLetterQueue });
    buffer.grantSend(writerFunction(stack, 'Producer'));

    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 0);
    expect(buffer.deadLetterQueue).toBe(existingDeadLetterQueue);
    Annotations.fromStack(stack).hasWarning('/Stack/Buffer', Match.stringLikeRegexp('the redrive policy of existingQueue cannot be read'));
    Annotations.fromStack(stack).hasWarning('/Stack/Buffer', Match.stringLikeRegexp('the visibility timeout of existingQueue cannot be read'));
  });

  test('a consumer of an imported queue gets an event source on that queue', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', {
      existingQueue: sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN),
      existingDeadLetterQueue: sqs.Queue.fromQueueArn(stack, 'ExistingDlq', DLQ_ARN),
    });

    buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.minutes(5) }));

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: QUEUE_ARN,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('an imported FIFO queue makes a FIFO buffer', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', {
      existingQueue: sqs.Queue.fromQueueArn(stack, 'Existing', `${QUEUE_ARN}.fifo`),
      existingDeadLetterQueue: sqs.Queue.fromQueueArn(stack, 'ExistingDlq', `${DLQ_ARN}.fifo`),
    });

    expect(buffer.fifo).toBe(true);
  });

  test('an existing dead-letter queue becomes the redrive target of a new queue', () => {
    const stack = newStack();
    const existingDeadLetterQueue = sqs.Queue.fromQueueArn(stack, 'ExistingDlq', DLQ_ARN);

    new WriteBuffer(stack, 'Buffer', { existingDeadLetterQueue });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 5 } });
  });

  test('the visibility timeout of an existing queue of this app is checked against the consumers', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const existingQueue = new sqs.Queue(stack, 'Existing', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    const buffer = new WriteBuffer(stack, 'Buffer', { existingQueue });
    buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(31) }));

    expect(errorMessageOf(() => Template.fromStack(stack))).toBe(
      'visibilityTimeout must be at least the timeout of consumer Stack/Writer (31 s), got 30 s: ' +
      'Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout');
  });

  test('synth-time errors are aws-cdk-lib ValidationErrors', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', { visibilityTimeout: Duration.seconds(30) });
    buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(31) }));

    let caught: unknown;
    try {
      Template.fromStack(stack);
    } catch (error) {
      caught = error;
    }

    expect(Errors.isValidationError(caught)).toBe(true);
  });
});

describe('WriteBuffer existing queue validation', () => {
  test('fifo different from the existing queue fails', () => {
    const stack = newStack();
    const existingQueue = sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN);

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, fifo: true }))).toBe(
      'fifo is true but existingQueue is a standard queue');
  });

  test('an existing queue whose redrive policy cannot be read needs existingDeadLetterQueue', () => {
    const stack = newStack();
    const existingQueue = sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN);

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue }))).toBe(
      'existingDeadLetterQueue is required with existingQueue when the queue\'s redrive policy cannot be read: pass the queue its redrive policy targets');
  });

  test('encryptionMasterKey with an existing queue fails', () => {
    const stack = newStack();
    const existingQueue = sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN);

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, encryptionMasterKey: new kms.Key(stack, 'Key') }))).toBe(
      'encryptionMasterKey cannot be set with existingQueue: the settings of an existing queue (redrive policy, encryption, visibility timeout) are left unchanged');
  });

  test('deadLetterQueueProps with an existing queue fails', () => {
    const stack = newStack();
    const existingQueue = sqs.Queue.fromQueueArn(stack, 'Existing', QUEUE_ARN);

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, deadLetterQueueProps: {} }))).toBe(
      'deadLetterQueueProps cannot be set with existingQueue: the settings of an existing queue (redrive policy, encryption, visibility timeout) are left unchanged');
  });

  test('maxReceiveCount different from the existing redrive policy fails', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const existingQueue = new sqs.Queue(stack, 'Existing', { deadLetterQueue: { queue: dlq, maxReceiveCount: 7 } });

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, maxReceiveCount: 5 }))).toBe(
      'maxReceiveCount is 5 but the redrive policy of existingQueue says 7: the redrive policy of an existing queue is left unchanged');
  });

  test('existingDeadLetterQueue other than the existing queue\'s dead-letter queue fails', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const existingQueue = new sqs.Queue(stack, 'Existing', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    const existingDeadLetterQueue = new sqs.Queue(stack, 'OtherDlq');

    expect(errorMessageOf(() => new WriteBuffer(stack, 'Buffer', { existingQueue, existingDeadLetterQueue }))).toBe(
      'existingDeadLetterQueue must be the dead-letter queue of existingQueue (Stack/Dlq), got Stack/OtherDlq');
  });
});
