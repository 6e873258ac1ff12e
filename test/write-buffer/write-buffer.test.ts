import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newStack, writerFunction } from './consumer-fixture';
import { WriteBuffer } from '../../src/write-buffer';

const SQS_MANAGED = { SqsManagedSseEnabled: true };

function bufferWithWriter(props: ConstructorParameters<typeof WriteBuffer>[2] = {}) {
  const stack = newStack();
  const buffer = new WriteBuffer(stack, 'Buffer', props);
  const writer = writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 5, timeout: Duration.seconds(20) });
  return { stack, buffer, writer };
}

describe('WriteBuffer queues', () => {
  test('both queues use SQS-managed server-side encryption by default', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer');

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', SQS_MANAGED);
  });

  test('both queues deny requests that do not use TLS', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('the dead-letter queue keeps messages for 14 days', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer');

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: Match.absent(),
    });
  });

  test('deadLetterRetention sets the dead-letter queue retention', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { deadLetterRetention: Duration.days(7) });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 604800 });
  });

  test('the queue redrives to the dead-letter queue after 5 receives by default', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: stack.resolve(buffer.deadLetterQueue.queueArn),
        maxReceiveCount: 5,
      },
    });
    expect(buffer.maxReceiveCount).toBe(5);
  });

  test('maxReceiveCount sets the redrive policy', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { maxReceiveCount: 8 });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }),
    });
  });

  test('maxReceiveCount below 5 adds a warning that explains throttled receives', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { maxReceiveCount: 3 });

    Annotations.fromStack(stack).hasWarning('/Stack/Buffer', Match.stringLikeRegexp(
      'maxReceiveCount is 3, below the recommended 5: throttled or failed receives by the Lambda pollers count as receives',
    ));
  });

  test('maxReceiveCount of 5 adds no warning', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { maxReceiveCount: 5 });

    Annotations.fromStack(stack).hasNoWarning('/Stack/Buffer', Match.anyValue());
  });

  test('fifo creates FIFO queues with content-based deduplication off', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', { fifo: true });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, RedrivePolicy: Match.absent() });
    expect(buffer.fifo).toBe(true);
  });

  test('a queue name ending in .fifo makes both queues FIFO', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', { queueProps: { queueName: 'orders-writes.fifo' } });

    Template.fromStack(stack).allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true });
    expect(buffer.fifo).toBe(true);
  });

  test('a standard buffer sets no FIFO attributes', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    Template.fromStack(stack).allResourcesProperties('AWS::SQS::Queue', {
      FifoQueue: Match.absent(),
      ContentBasedDeduplication: Match.absent(),
    });
    expect(buffer.fifo).toBe(false);
  });

  test('encryptionMasterKey encrypts both queues with the customer managed key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new WriteBuffer(stack, 'Buffer', { encryptionMasterKey: key });

    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(key.keyArn),
      SqsManagedSseEnabled: Match.absent(),
    });
  });

  test('queueProps.encryption replaces the SQS-managed default on the queue only', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { queueProps: { encryption: sqs.QueueEncryption.KMS_MANAGED } });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs', RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, RedrivePolicy: Match.absent() });
  });

  test('queueProps are applied over the defaults', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { queueProps: { retentionPeriod: Duration.days(2) } });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 172800,
      RedrivePolicy: Match.anyValue(),
      SqsManagedSseEnabled: true,
    });
  });
});

describe('WriteBuffer consumers', () => {
  test('addConsumer always reports batch item failures', () => {
    const { stack, buffer, writer } = bufferWithWriter();

    buffer.addConsumer(writer, { maxConcurrency: 5 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(buffer.queue.queueArn),
      FunctionName: stack.resolve(writer.functionName),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('maxConcurrency becomes the scaling config of the event source', () => {
    const { stack, buffer, writer } = bufferWithWriter();

    buffer.addConsumer(writer, { maxConcurrency: 5 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  test('batchSize and maxBatchingWindow configure the event source', () => {
    const { stack, buffer, writer } = bufferWithWriter();

    buffer.addConsumer(writer, { maxConcurrency: 5, batchSize: 1000, maxBatchingWindow: Duration.seconds(2) });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 2,
    });
  });

  test('addConsumer lets the function receive and delete messages', () => {
    const { stack, buffer, writer } = bufferWithWriter();

    buffer.addConsumer(writer, { maxConcurrency: 5 });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(writer.role!.roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
          Resource: stack.resolve(buffer.queue.queueArn),
        })]),
      },
    });
  });

  test('consumers exposes each function with its maxConcurrency and batch size', () => {
    const { buffer, writer } = bufferWithWriter();

    const mapping = buffer.addConsumer(writer, { maxConcurrency: 4 });

    expect(buffer.consumers).toHaveLength(1);
    expect(buffer.consumers[0].function).toBe(writer);
    expect(buffer.consumers[0].maxConcurrency).toBe(4);
    expect(buffer.consumers[0].batchSize).toBe(10);
    expect(buffer.consumers[0].eventSourceMapping).toBe(mapping);
  });

  test('a consumer without reserved concurrency may omit maxConcurrency', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    buffer.addConsumer(writerFunction(stack, 'Writer'));

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: Match.absent(),
    });
  });

  test('an alias of a function with reserved concurrency can consume within that concurrency', () => {
    const { stack, buffer, writer } = bufferWithWriter();
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: writer.currentVersion });

    buffer.addConsumer(alias, { maxConcurrency: 5 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(buffer.consumers[0].function).toBe(alias);
  });
});

describe('WriteBuffer visibility timeout', () => {
  test('an imported consumer function warns that its timeout cannot be read', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    buffer.addConsumer(lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:111111111111:function:writer'));

    Annotations.fromStack(stack).hasWarning('/Stack/Buffer', Match.stringLikeRegexp(
      'the timeout of consumer Stack/Imported cannot be read .* set visibilityTimeout to at least 6 × its timeout'));
  });

  test('without consumers the derived visibility timeout is 30 seconds', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer');

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.anyValue(),
      VisibilityTimeout: 30,
    });
  });

  test('the derived visibility timeout is 6 × the longest consumer timeout', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    buffer.addConsumer(writerFunction(stack, 'Fast', { timeout: Duration.seconds(10) }));
    buffer.addConsumer(writerFunction(stack, 'Slow', { timeout: Duration.minutes(1) }));

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360 });
  });

  test('the derived visibility timeout is at least 30 seconds for a consumer with the 3 s default timeout', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    buffer.addConsumer(writerFunction(stack, 'Writer'));

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.anyValue(),
      VisibilityTimeout: 30,
    });
  });

  test('a visibility timeout set by the user is kept when it is long enough', () => {
    const { stack, buffer, writer } = bufferWithWriter({ visibilityTimeout: Duration.minutes(10) });

    buffer.addConsumer(writer, { maxConcurrency: 5 });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 600 });
  });

  test('the dead-letter queue keeps the SQS default visibility timeout', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer');

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.absent(),
      VisibilityTimeout: Match.absent(),
    });
  });
});

describe('WriteBuffer grants', () => {
  test('grantSend allows sending without KMS actions when the queue uses SSE-SQS', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    buffer.grantSend(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          Resource: stack.resolve(buffer.queue.queueArn),
        }],
      },
    });
  });

  test('grantSend includes kms:Encrypt and kms:GenerateDataKey* when a KMS key is used', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const buffer = new WriteBuffer(stack, 'Buffer', { encryptionMasterKey: key });
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    buffer.grantSend(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) }),
          Match.objectLike({
            Action: Match.arrayWith(['kms:Encrypt', 'kms:GenerateDataKey*']),
            Resource: stack.resolve(key.keyArn),
          }),
        ]),
      },
    });
  });

  test('grantSendToDeadLetterQueue allows sending to the dead-letter queue', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    buffer.grantSendToDeadLetterQueue(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: stack.resolve(buffer.deadLetterQueue.queueArn) })],
      },
    });
  });
});

describe('WriteBuffer metrics', () => {
  test('metricQueueDepth is the visible messages of the queue', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    const metric = buffer.metricQueueDepth();

    expect(metric.namespace).toBe('AWS/SQS');
    expect(metric.metricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(metric.statistic).toBe('Maximum');
    expect(stack.resolve(metric.dimensions)).toEqual({ QueueName: stack.resolve(buffer.queue.queueName) });
  });

  test('metricOldestMessageAge is the age of the oldest message of the queue', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    const metric = buffer.metricOldestMessageAge({ period: Duration.minutes(5) });

    expect(metric.namespace).toBe('AWS/SQS');
    expect(metric.metricName).toBe('ApproximateAgeOfOldestMessage');
    expect(metric.period.toSeconds()).toBe(300);
    expect(stack.resolve(metric.dimensions)).toEqual({ QueueName: stack.resolve(buffer.queue.queueName) });
  });

  test('metricDeadLetterQueueDepth is the visible messages of the dead-letter queue', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');

    const metric = buffer.metricDeadLetterQueueDepth();

    expect(metric.namespace).toBe('AWS/SQS');
    expect(metric.metricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(stack.resolve(metric.dimensions)).toEqual({ QueueName: stack.resolve(buffer.deadLetterQueue.queueName) });
  });
});

describe('WriteBuffer tokens', () => {
  test('a token maxConcurrency and batchSize are not validated', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');
    const writer = writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 5 });
    const concurrency = new CfnParameter(stack, 'Concurrency', { type: 'Number' }).valueAsNumber;
    const batchSize = new CfnParameter(stack, 'BatchSize', { type: 'Number' }).valueAsNumber;

    buffer.addConsumer(writer, { maxConcurrency: concurrency, batchSize });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: { Ref: 'Concurrency' } },
      BatchSize: { Ref: 'BatchSize' },
    });
  });

  test('a token reserved concurrency is not compared with maxConcurrency', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer');
    const reserved = new CfnParameter(stack, 'Reserved', { type: 'Number' }).valueAsNumber;
    const writer = writerFunction(stack, 'Writer', { reservedConcurrentExecutions: reserved });

    buffer.addConsumer(writer, { maxConcurrency: 1000 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: { Ref: 'Reserved' },
    });
  });

  test('a token maxReceiveCount and visibility timeout are not validated', () => {
    const stack = newStack();
    const count = Lazy.number({ produce: () => 2 });
    const buffer = new WriteBuffer(stack, 'Buffer', {
      maxReceiveCount: count,
      visibilityTimeout: Duration.seconds(new CfnParameter(stack, 'Visibility', { type: 'Number' }).valueAsNumber),
    });

    buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.minutes(5) }));

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }),
      VisibilityTimeout: { Ref: 'Visibility' },
    });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Buffer', Match.anyValue());
  });
});

describe('WriteBuffer snapshot', () => {
  test('the template of a FIFO buffer with a KMS key and a consumer matches the snapshot', () => {
    const stack = new Stack(undefined, 'Stack');
    const key = new kms.Key(stack, 'Key');
    const buffer = new WriteBuffer(stack, 'Buffer', { fifo: true, encryptionMasterKey: key, maxReceiveCount: 6 });
    const writer = writerFunction(stack, 'Writer', { reservedConcurrentExecutions: 5, timeout: Duration.seconds(30) });
    buffer.addConsumer(writer, { maxConcurrency: 5 });

    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
