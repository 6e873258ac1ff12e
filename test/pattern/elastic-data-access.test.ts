import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Concurrency, DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } from '../../src';
import { acknowledgementsOn } from '../support/acknowledgements';

const WRITER_ENTRY = path.join(__dirname, 'fixtures', 'order-writer.ts');

function fn(stack: Stack, id: string, vpc: ec2.IVpc, reservedConcurrentExecutions?: number): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
    vpc,
    reservedConcurrentExecutions,
  });
}

function pattern(readers = 1) {
  const app = new App();
  const stack = new Stack(app, 'Orders');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const eda = new ElasticDataAccess(stack, 'Orders', {
    vpc,
    database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers, maxCapacity: 4 }),
  });
  return { app, stack, vpc, eda };
}

describe('ElasticDataAccess', () => {
  test('connectReader reserves concurrency and routes the function to the read path', () => {
    // GIVEN
    const { stack, vpc, eda } = pattern();
    const reader = fn(stack, 'Reader', vpc);
    // WHEN
    eda.connectReader(reader, { reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 100, duration: Duration.millis(200) }) });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 20,
      Environment: { Variables: Match.objectLike({ EDA_READ_HOSTS: Match.anyValue(), EDA_ENGINE: 'postgres' }) },
    });
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
  });

  test('a reader without reserved concurrency fails synth with advice on picking a number', () => {
    const { app, stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', vpc));
    expect(() => app.synth()).toThrow(/Orders\/Reader connects to .* without reserved concurrency.*Little's law/);
  });

  test('a reader whose function already reserves a different number is rejected', () => {
    const { stack, vpc, eda } = pattern();
    expect(() => eda.connectReader(fn(stack, 'Reader', vpc, 10), { reservedConcurrency: 20 }))
      .toThrow('connectReader reservedConcurrency 20 conflicts with the reservedConcurrentExecutions 10 already set on Orders/Reader');
  });

  test('provisioned concurrency for a hot reader creates a live alias', () => {
    const { stack, vpc, eda } = pattern();
    const { alias } = eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 20, provisionedConcurrency: 5 });
    expect(alias?.aliasName).toBe('live');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 },
    });
  });

  test('provisioned concurrency above reserved concurrency is rejected', () => {
    const { stack, vpc, eda } = pattern();
    expect(() => eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 4, provisionedConcurrency: 5 }))
      .toThrow('provisionedConcurrency must be between 1 and 4, got 5 (the reserved concurrency of Orders/Reader)');
  });

  test('connectProducer grants SendMessage on the buffer and sets the queue URL', () => {
    const { stack, vpc, eda } = pattern();
    const api = fn(stack, 'Api', vpc);
    const env = eda.connectProducer(api);
    expect(Object.keys(env)).toEqual(['EDA_WRITE_QUEUE_URL', 'EDA_WRITE_QUEUE_FIFO']);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { EDA_WRITE_QUEUE_URL: { Ref: Match.stringLikeRegexp('OrdersWriteBufferQueue') }, EDA_WRITE_QUEUE_FIFO: 'false' } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]) },
    });
  });

  test('connectProducer of an ECS service grants SendMessage to its task role and sets the queue URL on its default container', () => {
    // GIVEN a Fargate service
    const { stack, vpc, eda } = pattern();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'ApiTask');
    taskDefinition.addContainer('api', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24') });
    const service = new ecs.FargateService(stack, 'Api', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition });
    // WHEN
    eda.connectProducer(service);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ApiTaskTaskRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]) },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'EDA_WRITE_QUEUE_URL', Value: { Ref: Match.stringLikeRegexp('OrdersWriteBufferQueue') } },
          { Name: 'EDA_WRITE_QUEUE_FIFO', Value: 'false' },
        ]),
      })],
    });
  });

  test('addWriter creates a bounded arm64 writer with JSON logs, tracing, VPC and the buffer as its event source', () => {
    // GIVEN / WHEN
    const { stack, eda } = pattern();
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY, maxConcurrency: 3 });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON' },
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 3,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: { Variables: Match.objectLike({ EDA_DEAD_LETTER_QUEUE_URL: Match.anyValue(), EDA_WRITE_HOST: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    expect(eda.writers).toHaveLength(1);
  });

  test('addWriter acknowledges on its own function the findings of an SQS-driven, traced VPC function, with reasons', () => {
    const { eda } = pattern();
    const writer = eda.addWriter('OrderWriter', { entry: WRITER_ENTRY });
    const acknowledged = acknowledgementsOn(writer);
    expect(acknowledged.map((a) => a.id)).toEqual(expect.arrayContaining([
      'Serverless::Serverless-LambdaDLQ',
      'Serverless::Serverless-LambdaEventSourceMappingDestination',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
    ]));
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  test('passes the database access options through: readOnlyEndpoint false reads the Aurora reader endpoint directly', () => {
    // GIVEN / WHEN
    const app = new App();
    const stack = new Stack(app, 'Direct');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const eda = new ElasticDataAccess(stack, 'Orders', {
      vpc,
      database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 }),
      readOnlyEndpoint: false,
      defaultUser: 'orders_app',
    });
    eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 10 });
    // THEN no proxy endpoint; the reader's user is the default user given to the pattern
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ EDA_DB_USER: 'orders_app' }) } });
  });

  test('existingProxySecurityGroups lets functions in on an imported proxy, which has no connections of its own', () => {
    // GIVEN an imported proxy and its security group
    const app = new App();
    const stack = new Stack(app, 'Imported');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const proxySecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ProxySg', 'sg-0123456789abcdef1');
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Proxy', {
      dbProxyName: 'payments', dbProxyArn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123', endpoint: 'payments.proxy-x.eu-west-1.rds.amazonaws.com', securityGroups: [proxySecurityGroup],
    });
    const eda = new ElasticDataAccess(stack, 'Payments', {
      vpc,
      database: DatabaseSource.existingCluster({
        engine: DatabaseEngineFamily.POSTGRES,
        clusterIdentifier: 'payments',
        clusterResourceIdentifier: 'cluster-ABC',
        clusterEndpointAddress: 'payments.cluster-x.eu-west-1.rds.amazonaws.com',
        maxConnections: 1000,
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'ClusterSg', 'sg-0123456789abcdef0')],
      }),
      existingProxy: proxy,
      existingProxySecurityGroups: [proxySecurityGroup],
    });
    // WHEN
    eda.addWriter('Writer', { entry: WRITER_ENTRY });
    // THEN the writer is allowed in on the imported group
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef1', FromPort: 5432, ToPort: 5432 });
    expect(eda.database.proxy).toBe(proxy);
  });

  test('a writer without numbers gets 5 reserved environments and maxConcurrency 5', () => {
    const { stack, eda } = pattern();
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5, Architectures: ['arm64'] });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 5 } });
  });

  test('readers that together exceed the read endpoint capacity fail synth naming the functions', () => {
    const { app, stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'ReaderA', vpc), { reservedConcurrency: 400 });
    eda.connectReader(fn(stack, 'ReaderB', vpc), { reservedConcurrency: 400 });
    expect(() => app.synth()).toThrow(/is over budget: Σ concurrency × connections per environment = 800 exceeds its capacity of \d+ .*Orders\/ReaderA \(400 × 1\), Orders\/ReaderB \(400 × 1\)/);
  });

  test('a non-Lambda consumer declares its concurrency and draws from the writer', () => {
    const { app, stack, vpc, eda } = pattern();
    const instance = new ec2.Instance(stack, 'Service', {
      vpc, instanceType: new ec2.InstanceType('t4g.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    });
    eda.database.grantWrite(instance, { declaredConcurrency: 4, connectionsPerEnvironment: 5 });
    const info = eda.database.writeConnectionInfo({ declaredConcurrency: 4, connectionsPerEnvironment: 5 });
    expect(info.environment.EDA_POOL_MAX).toBe('5');
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Orders.concurrency-budget.json'), 'utf8'));
    const writer = report.targets.find((t: any) => t.kind === 'proxy-writer');
    expect(writer.consumers).toEqual([{ path: 'Orders/Service', concurrency: 4, concurrencySource: 'declared', connectionsPerEnvironment: 5, connections: 20, concurrencyLever: 'the processes per instance (declaredConcurrency) or their connections (connectionsPerEnvironment)' }]);
  });

  test('the budget report of a reader, a producer and a writer has their numbers', () => {
    // GIVEN
    const { app, stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 50 });
    eda.connectProducer(fn(stack, 'Api', vpc, 30));
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY, maxConcurrency: 4, connectionsPerEnvironment: 2 });
    // WHEN
    const assembly = app.synth();
    // THEN
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Orders.concurrency-budget.json'), 'utf8'));
    const read = report.targets.find((t: any) => t.kind === 'proxy-read-only');
    const write = report.targets.find((t: any) => t.kind === 'proxy-writer');
    expect(read.consumers).toEqual([expect.objectContaining({ path: 'Orders/Reader', concurrency: 50, connections: 50 })]);
    expect(read.demand).toBe(50);
    expect(write.consumers).toEqual([expect.objectContaining({ path: 'Orders/Orders/OrderWriter', concurrency: 4, connectionsPerEnvironment: 2, connections: 8 })]);
    expect(write.headroom).toBe(write.capacity - 8);
    expect(report.account).toEqual(expect.objectContaining({ reserved: 84, reservable: 900, headroom: 816 }));
  });

  test('a VPC with only isolated subnets hosts the database, the proxy and the writer there', () => {
    // GIVEN a VPC without NAT or egress subnets, a common choice for databases
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    // WHEN
    const eda = new ElasticDataAccess(stack, 'Orders', { vpc, database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY });
    // THEN
    const isolated = vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: isolated }) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBProxy', { VpcSubnetIds: isolated });
    expect(eda.database.vpcSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
  });

  test('monitoring is on by default: every connected function is watched and every alarm has actions', () => {
    // GIVEN / WHEN
    const { stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 10 });
    eda.connectProducer(fn(stack, 'Api', vpc, 5));
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY });
    // THEN
    expect(eda.monitoring?.functions.map((m) => [m.function.node.path, m.databaseFacing])).toEqual([
      ['Orders/Reader', true], ['Orders/Api', false], ['Orders/Orders/OrderWriter', true],
    ]);
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(15);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('a function connected in two roles is monitored once', () => {
    const { stack, vpc, eda } = pattern();
    const api = fn(stack, 'Api', vpc);
    eda.connectReader(api, { reservedConcurrency: 10 });
    eda.connectProducer(api);
    expect(eda.monitoring?.functions.map((m) => m.function.node.path)).toEqual(['Orders/Api']);
  });

  test('monitoring can be turned off', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const eda = new ElasticDataAccess(stack, 'Orders', {
      vpc, database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }), monitoring: { enabled: false },
    });
    expect(eda.monitoring).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('budget.accountConcurrency configures the app-wide budget', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const eda = new ElasticDataAccess(stack, 'Orders', {
      vpc,
      database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 }),
      budget: { accountConcurrency: 3000 },
    });
    expect(eda.budget.accountConcurrency).toBe(3000);
  });

  test('snapshot of the pattern with a reader, a producer and a writer', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', vpc), { reservedConcurrency: 50 });
    eda.connectProducer(fn(stack, 'Api', vpc, 30));
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY, maxConcurrency: 4 });
    const template = Template.fromStack(stack).toJSON();
    // Asset hashes change with esbuild versions; the review artefact is the resource shape.
    expect(JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}\.zip/g, 'ASSET.zip'))).toMatchSnapshot();
  });
});
