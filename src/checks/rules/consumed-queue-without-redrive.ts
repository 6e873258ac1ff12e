import { CfnResource } from 'aws-cdk-lib';
import { asNumber } from '../model/cfn-references';
import { QUEUE_TYPE, redrivePolicyOf, sqsEventSources } from '../model/sqs-event-sources';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/**
 * Lambda retries throttled and failed batches by letting them reappear; AWS recommends at least 5
 * receives before a message moves to the DLQ.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig
 */
const MIN_MAX_RECEIVE_COUNT = 5;

/** EDA6: a queue consumed by a Lambda event source mapping has no redrive policy, or maxReceiveCount < 5. */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const queue = model.resourceOf(node);
  if (queue?.type !== QUEUE_TYPE || !queue.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const consumed = sqsEventSources(model).some((source) => source.queue === queue);
  if (!consumed) return NagRuleCompliance.NOT_APPLICABLE;
  if (queue.properties.RedrivePolicy === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const policy = redrivePolicyOf(queue);
  if (!policy) return NagRuleCompliance.NOT_APPLICABLE;
  if (policy.deadLetterTargetArn === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const maxReceiveCount = asNumber(policy.maxReceiveCount);
  if (maxReceiveCount === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return maxReceiveCount < MIN_MAX_RECEIVE_COUNT ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const consumedQueueWithoutRedrive: RuleDefinition = {
  id: 'EDA6',
  name: 'ConsumedQueueWithoutRedrive',
  level: NagMessageLevel.ERROR,
  info: 'A queue consumed by Lambda has no dead-letter queue, or its maxReceiveCount is below 5.',
  explanation: 'Without a DLQ a poison message is retried until it expires, occupying consumer concurrency '
    + 'and database connections; with maxReceiveCount below 5, messages that were only throttled (each '
    + 'throttle counts as a receive) land in the DLQ although nothing failed. Set deadLetterQueue with '
    + 'maxReceiveCount ≥ 5. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig',
  check,
};
