import { CfnResource } from 'aws-cdk-lib';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/** EDA8: an RDS proxy whose RequireTLS is not true (CloudFormation's default is false). */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const proxy = model.resourceOf(node);
  if (proxy?.type !== 'AWS::RDS::DBProxy' || !proxy.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const requireTls = proxy.properties.RequireTLS;
  if (requireTls === true || requireTls === 'true') return NagRuleCompliance.COMPLIANT;
  if (requireTls === undefined || requireTls === false || requireTls === 'false') return NagRuleCompliance.NON_COMPLIANT;
  return NagRuleCompliance.NOT_APPLICABLE;
}

export const proxyWithoutRequireTls: RuleDefinition = {
  id: 'EDA8',
  name: 'ProxyWithoutRequireTls',
  level: NagMessageLevel.ERROR,
  info: 'An RDS proxy does not require TLS (RequireTLS is not true).',
  explanation: 'Without RequireTLS clients may connect to the proxy in plain text, exposing credentials '
    + '(or IAM tokens) and data inside the VPC. Set requireTLS: true (the aws-cdk-lib default) and connect '
    + 'with TLS. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbproxy.html#cfn-rds-dbproxy-requiretls',
  check,
};
