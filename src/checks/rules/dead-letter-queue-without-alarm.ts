import { CfnResource } from 'aws-cdk-lib';
import { asList, isObject, referencedLogicalId } from '../model/cfn-references';
import { QUEUE_TYPE, deadLetterQueueIds } from '../model/sqs-event-sources';
import { ModelResource, StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/** The dimensions of an alarm: of its single metric, and of every metric in its `Metrics` (math) list. */
function alarmDimensions(alarm: ModelResource): unknown[] {
  const props = alarm.properties ?? {};
  const fromMetrics = asList(props.Metrics).flatMap((query) =>
    isObject(query) && isObject(query.MetricStat) && isObject(query.MetricStat.Metric) ? asList(query.MetricStat.Metric.Dimensions) : [],
  );
  return [...asList(props.Dimensions), ...fromMetrics];
}

/** Whether a QueueName dimension value names this queue (GetAtt QueueName, or the literal QueueName). */
function namesQueue(value: unknown, queue: ModelResource): boolean {
  if (referencedLogicalId(value) === queue.logicalId) return true;
  return typeof value === 'string' && value === queue.properties?.QueueName;
}

/**
 * EDA9: a queue used as a dead-letter queue (another queue's deadLetterTargetArn) without any
 * CloudWatch alarm in the stack on a metric with dimension QueueName = that queue.
 */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const queue = model.resourceOf(node);
  if (queue?.type !== QUEUE_TYPE || !queue.properties) return NagRuleCompliance.NOT_APPLICABLE;
  if (!deadLetterQueueIds(model).has(queue.logicalId)) return NagRuleCompliance.NOT_APPLICABLE;
  const alarmed = model.ofType('AWS::CloudWatch::Alarm').some((alarm) =>
    alarmDimensions(alarm).some((d) => isObject(d) && d.Name === 'QueueName' && namesQueue(d.Value, queue)),
  );
  return alarmed ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const deadLetterQueueWithoutAlarm: RuleDefinition = {
  id: 'EDA9',
  name: 'DeadLetterQueueWithoutAlarm',
  level: NagMessageLevel.ERROR,
  info: 'A dead-letter queue has no CloudWatch alarm on it (no alarm with dimension QueueName for it in the stack).',
  explanation: 'Messages in a DLQ are writes that never reached the database; without an alarm nobody '
    + 'notices until they expire (retention at most 14 days). Alarm on ApproximateNumberOfMessagesVisible > 0 '
    + '(e.g. dlq.metricApproximateNumberOfMessagesVisible().createAlarm(...)). '
    + 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html',
  check,
};
