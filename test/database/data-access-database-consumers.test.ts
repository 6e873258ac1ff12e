import { Errors } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { newDatabase, rdsConnectResources, render } from './fixtures';
import { ConcurrencyBudget } from '../../src/budget/concurrency-budget';
import { ConnectionLedger } from '../../src/budget/connection-ledger';
import { DatabaseEngineFamily, DatabaseSource } from '../../src/database';
import { errorMessageOf } from '../support/error-message';

/*
 * EDA-17: the consumers README promises besides Lambda functions — ECS services (Fargate and EC2), EC2
 * instances and Auto Scaling groups — connect by passing them to grantRead/grantWrite as they are.
 */

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24');

function aurora() {
  return newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 }) });
}

function fargateService(scope: Construct, vpc: ec2.IVpc): ecs.FargateService {
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'ReaderTask');
  taskDefinition.addContainer('app', { image: IMAGE });
  return new ecs.FargateService(scope, 'ReaderService', { cluster, taskDefinition });
}

/** Ingress rules into the proxy security group from a source security group whose logical id starts with `prefix`. */
function proxyIngressFrom(template: Template, prefix: string) {
  return Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress', {
    Properties: {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'GroupId'] },
    },
  })).map((r) => ({ port: r.Properties.FromPort, description: r.Properties.Description }));
}

describe('an ECS Fargate service as a reader', () => {
  // GIVEN an Aurora database with a reader and a Fargate service in its VPC
  const { stack, vpc, db } = aurora();
  const service = fargateService(stack, vpc);
  // WHEN the service itself is granted
  const grant = db.grantRead(service, { declaredConcurrency: 4 });
  const template = Template.fromStack(stack);

  test('opens the proxy (READ_ONLY endpoint) security group to the service\'s security group on 5432', () => {
    expect(proxyIngressFrom(template, 'ReaderServiceSecurityGroup')).toEqual([{ port: 5432, description: 'Stack/ReaderService reads' }]);
  });

  test('grants rds-db:connect to the task role, scoped to the proxy and the user', () => {
    expect(rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${ReaderTaskTaskRole'))).toEqual([
      { roles: [expect.stringMatching(/^\$\{ReaderTaskTaskRole[0-9A-F]+\}$/)], resource: expect.stringMatching(/^arn:\$\{AWS::Partition\}:rds-db:eu-west-1:111122223333:dbuser:.*OrdersProxy.*\/eda_app$/) },
    ]);
  });

  test('returns an iam.Grant whose principal is the task role', () => {
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.flatMap((s) => s.actions)).toEqual(['rds-db:connect']);
  });

  test('sets the environment contract on the default container', () => {
    const [task] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
    const environment = Object.fromEntries(task.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, render(e.Value)]));
    expect(environment).toMatchObject({ EDA_ENGINE: 'postgres', EDA_AUTH: 'iam', EDA_DB_USER: 'eda_app', EDA_READ_PORT: '5432', EDA_POOL_MAX: '1' });
    expect(environment.EDA_READ_HOSTS).toMatch(/^\$\{OrdersReadOnlyEndpoint[0-9A-F]+\.Endpoint\}$/);
  });

  test('draws its declared concurrency from the READ_ONLY target, keyed by the service', () => {
    const draws = ConnectionLedger.of(stack).draws.filter((d) => d.consumer === service);
    expect(draws.map((d) => [d.target.name, d.declaredConcurrency, d.concurrencyLever]))
      .toEqual([['Stack/Orders/Proxy (read-only endpoint)', 4, 'the maximum task count (declaredConcurrency)']]);
  });
});

describe('an ECS service on EC2 as a writer', () => {
  test('gets the ingress from its security group and rds-db:connect on its task role', () => {
    // GIVEN an Ec2Service in awsvpc mode (the network mode with a security group of its own)
    const { stack, vpc, db } = aurora();
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t4g.small'), machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.ARM) });
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'WriterTask', { networkMode: ecs.NetworkMode.AWS_VPC });
    taskDefinition.addContainer('app', { image: IMAGE, memoryLimitMiB: 256 });
    const service = new ecs.Ec2Service(stack, 'WriterService', { cluster, taskDefinition });
    // WHEN
    db.grantWrite(service, { declaredConcurrency: 2 });
    // THEN
    const template = Template.fromStack(stack);
    expect(proxyIngressFrom(template, 'WriterServiceSecurityGroup')).toEqual([{ port: 5432, description: 'Stack/WriterService writes' }]);
    expect(rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${WriterTaskTaskRole'))).toHaveLength(1);
  });
});

describe('an EC2 instance', () => {
  test('connects directly: ingress from its security group, rds-db:connect on its role, counted as 1 environment', () => {
    // GIVEN an instance in the database's VPC
    const { stack, vpc, db } = aurora();
    const instance = new ec2.Instance(stack, 'Worker', {
      vpc, instanceType: new ec2.InstanceType('t4g.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    });
    // WHEN
    db.grantWrite(instance, { connectionsPerEnvironment: 3 });
    // THEN
    const template = Template.fromStack(stack);
    expect(proxyIngressFrom(template, 'WorkerInstanceSecurityGroup')).toEqual([{ port: 5432, description: 'Stack/Worker writes' }]);
    expect(rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${WorkerInstanceRole'))).toHaveLength(1);
    const report = JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack));
    const writer = report.targets.find((t: any) => t.kind === 'proxy-writer');
    expect(writer.consumers).toEqual([expect.objectContaining({ path: 'Stack/Worker', concurrency: 1, concurrencySource: 'declared', connections: 3 })]);
  });
});

describe('an Auto Scaling group', () => {
  test('connects directly, and the budget counts its maxCapacity', () => {
    // GIVEN a group of at most 6 instances
    const { stack, vpc, db } = aurora();
    const group = new autoscaling.AutoScalingGroup(stack, 'Fleet', {
      vpc,
      maxCapacity: 6,
      instanceType: new ec2.InstanceType('t4g.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    });
    // WHEN
    db.grantRead(group, { connectionsPerEnvironment: 2 });
    // THEN
    const template = Template.fromStack(stack);
    expect(proxyIngressFrom(template, 'FleetInstanceSecurityGroup')).toEqual([{ port: 5432, description: 'Stack/Fleet reads' }]);
    expect(rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${FleetInstanceRole'))).toHaveLength(1);
    const draw = ConnectionLedger.of(stack).draws.find((d) => d.consumer === group)!;
    expect([draw.declaredConcurrency, draw.connectionsPerEnvironment]).toEqual([6, 2]);
  });
});

describe('consumers that cannot be connected', () => {
  test('a Lambda function outside the VPC fails with our ValidationError before aws-cdk-lib\'s', () => {
    // GIVEN a function without vpc
    const { stack, db } = aurora();
    const fn = new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    // WHEN / THEN
    let error: unknown;
    try {
      db.grantRead(fn);
    } catch (e) {
      error = e;
    }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'grantRead consumer Stack/Reader is a Lambda function outside a VPC, so no security group can let it reach the database: ' +
      'create it with vpc (Stack/Vpc) and vpcSubnets of the database\'s VPC, or read through the RDS Data API (grantDataApiRead), which needs no VPC');
    expect((error as Error).message).not.toContain('Only VPC-associated Lambda Functions');
  });

  test('anything else fails at synth with a ValidationError that says what to pass', () => {
    // GIVEN a construct with a security group but no principal (what a JavaScript app could pass)
    const { stack, vpc, db } = aurora();
    const adapter = new Construct(stack, 'Adapter') as any;
    adapter.connections = new ec2.Connections({ securityGroups: [new ec2.SecurityGroup(adapter, 'Sg', { vpc })] });
    // WHEN / THEN
    expect(errorMessageOf(() => db.grantWrite(adapter))).toBe(
      'grantWrite consumer Stack/Adapter cannot be connected: pass a lambda.Function in the database\'s VPC, an ecs.FargateService or ecs.Ec2Service ' +
      '(its task role gets the grant), an ec2.Instance, an autoscaling.AutoScalingGroup, or a construct with connections (its security groups) and grantPrincipal (its IAM principal)');
  });
});
