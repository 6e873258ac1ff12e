import { CfnResource } from 'aws-cdk-lib';
import { databaseEndpoints } from '../model/database-endpoints';
import { FUNCTION_TYPE, functionSecurityGroupKeys } from '../model/lambda-functions';
import { canReach } from '../model/security-group-reachability';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/**
 * EDA3: a VPC function whose security group can reach a database or proxy port has no
 * ReservedConcurrentExecutions. A token value counts as set: it exists, only its size is unknown.
 */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const fn = model.resourceOf(node);
  if (fn?.type !== FUNCTION_TYPE || !fn.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const groups = functionSecurityGroupKeys(fn);
  if (groups.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const reachesDatabase = databaseEndpoints(model).some((db) => canReach(model, groups, db.securityGroupKeys, db.port));
  if (!reachesDatabase) return NagRuleCompliance.NOT_APPLICABLE;
  return fn.properties.ReservedConcurrentExecutions === undefined ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const databaseClientWithoutReservedConcurrency: RuleDefinition = {
  id: 'EDA3',
  name: 'DatabaseClientWithoutReservedConcurrency',
  level: NagMessageLevel.ERROR,
  info: 'A VPC Lambda function that can reach a database or RDS proxy has no reserved concurrency.',
  explanation: 'Without reservedConcurrentExecutions a function can scale to the account limit (1,000 by '
    + 'default, +1,000 environments every 10 s), each execution holding a connection: the database or proxy '
    + 'runs out of connections and unrelated functions are throttled. Set reservedConcurrentExecutions to '
    + 'the connections you budget for this function. '
    + 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html',
  check,
};
