import { allReferencedLogicalIds, referencedLogicalId } from './cfn-references';
import { securityGroupKeys } from './security-group-reachability';
import { ModelResource, StackModel } from './stack-model';

export const FUNCTION_TYPE = 'AWS::Lambda::Function';
const ALIAS_TYPE = 'AWS::Lambda::Alias';
const VERSION_TYPE = 'AWS::Lambda::Version';

/**
 * The function a value names: a Ref/GetAtt of the function itself, or of an alias or version of it
 * (an event source mapping may target `fn:live`), or a literal name / ARN of a function in the stack.
 * Undefined when the value names nothing this stack defines.
 * Used for an event source mapping's FunctionName and for IAM resource ARNs.
 */
export function functionNamedBy(model: StackModel, value: unknown): ModelResource | undefined {
  const target = model.resource(referencedLogicalId(value) ?? soleReferencedId(value));
  if (target?.type === FUNCTION_TYPE) return target;
  if (target && (target.type === ALIAS_TYPE || target.type === VERSION_TYPE)) {
    const inner = model.resource(referencedLogicalId(target.properties?.FunctionName));
    return inner?.type === FUNCTION_TYPE ? inner : undefined;
  }
  if (typeof value === 'string') {
    // Lambda accepts a name, a partial ARN or a full ARN (optionally qualified) as FunctionName.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html#cfn-lambda-eventsourcemapping-functionname
    const name = value.includes(':function:') ? value.split(':function:')[1].split(':')[0] : value.split(':')[0];
    return model.ofType(FUNCTION_TYPE).find((fn) => fn.properties?.FunctionName === name);
  }
  return undefined;
}

/**
 * aws-cdk-lib names an alias in a mapping as `Fn::Join [Fn::Select [6, Fn::Split [':', Ref Alias]], ':live']`:
 * when a computed value references exactly one resource, that resource is the one it names.
 */
function soleReferencedId(value: unknown): string | undefined {
  const ids = allReferencedLogicalIds(value);
  return ids.length === 1 ? ids[0] : undefined;
}

/** Identity keys of the security groups a function is attached to; empty when not in a VPC or unknown. */
export function functionSecurityGroupKeys(fn: ModelResource): string[] {
  return securityGroupKeys(fn.properties?.VpcConfig?.SecurityGroupIds);
}

/** The functions whose execution role is the role with this logical id. */
export function functionsUsingRole(model: StackModel, roleLogicalId: string): ModelResource[] {
  return model.ofType(FUNCTION_TYPE).filter((fn) => referencedLogicalId(fn.properties?.Role) === roleLogicalId);
}
