import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** A stack in a fresh app, environment-agnostic. */
export function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

/** A writer function with inline code (no bundling); props override the defaults. */
export function writerFunction(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    ...props,
  });
}

export { errorMessageOf } from '../support/error-message';
