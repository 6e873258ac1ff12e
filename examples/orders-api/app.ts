import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { WriteBuffer } from '../../src';

/**
 * Minimal orders API: a write buffer and one writer function that drains it with bounded concurrency.
 * Environment-agnostic (no account or region), so `cdk synth` needs no AWS credentials.
 */
class OrdersApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const buffer = new WriteBuffer(this, 'OrderWrites');

    const writer = new lambda.Function(this, 'OrderWriter', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: 5,
    });
    buffer.addConsumer(writer, { maxConcurrency: 5 });
  }
}

const app = new App();
new OrdersApiStack(app, 'OrdersApi');
app.synth();
