import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';

const RULE = ElasticDataAccessRule.DEAD_LETTER_QUEUE_WITHOUT_ALARM;

function queueWithDlq() {
  const { app, stack } = checkedApp();
  const dlq = new sqs.Queue(stack, 'Dlq');
  new sqs.Queue(stack, 'Queue', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  return { app, stack, dlq };
}

describe('EDA9 DeadLetterQueueWithoutAlarm', () => {
  test('a dead-letter queue without an alarm is reported on the dead-letter queue', () => {
    // GIVEN / WHEN
    const { app } = queueWithDlq();
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Dlq/Resource']);
  });

  test('a dead-letter queue with an alarm on its visible messages is compliant', () => {
    // GIVEN
    const { app, stack, dlq } = queueWithDlq();
    // WHEN
    dlq.metricApproximateNumberOfMessagesVisible().createAlarm(stack, 'DlqAlarm', { threshold: 0, evaluationPeriods: 1 });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('an alarm on another queue does not count for the dead-letter queue', () => {
    // GIVEN
    const { app, stack } = queueWithDlq();
    // WHEN
    new sqs.Queue(stack, 'Other').metricApproximateNumberOfMessagesVisible().createAlarm(stack, 'OtherAlarm', { threshold: 0, evaluationPeriods: 1 });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Dlq/Resource']);
  });
});
