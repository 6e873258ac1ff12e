import * as path from 'path';
import { Annotations, App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
// In your project: from 'cdk-elastic-data-access'
import { Concurrency, DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } from '../../src';
import { acknowledgeExampleFunction } from '../shared/acknowledgements';
import { EXAMPLE_FUNCTION_DEFAULTS } from '../shared/function-defaults';

/**
 * What already exists, created outside this app: the VPC, the Aurora PostgreSQL cluster, its Secrets
 * Manager secret and the RDS Proxy in front of it. Nothing here is created, changed or deleted by this app.
 * Replace the placeholders in EXISTING_PLACEHOLDERS, or pass any value at synth time with
 * `-c key=value` (lists comma-separated): `npx cdk synth -c vpcId=vpc-… -c privateSubnetIds=subnet-a,subnet-b`.
 */
export interface ExistingResources {
  /** VPC of the cluster and the proxy. */
  readonly vpcId: string;
  /** Availability Zones of `privateSubnetIds`, in the same order. */
  readonly availabilityZones: string[];
  /** Private subnets (with a route to SQS: NAT or VPC endpoints) for the functions; the proxy's READ_ONLY endpoint needs 2 AZs. */
  readonly privateSubnetIds: string[];
  /** `aws rds describe-db-clusters` → DBClusterIdentifier. */
  readonly clusterIdentifier: string;
  /** → DbClusterResourceId (`cluster-…`). */
  readonly clusterResourceIdentifier: string;
  /** → Endpoint. */
  readonly clusterEndpointAddress: string;
  /** → ReaderEndpoint. */
  readonly readerEndpointAddress: string;
  /** Number of reader instances (at least 1: the reader function reads them through the proxy). */
  readonly readers: number;
  /** `SHOW max_connections` on the writer (and each reader): the budget checks the functions against it. */
  readonly maxConnections: number;
  /** → VpcSecurityGroups of the cluster. */
  readonly clusterSecurityGroupId: string;
  /** Complete ARN (with the 6-character suffix) of the cluster's secret. */
  readonly secretArn: string;
  /** `aws rds describe-db-proxies` → DBProxyName. */
  readonly proxyName: string;
  /** → DBProxyArn (`…:db-proxy:prx-…`); `rds-db:connect` is scoped to its resource id. */
  readonly proxyArn: string;
  /** → Endpoint. */
  readonly proxyEndpoint: string;
  /** → VpcSecurityGroupIds: the functions are allowed in on it. */
  readonly proxySecurityGroupId: string;
  /** `aws rds describe-db-proxy-endpoints` → Endpoint of a READ_ONLY endpoint the proxy already has; empty to let the pattern add one. */
  readonly proxyReadOnlyEndpoint: string;
  /** Database the functions use. */
  readonly databaseName: string;
  /** Database user the functions log in as with an IAM auth token (see README.md). */
  readonly databaseUser: string;
}

/** Placeholders (account 123456789012, eu-west-1): replace them with your own, or pass `-c` context. */
export const EXISTING_PLACEHOLDERS: ExistingResources = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  clusterIdentifier: 'payments-aurora',
  clusterResourceIdentifier: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
  clusterEndpointAddress: 'payments-aurora.cluster-c0abcdefghij.eu-west-1.rds.amazonaws.com',
  readerEndpointAddress: 'payments-aurora.cluster-ro-c0abcdefghij.eu-west-1.rds.amazonaws.com',
  readers: 1,
  maxConnections: 1802, // what `SHOW max_connections` returned on this cluster (always state the measured value)
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments-aurora-master-AbCdEf',
  proxyName: 'payments-proxy',
  proxyArn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0',
  proxyEndpoint: 'payments-proxy.proxy-c0abcdefghij.eu-west-1.rds.amazonaws.com',
  proxySecurityGroupId: 'sg-0123456789abcdef1',
  proxyReadOnlyEndpoint: '',
  databaseName: 'app',
  databaseUser: 'eda_app',
};

/** Props of ExistingDatabaseStack. */
export interface ExistingDatabaseStackProps extends StackProps {
  /**
   * The existing resources; each value not given here comes from the `-c` context, else the placeholder.
   * @default - context, else EXISTING_PLACEHOLDERS
   */
  readonly existing?: Partial<ExistingResources>;
}

/**
 * existing-database: an Aurora PostgreSQL cluster, its secret and its RDS Proxy already exist; this app
 * imports them and adds only the ElasticDataAccess pattern: write buffer (SQS + DLQ) → bounded writer →
 * the existing proxy, a reader on a READ_ONLY endpoint of that proxy, the concurrency budget and
 * alarms to an SNS topic. Environment-agnostic (no lookups), so `cdk synth` needs no AWS credentials.
 */
export class ExistingDatabaseStack extends Stack {
  constructor(scope: Construct, id: string, props: ExistingDatabaseStackProps = {}) {
    super(scope, id, props);
    const existing = resolveExisting(this, props.existing ?? {});

    // Imported by attributes, not looked up: no credentials and no cdk.context.json needed to synthesize.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: existing.vpcId,
      availabilityZones: existing.availabilityZones,
      privateSubnetIds: existing.privateSubnetIds,
    });
    // Only the subnet ids are needed: nothing here reads or adds routes.
    Annotations.of(vpc).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'no routes are read or added');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'ClusterSecret', existing.secretArn);
    const proxySecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ProxySecurityGroup', existing.proxySecurityGroupId);
    // An imported proxy has no `connections`: its security group is passed next to it, and the
    // functions are allowed in on it (one ingress rule per function, on the PostgreSQL port).
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(this, 'Proxy', {
      dbProxyName: existing.proxyName,
      dbProxyArn: existing.proxyArn,
      endpoint: existing.proxyEndpoint,
      securityGroups: [proxySecurityGroup],
    });

    const payments = new ElasticDataAccess(this, 'Payments', {
      vpc,
      database: DatabaseSource.existingCluster({
        engine: DatabaseEngineFamily.POSTGRES,
        clusterIdentifier: existing.clusterIdentifier,
        clusterResourceIdentifier: existing.clusterResourceIdentifier,
        clusterEndpointAddress: existing.clusterEndpointAddress,
        readerEndpointAddress: existing.readerEndpointAddress,
        readers: existing.readers,
        maxConnections: existing.maxConnections,
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(this, 'ClusterSecurityGroup', existing.clusterSecurityGroupId)],
        secret,
      }),
      existingProxy: proxy,
      existingProxySecurityGroups: [proxySecurityGroup],
      existingProxyReadOnlyEndpoint: existing.proxyReadOnlyEndpoint || undefined,
      databaseName: existing.databaseName,
      budget: { accountConcurrency: 1000 },
    });

    // Reads: 300 req/s at ~50 ms with 50 % headroom, one proxy connection per environment.
    const getPayment = new nodejs.NodejsFunction(this, 'GetPayment', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'get-payment.ts'),
      timeout: Duration.seconds(5),
      vpc,
    });
    acknowledgeExampleFunction(getPayment);
    payments.connectReader(getPayment, {
      reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 300, duration: Duration.millis(50), headroom: 1.5 }),
      user: existing.databaseUser,
    });

    // The bounded writer: at most 5 concurrent batches, so at most 5 connections on the existing proxy.
    payments.addWriter('PaymentWriter', {
      entry: path.join(__dirname, 'functions', 'payment-writer.ts'),
      maxConcurrency: 5,
      batchSize: 10,
      timeout: Duration.seconds(30),
      user: existing.databaseUser,
    });

    // Your existing services enqueue here (grant them with payments.connectProducer(...)).
    new CfnOutput(this, 'WriteQueueUrl', { value: payments.writeBuffer.queue.queueUrl });
    new CfnOutput(this, 'ReaderFunctionName', { value: getPayment.functionName });
    if (payments.monitoring) new CfnOutput(this, 'AlarmTopicArn', { value: payments.monitoring.topic.topicArn });
  }
}

/** Each value from the props, else the `-c` context (strings: lists comma-separated), else the placeholder. */
function resolveExisting(scope: Construct, given: Partial<ExistingResources>): ExistingResources {
  const resolved: { [key: string]: unknown } = {};
  for (const [key, placeholder] of Object.entries(EXISTING_PLACEHOLDERS)) {
    const value: unknown = given[key as keyof ExistingResources] ?? scope.node.tryGetContext(key);
    if (typeof value !== 'string') {
      resolved[key] = value ?? placeholder;
    } else if (Array.isArray(placeholder)) {
      resolved[key] = value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
    } else if (typeof placeholder === 'number') {
      if (!/^\d+$/.test(value.trim())) throw new Error(`context ${key} must be a whole number, got '${value}'`);
      resolved[key] = Number(value);
    } else {
      resolved[key] = value;
    }
  }
  return resolved as unknown as ExistingResources;
}

// Synthesize only when run as the CDK app (`cdk synth`), so tests can import ExistingDatabaseStack.
if (require.main === module) {
  const app = new App();
  new ExistingDatabaseStack(app, 'ExistingDatabase');
  app.synth();
}
