import { Lazy, Names, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ReadCacheConnection, ReadCacheProps } from './read-cache-props';
import * as limits from './serverless-cache-limits';
import { fail, validateInteger, validateRange } from '../validation';

/**
 * An ElastiCache Serverless (Valkey) cache for the read path: readers check it before the database
 * (`cachedRead` in `@cdk-elastic-data-access/runtime`), writers invalidate keys after a write.
 *
 * The cache sits in the given VPC behind its own security group, which `connect` opens to each
 * consumer on the primary (6379) and reader (6380) ports. Serverless caches always encrypt in transit
 * (TLS only) and at rest. aws-cdk-lib 2.276 has no L2 for serverless caches (only the
 * `@aws-cdk/aws-elasticache-alpha` module), so this wraps `CfnServerlessCache`.
 *
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/WhatIs.corecomponents.html
 */
export class ReadCache extends Construct implements ec2.IConnectable {
  /** The security group of the cache endpoint. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Security-group rules of the cache (default port: the primary endpoint). */
  public readonly connections: ec2.Connections;
  /** Host name of the cache endpoint. */
  public readonly endpointAddress: string;
  /** Port of the primary endpoint. */
  public readonly endpointPort: string;
  /** Port of the reader endpoint (reads from replicas). */
  public readonly readerEndpointPort: string;
  /** ARN of the serverless cache. */
  public readonly cacheArn: string;
  /** Name of the serverless cache. */
  public readonly cacheName: string;
  /** The underlying CloudFormation resource. */
  public readonly resource: elasticache.CfnServerlessCache;

  constructor(scope: Construct, id: string, props: ReadCacheProps) {
    super(scope, id);
    this.validateProps(props);

    const subnets = props.vpc.selectSubnets(props.vpcSubnets);
    // Without SubnetIds, ElastiCache picks subnets of the account's *default* VPC, not of props.vpc.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-serverlesscache.html
    if (subnets.subnetIds.length === 0) {
      fail(this, 'EdaNoSubnets', `vpcSubnets selects no subnet in ${props.vpc.node.path}: the cache endpoint needs at least one subnet of the VPC`);
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `ElastiCache Serverless read cache ${this.node.path}`,
      // The cache never opens connections itself.
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [this.securityGroup],
      defaultPort: ec2.Port.tcp(limits.PRIMARY_PORT),
    });

    this.cacheName = props.cacheName ?? Lazy.string({
      produce: () => Names.uniqueResourceName(this, { maxLength: limits.MAX_CACHE_NAME_LENGTH }).toLowerCase(),
    });

    this.resource = new elasticache.CfnServerlessCache(this, 'Resource', {
      engine: 'valkey',
      majorEngineVersion: props.majorEngineVersion ?? limits.DEFAULT_MAJOR_ENGINE_VERSION,
      serverlessCacheName: this.cacheName,
      description: `Read cache of ${this.node.path} (cdk-elastic-data-access)`,
      subnetIds: subnets.subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      kmsKeyId: props.encryptionKey?.keyArn,
      cacheUsageLimits: renderUsageLimits(props),
      snapshotRetentionLimit: props.snapshotRetentionDays,
    });

    this.endpointAddress = this.resource.attrEndpointAddress;
    this.endpointPort = this.resource.attrEndpointPort;
    this.readerEndpointPort = this.resource.attrReaderEndpointPort;
    this.cacheArn = this.resource.attrArn;
  }

  /**
   * Lets `consumer` reach the cache: security-group rules from the consumer to the primary (6379)
   * and reader (6380) ports, and on Lambda functions the EDA_CACHE_* environment variables.
   *
   * No IAM permission is needed: the cache has no user group, so network access is access. The
   * consumer must be in the cache's VPC (a Lambda function needs `vpc`).
   */
  public connect(consumer: ec2.IConnectable): ReadCacheConnection {
    const name = Construct.isConstruct(consumer) ? consumer.node.path : 'the consumer';
    const securityGroups = securityGroupsOf(consumer);
    if (securityGroups === undefined || securityGroups.length === 0) {
      fail(this, 'EdaConsumerWithoutSecurityGroup',
        `connect consumer ${name} has no security group: put it in the VPC of ${this.node.path} (for a Lambda function, set vpc) so it can reach the cache`);
    }
    this.connections.allowDefaultPortFrom(consumer, `from ${name} to the cache primary endpoint`);
    this.connections.allowFrom(consumer, ec2.Port.tcp(limits.READER_PORT), `from ${name} to the cache reader endpoint`);

    const connection: ReadCacheConnection = {
      host: this.endpointAddress,
      port: this.endpointPort,
      readerPort: this.readerEndpointPort,
      environment: {
        EDA_CACHE_HOST: this.endpointAddress,
        EDA_CACHE_PORT: this.endpointPort,
        EDA_CACHE_READER_PORT: this.readerEndpointPort,
        // Serverless caches accept TLS connections only.
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html
        EDA_CACHE_TLS: 'true',
        // A serverless cache presents a cluster-mode-enabled endpoint (CLUSTER SLOTS, MOVED redirects), so
        // clients run in cluster mode; the local redis-server of the tests does not, hence the flag.
        EDA_CACHE_CLUSTER: 'true',
      },
    };
    if (consumer instanceof lambda.Function) {
      for (const [variable, value] of Object.entries(connection.environment)) consumer.addEnvironment(variable, value);
    }
    return connection;
  }

  private validateProps(props: ReadCacheProps): void {
    const name = props.cacheName;
    if (name !== undefined && !Token.isUnresolved(name)
      && (name.length > limits.MAX_CACHE_NAME_LENGTH || !limits.CACHE_NAME_PATTERN.test(name))) {
      fail(this, 'EdaCacheName',
        `cacheName must be 1-${limits.MAX_CACHE_NAME_LENGTH} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got '${name}'`);
    }
    validateInteger(this, 'maxDataStorageGb', props.maxDataStorageGb);
    validateRange(this, 'maxDataStorageGb', props.maxDataStorageGb, limits.MIN_DATA_STORAGE_GB, limits.MAX_DATA_STORAGE_GB);
    for (const prop of ['maxEcpuPerSecond', 'minEcpuPerSecond'] as const) {
      validateInteger(this, prop, props[prop]);
      validateRange(this, prop, props[prop], limits.MIN_ECPU_PER_SECOND, limits.MAX_ECPU_PER_SECOND);
    }
    const { minEcpuPerSecond: min, maxEcpuPerSecond: max } = props;
    if (min !== undefined && max !== undefined && !Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
      fail(this, 'EdaEcpuRange', `minEcpuPerSecond (${min}) must not exceed maxEcpuPerSecond (${max})`);
    }
    validateInteger(this, 'snapshotRetentionDays', props.snapshotRetentionDays);
    validateRange(this, 'snapshotRetentionDays', props.snapshotRetentionDays, 1, limits.MAX_SNAPSHOT_RETENTION_DAYS);
  }
}

function renderUsageLimits(props: ReadCacheProps): elasticache.CfnServerlessCache.CacheUsageLimitsProperty | undefined {
  const dataStorage = props.maxDataStorageGb === undefined ? undefined : { maximum: props.maxDataStorageGb, unit: 'GB' };
  const ecpuPerSecond = props.maxEcpuPerSecond === undefined && props.minEcpuPerSecond === undefined
    ? undefined
    : { maximum: props.maxEcpuPerSecond, minimum: props.minEcpuPerSecond };
  return dataStorage || ecpuPerSecond ? { dataStorage, ecpuPerSecond } : undefined;
}

/** The consumer's security groups; undefined when it has none to manage (a Lambda function outside a VPC throws). */
function securityGroupsOf(consumer: ec2.IConnectable): ec2.ISecurityGroup[] | undefined {
  try {
    return consumer.connections.securityGroups;
  } catch {
    return undefined;
  }
}
