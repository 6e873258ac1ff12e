import { CfnResource } from 'aws-cdk-lib';
import { databaseEndpoints, proxiedDatabaseIds } from '../model/database-endpoints';
import { FUNCTION_TYPE, functionSecurityGroupKeys } from '../model/lambda-functions';
import { canReach } from '../model/security-group-reachability';
import { StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

/**
 * EDA2: a function's security group may connect straight to the database port of an instance or
 * cluster that has an RDS proxy in front of it (a DBProxyTargetGroup registers it).
 */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const fn = model.resourceOf(node);
  if (fn?.type !== FUNCTION_TYPE || !fn.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const groups = functionSecurityGroupKeys(fn);
  if (groups.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const proxied = proxiedDatabaseIds(model);
  const bypasses = databaseEndpoints(model).some((db) =>
    !db.isProxy && proxied.has(db.resource.logicalId) && canReach(model, groups, db.securityGroupKeys, db.port),
  );
  return bypasses ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const directDatabaseAccessDespiteProxy: RuleDefinition = {
  id: 'EDA2',
  name: 'DirectDatabaseAccessDespiteProxy',
  level: NagMessageLevel.ERROR,
  info: 'A Lambda function\'s security group can reach a database port directly although an RDS proxy exists for that database.',
  explanation: 'Every concurrent execution that connects directly opens its own database connection and '
    + 'bypasses the proxy\'s pool, so a burst exhausts max_connections (SQLSTATE 53300 / MySQL 1040) for '
    + 'everyone, and the proxy\'s failover and IAM authentication are skipped. Allow the function into the '
    + 'proxy\'s security group only (proxy.connections.allowDefaultPortFrom(fn)) and remove the ingress rule '
    + 'on the database\'s security group. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html',
  check,
};
