import { CfnResource } from 'aws-cdk-lib';
import { asNumber } from '../model/cfn-references';
import { asSqsEventSource } from '../model/sqs-event-sources';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/**
 * CloudFormation defaults when the property is absent: VisibilityTimeout 30 s, Lambda Timeout 3 s.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html#cfn-sqs-queue-visibilitytimeout
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html#cfn-lambda-function-timeout
 */
const DEFAULT_VISIBILITY_TIMEOUT = 30;
const DEFAULT_FUNCTION_TIMEOUT = 3;
/** https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig */
const VISIBILITY_FACTOR = 6;

/** Property value in seconds: the default when absent, undefined when present but not a concrete number. */
function seconds(value: unknown, fallback: number): number | undefined {
  return value === undefined ? fallback : asNumber(value);
}

/** EDA5: the consumed queue's visibility timeout is shorter than 6 × the consumer function's timeout. */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const mapping = model.resourceOf(node);
  const source = mapping && asSqsEventSource(model, mapping);
  if (!source?.queue?.properties || !source.consumer?.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const visibility = seconds(source.queue.properties.VisibilityTimeout, DEFAULT_VISIBILITY_TIMEOUT);
  const timeout = seconds(source.consumer.properties.Timeout, DEFAULT_FUNCTION_TIMEOUT);
  if (visibility === undefined || timeout === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return visibility < VISIBILITY_FACTOR * timeout ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const sqsVisibilityTimeoutTooShort: RuleDefinition = {
  id: 'EDA5',
  name: 'SqsVisibilityTimeoutTooShort',
  level: NagMessageLevel.ERROR,
  info: 'The visibility timeout of a queue consumed by Lambda is less than 6 times the consumer function\'s timeout.',
  explanation: 'A message becomes visible again while its first invocation is still running (or being '
    + 'retried after throttling), so it is processed twice and its receive count grows towards the DLQ. '
    + 'AWS recommends a visibility timeout of at least six times the function timeout (plus '
    + 'MaximumBatchingWindowInSeconds). https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig',
  check,
};
