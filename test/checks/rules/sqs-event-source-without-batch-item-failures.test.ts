import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction, mappingPathOf } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.SQS_EVENT_SOURCE_WITHOUT_BATCH_ITEM_FAILURES;

describe('EDA4 SqsEventSourceWithoutBatchItemFailures', () => {
  test('an SQS event source without reportBatchItemFailures is reported on the mapping', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const consumer = inlineFunction(stack, 'Consumer');
    // WHEN
    consumer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue')));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(consumer)]);
  });

  test('an SQS event source with reportBatchItemFailures is compliant', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const consumer = inlineFunction(stack, 'Consumer');
    // WHEN
    consumer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { reportBatchItemFailures: true }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('an event source on an imported queue ARN is checked too', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const consumer = inlineFunction(stack, 'Consumer');
    const imported = sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:eu-west-1:111111111111:orders');
    // WHEN
    consumer.addEventSource(new SqsEventSource(imported));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(consumer)]);
  });
});
