import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** A stack in a fresh app with a two-AZ VPC (public + private-with-egress subnets). */
export function stackWithVpc(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(new App(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return { stack, vpc };
}

/** A reader function with inline code; pass vpc to place it in the VPC. */
export function readerFunction(scope: Construct, id: string, vpc?: ec2.IVpc): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    vpc,
  });
}

export { errorMessageOf } from '../support/error-message';

/** A consumer that is only a construct with security groups (e.g. an EC2 fleet or an ECS service). */
export class ConnectableConsumer extends Construct implements ec2.IConnectable {
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, securityGroups: ec2.ISecurityGroup[]) {
    super(scope, id);
    this.connections = new ec2.Connections({ securityGroups });
  }
}
