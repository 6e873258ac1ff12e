import { CfnResource } from 'aws-cdk-lib';
import { asList } from '../model/cfn-references';
import { asSqsEventSource } from '../model/sqs-event-sources';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/** EDA4: an SQS event source mapping whose FunctionResponseTypes lacks ReportBatchItemFailures. */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const mapping = model.resourceOf(node);
  const source = mapping && asSqsEventSource(model, mapping);
  if (!source) return NagRuleCompliance.NOT_APPLICABLE;
  const responseTypes = source.mapping.properties?.FunctionResponseTypes;
  if (responseTypes !== undefined && !Array.isArray(responseTypes)) return NagRuleCompliance.NOT_APPLICABLE;
  return asList(responseTypes).includes('ReportBatchItemFailures') ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const sqsEventSourceWithoutBatchItemFailures: RuleDefinition = {
  id: 'EDA4',
  name: 'SqsEventSourceWithoutBatchItemFailures',
  level: NagMessageLevel.ERROR,
  info: 'An SQS event source mapping does not report batch item failures (FunctionResponseTypes lacks ReportBatchItemFailures).',
  explanation: 'Without partial batch responses one failed message makes the whole batch visible again: the '
    + 'messages that succeeded are processed (and written to the database) again, and retries of a poison '
    + 'message burn receives of its neighbours until they land in the DLQ. Set reportBatchItemFailures: true '
    + 'and return batchItemFailures from the handler (Powertools BatchProcessor). '
    + 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting',
  check,
};
