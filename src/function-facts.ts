import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { isConcrete } from './validation';

/**
 * Reads what the template says about a consumer function, at the moment it is called (so values set
 * after `addConsumer`, e.g. `cfnFunction.reservedConcurrentExecutions = 5`, are seen when called from a
 * validation or a Lazy). Aliases and versions resolve to the function they point at: reserved
 * concurrency and timeout belong to the function.
 */

/**
 * The `CfnFunction` behind a function, alias, version or L1 function of this app; undefined for an
 * imported function or anything that is not a Lambda function (an ECS service, say).
 */
export function cfnFunctionOf(fn: IConstruct): lambda.CfnFunction | undefined {
  let target: IConstruct = fn;
  if (target instanceof lambda.Alias) target = target.version;
  if (target instanceof lambda.Version) target = target.lambda;
  if (target instanceof lambda.CfnFunction) return target;
  const child = target.node.defaultChild;
  return child instanceof lambda.CfnFunction ? child : undefined;
}

/** Reserved concurrency of the function; undefined when not set, unknown (imported) or a token. */
export function reservedConcurrencyOf(fn: IConstruct): number | undefined {
  const value = cfnFunctionOf(fn)?.reservedConcurrentExecutions;
  return isConcrete(value) ? value : undefined;
}

/** Whether the function's timeout can be read from this app (false for imported functions and tokens). */
export function isTimeoutKnown(fn: lambda.IFunction): boolean {
  const cfn = cfnFunctionOf(fn);
  return cfn !== undefined && (cfn.timeout === undefined || isConcrete(cfn.timeout));
}

/**
 * Timeout of the function in seconds, Lambda's 3 s default when none is configured, undefined when it
 * cannot be known (imported function, token).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
export function timeoutSecondsOf(fn: lambda.IFunction, defaultSeconds: number): number | undefined {
  if (!isTimeoutKnown(fn)) return undefined;
  return cfnFunctionOf(fn)?.timeout ?? defaultSeconds;
}
