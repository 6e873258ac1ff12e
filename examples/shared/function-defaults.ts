import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * What every example function has in common: the newest Node.js runtime on arm64, an explicit memory
 * size, JSON logs, active tracing, and an esbuild bundle that leaves only the Lambda runtime's
 * `@aws-sdk/client-*` external (@aws-sdk/rds-signer is bundled: it is not guaranteed in the runtime).
 */
export const EXAMPLE_FUNCTION_DEFAULTS: nodejs.NodejsFunctionProps = {
  runtime: lambda.Runtime.NODEJS_24_X,
  memorySize: 512,
  architecture: lambda.Architecture.ARM_64,
  loggingFormat: lambda.LoggingFormat.JSON,
  tracing: lambda.Tracing.ACTIVE,
  bundling: { minify: true, sourceMap: true, externalModules: ['@aws-sdk/client-*'] },
};
