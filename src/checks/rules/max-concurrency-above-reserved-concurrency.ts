import { CfnResource } from 'aws-cdk-lib';
import { asNumber } from '../model/cfn-references';
import { asSqsEventSource, sqsEventSources } from '../model/sqs-event-sources';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/**
 * EDA7: the consumer has ReservedConcurrentExecutions and this SQS mapping either has no
 * ScalingConfig.MaximumConcurrency, or its maximum (or the sum over all SQS mappings of that function)
 * exceeds the reservation.
 */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const mapping = model.resourceOf(node);
  const source = mapping && asSqsEventSource(model, mapping);
  const reservedValue = source?.consumer?.properties?.ReservedConcurrentExecutions;
  if (!source || reservedValue === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const reserved = asNumber(reservedValue);
  const maximum = source.mapping.properties?.ScalingConfig?.MaximumConcurrency;
  if (maximum === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const ownMaximum = asNumber(maximum);
  if (reserved === undefined || ownMaximum === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const siblings = sqsEventSources(model).filter((other) => other.consumer === source.consumer);
  const maxima = siblings.map((other) => asNumber(other.mapping.properties?.ScalingConfig?.MaximumConcurrency));
  const total = maxima.every((m) => m !== undefined) ? maxima.reduce((sum: number, m) => sum + m!, 0) : ownMaximum;
  return ownMaximum > reserved || total > reserved ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const maxConcurrencyAboveReservedConcurrency: RuleDefinition = {
  id: 'EDA7',
  name: 'MaxConcurrencyAboveReservedConcurrency',
  level: NagMessageLevel.ERROR,
  info: 'An SQS event source mapping may invoke its function more concurrently than the function\'s reserved '
    + 'concurrency (MaximumConcurrency missing, or above ReservedConcurrentExecutions, alone or summed over the function\'s SQS mappings).',
  explanation: 'Lambda\'s SQS pollers do not know about reserved concurrency: above it, invocations are '
    + 'throttled, each throttle returns the batch to the queue and counts as a receive, and healthy messages '
    + 'reach the DLQ. Set ScalingConfig.MaximumConcurrency (maxConcurrency, 2–1000) to at most the reserved '
    + 'concurrency, shared across all SQS sources of the function. '
    + 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency',
  check,
};
