import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newStack, writerFunction } from './consumer-fixture';
import { WriteBuffer, WriteBufferProps } from '../../src/write-buffer';

const FOURTEEN_DAYS = 1_209_600;

function synth(props: WriteBufferProps = {}, configure?: (buffer: WriteBuffer) => void) {
  const stack = newStack();
  const buffer = new WriteBuffer(stack, 'Buffer', props);
  buffer.addConsumer(writerFunction(stack, 'Writer'), { maxConcurrency: 2 });
  configure?.(buffer);
  const template = Template.fromStack(stack);
  const [writer] = Object.values(template.findResources('AWS::Lambda::Function'));
  const retention = writer.Properties.Environment.Variables.EDA_IDEMPOTENCY_RETENTION_SECONDS;
  const queues = Object.values(template.findResources('AWS::SQS::Queue')).map((q) => q.Properties);
  // A queue without MessageRetentionPeriod keeps messages for the SQS default of 4 days.
  const retentionOf = (q: Record<string, unknown>) => (q.MessageRetentionPeriod as number | undefined) ?? 345_600;
  const queue = queues.find((q) => q.RedrivePolicy !== undefined);
  const deadLetterQueue = queues.find((q) => q.RedrivePolicy === undefined);
  return { buffer, retention, queueRetention: queue && retentionOf(queue), deadLetterRetention: deadLetterQueue && retentionOf(deadLetterQueue) };
}

describe('WriteBuffer idempotency retention', () => {
  test('by default the writer keeps keys for the 4 days of the queue plus the 14 days of the dead-letter queue', () => {
    const { buffer, retention, queueRetention, deadLetterRetention } = synth();
    expect([queueRetention, deadLetterRetention]).toEqual([345_600, FOURTEEN_DAYS]);
    expect(retention).toBe(String(345_600 + FOURTEEN_DAYS));
    expect(buffer.idempotencyRetention.toSeconds()).toBe(345_600 + FOURTEEN_DAYS);
  });

  test('EDA_IDEMPOTENCY_RETENTION_SECONDS is the synthesized queue retention plus dead-letter queue retention', () => {
    const { retention, queueRetention, deadLetterRetention } = synth({
      queueProps: { retentionPeriod: Duration.days(2) },
      deadLetterRetention: Duration.days(7),
    });
    expect([queueRetention, deadLetterRetention]).toEqual([172_800, 604_800]);
    expect(retention).toBe(String(queueRetention! + deadLetterRetention!));
  });

  test('a retention changed after addConsumer (escape hatch) is still what the writer gets', () => {
    const { retention } = synth({}, (buffer) => {
      ((buffer.queue as sqs.Queue).node.defaultChild as sqs.CfnQueue).messageRetentionPeriod = 3_600;
    });
    expect(retention).toBe(String(3_600 + FOURTEEN_DAYS));
  });

  test('imported queues, whose retention cannot be read, count as the SQS maximum of 14 days each', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', {
      existingQueue: sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:eu-west-1:123456789012:orders'),
      existingDeadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq'),
    });
    buffer.addConsumer(writerFunction(stack, 'Writer'), { maxConcurrency: 2 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { EDA_IDEMPOTENCY_RETENTION_SECONDS: String(2 * FOURTEEN_DAYS) } },
    });
  });
});
