import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction, mappingPathOf } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.SQS_VISIBILITY_TIMEOUT_TOO_SHORT;

describe('EDA5 SqsVisibilityTimeoutTooShort', () => {
  test('a queue whose visibility timeout is below 6 × the consumer timeout is reported on the mapping', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const consumer = inlineFunction(stack, 'Consumer', { timeout: Duration.seconds(10) });
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(59) });
    // WHEN
    consumer.addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(consumer)]);
  });

  test('a queue whose visibility timeout is exactly 6 × the consumer timeout is compliant', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const consumer = inlineFunction(stack, 'Consumer', { timeout: Duration.seconds(10) });
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(60) });
    // WHEN
    consumer.addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });
});
