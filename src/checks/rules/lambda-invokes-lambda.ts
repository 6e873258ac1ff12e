import { CfnResource } from 'aws-cdk-lib';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { allReferencedLogicalIds, asList, isObject, referencedLogicalId } from '../model/cfn-references';
import { FUNCTION_TYPE, functionNamedBy, functionsUsingRole } from '../model/lambda-functions';
import { ModelResource, StackModel } from '../model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from '../nag-api';
import { RuleDefinition } from '../rule-definition';

const INVOKE = 'lambda:invokefunction';

/** Whether an IAM action pattern (with `*` / `?` wildcards, case-insensitive) covers lambda:InvokeFunction. */
function grantsInvoke(action: unknown): boolean {
  if (typeof action !== 'string') return false;
  const escaped = action.toLowerCase().replace(/[.+^$(){}|[\]\\]/g, '\\$&');
  return new RegExp('^' + escaped.replace(/\*/g, '.*').replace(/\?/g, '.') + '$').test(INVOKE);
}

/** The policy documents a resource carries, with the roles they apply to. */
function documentsAndRoles(resource: ModelResource): { documents: unknown[]; roleIds: string[] } | undefined {
  const props = resource.properties!;
  switch (resource.type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return {
        documents: [props.PolicyDocument],
        roleIds: asList(props.Roles).map(referencedLogicalId).filter((id): id is string => id !== undefined),
      };
    case 'AWS::IAM::Role':
      return { documents: asList(props.Policies).map((p) => (isObject(p) ? p.PolicyDocument : undefined)), roleIds: [resource.logicalId] };
    default:
      return undefined;
  }
}

/**
 * Whether a statement's resource element lets the grantee invoke a function other than itself:
 * a reference to another function of the stack (or its alias/version), a literal function ARN, or `*`.
 */
function targetsAnotherFunction(model: StackModel, resourceElement: unknown, granteeIds: Set<string>): boolean {
  return asList(resourceElement).some((resource) => {
    if (typeof resource === 'string') return resource === '*' || resource.includes(':function:');
    const ids = allReferencedLogicalIds(resource);
    return ids.some((id) => {
      const target = model.resource(id);
      const fn = target?.type === FUNCTION_TYPE ? target : functionNamedBy(model, { Ref: id });
      return fn !== undefined && !granteeIds.has(fn.logicalId);
    });
  });
}

/**
 * aws-cdk-lib's custom resource provider framework (`custom-resources.Provider`) invokes the user's
 * handler from its `framework-*` functions by design, at deploy time only: not the runtime antipattern.
 */
function isProviderFramework(fn: ModelResource): boolean {
  const owner = fn.node.node.scope?.node.scope;
  return owner instanceof Provider;
}

/**
 * EDA1: an IAM policy attached to a Lambda function's execution role allows lambda:InvokeFunction on
 * another function. Roles not used by a function (e.g. a Step Functions role) and the custom resource
 * provider framework's roles are not applicable.
 */
function check(node: CfnResource, model: StackModel): NagRuleCompliance {
  const resource = model.resourceOf(node);
  if (!resource?.properties) return NagRuleCompliance.NOT_APPLICABLE;
  const attached = documentsAndRoles(resource);
  if (!attached) return NagRuleCompliance.NOT_APPLICABLE;
  const grantees = attached.roleIds.flatMap((roleId) => functionsUsingRole(model, roleId)).filter((fn) => !isProviderFramework(fn));
  if (grantees.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const granteeIds = new Set(grantees.map((fn) => fn.logicalId));
  const statements = attached.documents.flatMap((doc) => (isObject(doc) ? asList(doc.Statement) : []));
  const invokesAnother = statements.some((statement) =>
    isObject(statement)
    && statement.Effect === 'Allow'
    && asList(statement.Action).some(grantsInvoke)
    && targetsAnotherFunction(model, statement.Resource, granteeIds),
  );
  return invokesAnother ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const lambdaInvokesLambda: RuleDefinition = {
  id: 'EDA1',
  name: 'LambdaInvokesLambda',
  level: NagMessageLevel.ERROR,
  info: 'A Lambda function\'s execution role is allowed lambda:InvokeFunction on another Lambda function.',
  explanation: 'Lambda-to-Lambda calls chain concurrency and timeouts: a synchronous caller waits (and pays) '
    + 'while the callee runs, throttling of the callee surfaces as caller errors, and each hop multiplies '
    + 'database connections. Decouple with an SQS queue (event source mapping with maxConcurrency) or '
    + 'orchestrate with Step Functions. https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html',
  check,
};
