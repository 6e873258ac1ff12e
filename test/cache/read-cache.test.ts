import { Template, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ConnectableConsumer, readerFunction, stackWithVpc } from './read-cache-fixture';
import { ReadCache } from '../../src/cache';

describe('ReadCache', () => {
  test('creates a serverless cache with engine valkey 8', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      MajorEngineVersion: '8',
    });
  });

  test('places the cache endpoint in the private subnets of the VPC by default', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc });

    const privateSubnetIds = vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      SubnetIds: privateSubnetIds,
    });
  });

  test('places the cache endpoint in the selected subnets', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      SubnetIds: vpc.publicSubnets.map((s) => stack.resolve(s.subnetId)),
    });
  });

  test('attaches its own security group without outbound rules', () => {
    const { stack, vpc } = stackWithVpc();

    const cache = new ReadCache(stack, 'Cache', { vpc });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      SecurityGroupIds: [stack.resolve(cache.securityGroup.securityGroupId)],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'ElastiCache Serverless read cache Stack/Cache',
      VpcId: stack.resolve(vpc.vpcId),
      // aws-cdk-lib renders "no outbound" as a single rule to an unroutable address.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('generates a lowercase cache name of at most 40 characters', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'ReadCacheWithAVeryLongConstructIdThatMustBeShortened', { vpc });

    const caches = Template.fromStack(stack).findResources('AWS::ElastiCache::ServerlessCache');
    const name = Object.values(caches)[0].Properties.ServerlessCacheName as string;
    expect(name.length).toBeLessThanOrEqual(40);
    expect(name).toBe(name.toLowerCase());
  });

  test('uses the given cache name', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc, cacheName: 'orders-cache' });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', { ServerlessCacheName: 'orders-cache' });
  });

  test('sets no usage limits by default', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', { CacheUsageLimits: Match.absent() });
  });

  test('renders the data storage limit in GB', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: 10 });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      CacheUsageLimits: { DataStorage: { Maximum: 10, Unit: 'GB' }, ECPUPerSecond: Match.absent() },
    });
  });

  test('renders the ECPU per second limits', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'Cache', { vpc, minEcpuPerSecond: 5000, maxEcpuPerSecond: 20000 });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      CacheUsageLimits: { ECPUPerSecond: { Minimum: 5000, Maximum: 20000 }, DataStorage: Match.absent() },
    });
  });

  test('encrypts at rest with the given KMS key', () => {
    const { stack, vpc } = stackWithVpc();
    const key = new kms.Key(stack, 'Key');

    new ReadCache(stack, 'Cache', { vpc, encryptionKey: key });

    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ServerlessCache', { KmsKeyId: stack.resolve(key.keyArn) });
  });

  test('keeps snapshots for the given number of days and none by default', () => {
    const { stack, vpc } = stackWithVpc();

    new ReadCache(stack, 'WithSnapshots', { vpc, snapshotRetentionDays: 7 });
    new ReadCache(stack, 'WithoutSnapshots', { vpc });

    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::ElastiCache::ServerlessCache', { SnapshotRetentionLimit: 7 }, 1);
    template.resourcePropertiesCountIs('AWS::ElastiCache::ServerlessCache', { SnapshotRetentionLimit: Match.absent() }, 1);
  });

  test('exposes the endpoint attributes of the serverless cache', () => {
    const { stack, vpc } = stackWithVpc();

    const cache = new ReadCache(stack, 'Cache', { vpc });

    expect(stack.resolve(cache.endpointAddress)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cache.resource), 'Endpoint.Address'] });
    expect(stack.resolve(cache.endpointPort)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cache.resource), 'Endpoint.Port'] });
    expect(stack.resolve(cache.readerEndpointPort)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cache.resource), 'ReaderEndpoint.Port'] });
    expect(stack.resolve(cache.cacheArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cache.resource), 'ARN'] });
  });

  test('matches the snapshot', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc, cacheName: 'orders-cache', maxDataStorageGb: 5, maxEcpuPerSecond: 10000 });
    cache.connect(readerFunction(stack, 'Reader', vpc));

    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

describe('ReadCache.connect', () => {
  test('opens the primary port 6379 from the consumer security group', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const reader = readerFunction(stack, 'Reader', vpc);

    cache.connect(reader);

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 6379,
      ToPort: 6379,
      GroupId: stack.resolve(cache.securityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(reader.connections.securityGroups[0].securityGroupId),
    });
  });

  test('opens the reader port 6380 from the consumer security group', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const reader = readerFunction(stack, 'Reader', vpc);

    cache.connect(reader);

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 6380,
      ToPort: 6380,
      GroupId: stack.resolve(cache.securityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(reader.connections.securityGroups[0].securityGroupId),
    });
  });

  test('adds egress rules to a consumer whose security group restricts outbound traffic', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const restricted = new ec2.SecurityGroup(stack, 'Restricted', { vpc, allowAllOutbound: false });

    cache.connect(new ConnectableConsumer(stack, 'Consumer', [restricted]));

    const template = Template.fromStack(stack);
    for (const port of [6379, 6380]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: stack.resolve(restricted.securityGroupId),
        FromPort: port,
        ToPort: port,
        DestinationSecurityGroupId: stack.resolve(cache.securityGroup.securityGroupId),
      });
    }
  });

  test('sets the cache environment variables on a Lambda consumer', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const reader = readerFunction(stack, 'Reader', vpc);

    cache.connect(reader);

    const cacheId = stack.getLogicalId(cache.resource);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          EDA_CACHE_HOST: { 'Fn::GetAtt': [cacheId, 'Endpoint.Address'] },
          EDA_CACHE_PORT: { 'Fn::GetAtt': [cacheId, 'Endpoint.Port'] },
          EDA_CACHE_READER_PORT: { 'Fn::GetAtt': [cacheId, 'ReaderEndpoint.Port'] },
          EDA_CACHE_TLS: 'true',
          EDA_CACHE_CLUSTER: 'true',
        },
      },
    });
  });

  test('returns the environment for consumers that are not Lambda functions', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:latest') });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });

    const connection = cache.connect(service);

    expect(connection.environment.EDA_CACHE_TLS).toBe('true');
    expect(stack.resolve(connection.environment.EDA_CACHE_HOST)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cache.resource), 'Endpoint.Address'] });
    expect(stack.resolve(connection.host)).toEqual(stack.resolve(cache.endpointAddress));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 6379,
      SourceSecurityGroupId: stack.resolve(service.connections.securityGroups[0].securityGroupId),
    });
  });

  test('granting the same consumer twice adds each rule once', () => {
    const { stack, vpc } = stackWithVpc();
    const cache = new ReadCache(stack, 'Cache', { vpc });
    const reader = readerFunction(stack, 'Reader', vpc);

    cache.connect(reader);
    cache.connect(reader);

    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
  });
});
