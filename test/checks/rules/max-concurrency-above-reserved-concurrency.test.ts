import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction, mappingPathOf } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.MAX_CONCURRENCY_ABOVE_RESERVED_CONCURRENCY;

function consumer(reservedConcurrentExecutions: number | undefined, maxConcurrency: number | undefined) {
  const { app, stack } = checkedApp();
  const fn = inlineFunction(stack, 'Consumer', { reservedConcurrentExecutions });
  fn.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { reportBatchItemFailures: true, maxConcurrency }));
  return { app, stack, fn };
}

describe('EDA7 MaxConcurrencyAboveReservedConcurrency', () => {
  test('maxConcurrency above the reserved concurrency is reported on the mapping', () => {
    // GIVEN / WHEN
    const { app, fn } = consumer(5, 10);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(fn)]);
  });

  test('a missing maxConcurrency on a function with reserved concurrency is reported on the mapping', () => {
    // GIVEN / WHEN
    const { app, fn } = consumer(5, undefined);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(fn)]);
  });

  test('maxConcurrency equal to the reserved concurrency is compliant', () => {
    // GIVEN / WHEN
    const { app } = consumer(10, 10);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('a mapping on an alias is checked against the reserved concurrency of the aliased function', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const fn = inlineFunction(stack, 'Consumer', { reservedConcurrentExecutions: 5 });
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    // WHEN
    alias.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { reportBatchItemFailures: true, maxConcurrency: 10 }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([mappingPathOf(alias)]);
  });

  test('two mappings whose maxConcurrency sum exceeds the reserved concurrency are both reported', () => {
    // GIVEN
    const { app, stack, fn } = consumer(8, 4);
    // WHEN
    fn.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Second'), { reportBatchItemFailures: true, maxConcurrency: 5 }));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toHaveLength(2);
  });
});
