import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DataAccessDatabase, DataAccessDatabaseProps, IDatabaseConsumer } from '../../src/database';

/** A stack with a two-AZ VPC, in a concrete region and account so ARNs are readable. */
export function newStack(): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return { app, stack, vpc };
}

/** A DataAccessDatabase in a fresh stack. */
export function newDatabase(props: Omit<DataAccessDatabaseProps, 'vpc'>): { app: App; stack: Stack; vpc: ec2.Vpc; db: DataAccessDatabase } {
  const { app, stack, vpc } = newStack();
  const db = new DataAccessDatabase(stack, 'Orders', { vpc, ...props });
  return { app, stack, vpc, db };
}

/** A Lambda function in the VPC, the usual consumer. */
export function newFunction(scope: Construct, id: string, vpc: ec2.IVpc, reservedConcurrentExecutions = 10): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    vpc,
    // The ConcurrencyBudget requires reserved concurrency on every database consumer.
    reservedConcurrentExecutions,
  });
}

/** A non-Lambda consumer (think ECS service): a security group and a role. */
export class TaskConsumer extends Construct implements IDatabaseConsumer {
  public readonly connections: ec2.Connections;
  public readonly grantPrincipal: iam.IPrincipal;
  public constructor(scope: Construct, id: string, vpc: ec2.IVpc) {
    super(scope, id);
    this.connections = new ec2.Connections({ securityGroups: [new ec2.SecurityGroup(this, 'Sg', { vpc })] });
    this.grantPrincipal = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  }
}

/** Renders a CloudFormation string expression with `${Ref}` / `${Logical.Attr}` placeholders, for readable assertions. */
export function render(value: any): string {
  if (typeof value === 'string') return value;
  if (value?.Ref) return `\${${value.Ref}}`;
  if (value?.['Fn::GetAtt']) return `\${${value['Fn::GetAtt'].join('.')}}`;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** Every resource of every `rds-db:connect` statement in the template, rendered, by policy roles. */
export function rdsConnectResources(template: Template): Array<{ roles: string[]; resource: string }> {
  const found: Array<{ roles: string[]; resource: string }> = [];
  for (const policy of Object.values<any>(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []).map(render);
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      const actions = [statement.Action].flat();
      if (!actions.includes('rds-db:connect')) continue;
      for (const resource of [statement.Resource].flat()) found.push({ roles, resource: render(resource) });
    }
  }
  return found;
}
