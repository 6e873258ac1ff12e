import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.CONSUMED_QUEUE_WITHOUT_REDRIVE;

function consumedQueue(deadLetterQueue?: (stack: sqs.Queue['stack']) => sqs.DeadLetterQueue) {
  const { app, stack } = checkedApp();
  const queue = new sqs.Queue(stack, 'Queue', { deadLetterQueue: deadLetterQueue?.(stack) });
  inlineFunction(stack, 'Consumer').addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true }));
  return app;
}

describe('EDA6 ConsumedQueueWithoutRedrive', () => {
  test('a consumed queue without a dead-letter queue is reported on the queue', () => {
    // GIVEN / WHEN
    const app = consumedQueue();
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Queue/Resource']);
  });

  test('a consumed queue with maxReceiveCount 4 is reported on the queue', () => {
    // GIVEN / WHEN
    const app = consumedQueue((stack) => ({ queue: new sqs.Queue(stack, 'Dlq'), maxReceiveCount: 4 }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Queue/Resource']);
  });

  test('a consumed queue with a dead-letter queue and maxReceiveCount 5 is compliant', () => {
    // GIVEN / WHEN
    const app = consumedQueue((stack) => ({ queue: new sqs.Queue(stack, 'Dlq'), maxReceiveCount: 5 }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('a queue nobody consumes needs no dead-letter queue', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    // WHEN
    new sqs.Queue(stack, 'Queue');
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });
});
