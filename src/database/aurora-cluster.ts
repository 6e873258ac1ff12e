import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { estimateServerlessV2MaxConnections } from './capacity';
import type { AuroraProvisionedOptions, AuroraServerlessV2Options, DatabaseSourceBindOptions, DatabaseSourceConfig, InstanceCapacity } from './database-source-options';
import { DatabaseEngineFamily, defaultAuroraEngine, defaultLogExports, defaultPort } from './engine';
import { describeAuroraVersion, isAuroraMysqlLts, serverlessV2MaxAcu } from './engine-versions';
import { engineParameters, mysqlIdleTimeoutSeconds } from './query-guardrails';
import {
  DEFAULT_BACKUP_RETENTION,
  DEFAULT_MASTER_USERNAME,
  enhancedMonitoringRole,
  instanceCapacity,
  validateNewDatabaseOptions,
  validateReaderCount,
} from './source-validation';
import { acknowledge, acknowledgeNewDatabase } from '../compliance/acknowledgements';
import { fail, isConcrete, validateRange } from '../validation';

/** Options of either Aurora flavour, tagged. */
export type AuroraClusterOptions =
  | (AuroraServerlessV2Options & { readonly serverless: true })
  | (AuroraProvisionedOptions & { readonly serverless: false });

const DEFAULT_MIN_ACU = 0.5;
const DEFAULT_MAX_ACU = 16;
/** The default instance class of provisioned clusters. */
export const DEFAULT_AURORA_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);

/** Creates an Aurora cluster with secure defaults and returns what the proxy and the budget need. */
export function bindAuroraCluster(scope: Construct, bind: DatabaseSourceBindOptions, options: AuroraClusterOptions): DatabaseSourceConfig {
  validateNewDatabaseOptions(scope, options);
  const readers = options.readers ?? 1;
  validateReaderCount(scope, 'readers', readers);

  const engine = options.engineVersion ?? defaultAuroraEngine(options.engine);
  const parameters = engineParameters(scope, options.engine, true, options.queryGuardrails, options.parameters);
  // One DB parameter group for the writer and every reader, so a failover never changes the limits.
  const instanceParameterGroup = Object.keys(parameters.instance).length > 0
    ? new rds.ParameterGroup(scope, 'InstanceParameterGroup', { engine, parameters: parameters.instance })
    : undefined;

  // AWS: "We recommend that you disable automatic minor version upgrades for LTS versions"
  // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Update.SpecialVersions.html),
  // and to set it on the cluster, where "If any DB instance in your cluster has this setting turned off, the
  // DB cluster isn't automatically upgraded" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Maintenance.AMVU.html).
  // Left unset (AWS's default, on) unless it is an LTS version or the user chose.
  const autoMinorVersionUpgrade = options.autoMinorVersionUpgrade ?? (isAuroraMysqlLts(engine) ? false : undefined);

  // Performance Insights is on at the cluster; saying so on each instance too keeps aws-cdk-lib from
  // warning that the instances "override" it (they inherit it either way).
  const instanceOptions = { parameterGroup: instanceParameterGroup, enablePerformanceInsights: true, autoMinorVersionUpgrade };

  let capacity: InstanceCapacity;
  let minCapacity: number | undefined;
  let maxCapacity: number | undefined;
  let writer: rds.IClusterInstance;
  let readerInstances: rds.IClusterInstance[];
  if (options.serverless) {
    minCapacity = options.minCapacity ?? DEFAULT_MIN_ACU;
    maxCapacity = options.maxCapacity ?? DEFAULT_MAX_ACU;
    validateAcu(scope, minCapacity, maxCapacity, engine);
    const estimate = estimateServerlessV2MaxConnections(options.engine, minCapacity, maxCapacity);
    capacity = options.maxConnections !== undefined
      ? { maxConnections: options.maxConnections, explanation: `maxConnections set to ${options.maxConnections}` }
      : { maxConnections: estimate.maxConnections, explanation: estimate.explanation };
    writer = rds.ClusterInstance.serverlessV2('Writer', instanceOptions);
    // Readers in promotion tier 0–1 scale with the writer, so a failover lands on a warm reader.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-administration.html#aurora-serverless-v2-choosing-promotion-tier
    readerInstances = Array.from({ length: readers }, (_, i) => rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, { ...instanceOptions, scaleWithWriter: true }));
  } else {
    const instanceType = options.instanceType ?? DEFAULT_AURORA_INSTANCE_TYPE;
    validateDataApiInstanceClass(scope, options.enableDataApi, instanceType);
    capacity = instanceCapacity(scope, options.engine, true, instanceType, options.maxConnections);
    writer = rds.ClusterInstance.provisioned('Writer', { ...instanceOptions, instanceType });
    readerInstances = Array.from({ length: readers }, (_, i) => rds.ClusterInstance.provisioned(`Reader${i + 1}`, { ...instanceOptions, instanceType }));
  }

  const monitoring = enhancedMonitoringRole(scope, options);
  const cluster = new rds.DatabaseCluster(scope, 'Cluster', {
    engine,
    credentials: rds.Credentials.fromGeneratedSecret(options.masterUsername ?? DEFAULT_MASTER_USERNAME),
    defaultDatabaseName: bind.databaseName,
    vpc: bind.vpc,
    vpcSubnets: bind.vpcSubnets,
    writer,
    readers: readerInstances,
    serverlessV2MinCapacity: minCapacity,
    serverlessV2MaxCapacity: maxCapacity,
    storageEncrypted: true,
    storageEncryptionKey: options.storageEncryptionKey,
    iamAuthentication: true,
    parameters: parameters.primary,
    backup: { retention: options.backupRetention ?? DEFAULT_BACKUP_RETENTION },
    cloudwatchLogsExports: options.cloudwatchLogsExports ?? defaultLogExports(options.engine, true),
    enablePerformanceInsights: true,
    databaseInsightsMode: options.databaseInsightsMode ?? rds.DatabaseInsightsMode.STANDARD,
    deletionProtection: options.deletionProtection ?? true,
    monitoringInterval: monitoring.interval,
    monitoringRole: monitoring.role,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    autoMinorVersionUpgrade,
    // The Data API (HTTPS endpoint) holds its own connections, outside the proxy's pool.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
    enableDataApi: options.enableDataApi,
  });

  // The writer and readers (children of the cluster) are backed up by the cluster's automated backups.
  acknowledgeNewDatabase(cluster);
  if (options.engine === DatabaseEngineFamily.MYSQL) acknowledge(cluster, 'pointInTimeRecoveryInsteadOfBacktrack');
  // Only the library's LTS default is acknowledged; a user's own `autoMinorVersionUpgrade: false` stays reported.
  if (options.autoMinorVersionUpgrade === undefined && autoMinorVersionUpgrade === false) acknowledge(cluster, 'ltsMinorVersionPinned');
  // The default exports are every type the RDS API accepts, more than Control Tower's list knows.
  if (options.cloudwatchLogsExports === undefined) acknowledge(cluster, 'logTypesBeyondControlTowerList');

  return {
    engine: options.engine,
    isAurora: true,
    port: defaultPort(options.engine),
    proxyTarget: rds.ProxyTarget.fromCluster(cluster),
    connections: cluster.connections,
    resourceId: cluster.clusterResourceIdentifier,
    cluster,
    secret: cluster.secret,
    masterUsername: options.masterUsername ?? DEFAULT_MASTER_USERNAME,
    writerCapacity: capacity,
    readerCapacities: Array.from({ length: readers }, () => capacity),
    readerEndpointAddress: cluster.clusterReadEndpoint.hostname,
    directReadTargets: [],
    dataApiEnabled: options.enableDataApi ?? false,
    idleSessionTimeoutSeconds: mysqlIdleTimeoutSeconds(options.engine, parameters),
  };
}

/**
 * Aurora Serverless v2 capacity is 0–256 ACU in steps of 0.5, minimum ≤ maximum, and at most 128 ACU on
 * older engine versions (see `serverlessV2MaxAcu`)
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html#aurora-serverless-v2.requirements.capacity-range).
 * A minimum of 0 enables auto-pause, which Aurora does not support on clusters with an RDS Proxy
 * attached — and this library always puts a proxy in front of the writer
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html#auto-pause-prereqs).
 */
function validateAcu(scope: Construct, minCapacity: number, maxCapacity: number, engine: rds.IClusterEngine): void {
  validateRange(scope, 'minCapacity', minCapacity, 0, 256);
  validateRange(scope, 'maxCapacity', maxCapacity, 1, 256);
  const ceiling = serverlessV2MaxAcu(engine);
  if (isConcrete(maxCapacity) && ceiling !== undefined && maxCapacity > ceiling) {
    fail(scope, 'EdaAcuAboveEngineMaximum',
      `maxCapacity must be at most ${ceiling} ACU on ${describeAuroraVersion(engine)}, got ${maxCapacity}: 256 ACU needs Aurora MySQL 3.06 or Aurora PostgreSQL 13.13, 14.10, 15.5, 16.1 or higher`);
  }
  for (const [prop, value] of [['minCapacity', minCapacity], ['maxCapacity', maxCapacity]] as const) {
    if (isConcrete(value) && !Number.isInteger(value * 2)) {
      fail(scope, 'EdaAcuStep', `${prop} must be a multiple of 0.5 ACU, got ${value}`);
    }
  }
  if (isConcrete(minCapacity) && isConcrete(maxCapacity) && minCapacity > maxCapacity) {
    fail(scope, 'EdaAcuOrder', `minCapacity must not exceed maxCapacity, got minCapacity ${minCapacity} and maxCapacity ${maxCapacity}`);
  }
  if (minCapacity === 0) {
    fail(scope, 'EdaAutoPauseWithProxy', 'minCapacity must be at least 0.5, got 0: Aurora Serverless v2 auto-pause (minCapacity 0) does not work with RDS Proxy, which this construct always places in front of the writer');
  }
}

/**
 * "Data API isn't supported on T DB instance classes."
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html). The writer of
 * a provisioned cluster is the instance the Data API runs on, so a T class writer cannot serve it.
 */
function validateDataApiInstanceClass(scope: Construct, enableDataApi: boolean | undefined, instanceType: ec2.InstanceType): void {
  const cls = instanceType.toString().replace(/^db\./, '');
  if (enableDataApi && cls.startsWith('t')) {
    fail(scope, 'EdaDataApiInstanceClass', `enableDataApi requires a writer instance class other than T (the Data API isn't supported on T DB instance classes), got db.${cls}`);
  }
}
