import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseSourceBindOptions, DatabaseSourceConfig, RdsInstanceOptions } from './database-source-options';
import { defaultInstanceEngine, defaultLogExports, defaultPort } from './engine';
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

/** The default instance class of RDS instances. */
export const DEFAULT_RDS_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);

/** The DbiResourceId of an instance created in this app (what `rds-db:connect` ARNs name). */
export function dbiResourceId(instance: rds.IDatabaseInstance): string {
  // DatabaseInstanceReadReplica.instanceResourceId returns the ARN unless a feature flag is set;
  // the CloudFormation attribute is right in every app.
  return (instance.node.defaultChild as rds.CfnDBInstance).attrDbiResourceId;
}

/** Creates an RDS instance and its read replicas with secure defaults. */
export function bindRdsInstance(scope: Construct, bind: DatabaseSourceBindOptions, options: RdsInstanceOptions): DatabaseSourceConfig {
  validateNewDatabaseOptions(scope, options);
  const replicas = options.readReplicas ?? 0;
  validateReaderCount(scope, 'readReplicas', replicas);
  const instanceType = options.instanceType ?? DEFAULT_RDS_INSTANCE_TYPE;
  const capacity = instanceCapacity(scope, options.engine, false, instanceType, options.maxConnections);
  const engine = options.engineVersion ?? defaultInstanceEngine(options.engine);
  const logExports = options.cloudwatchLogsExports ?? defaultLogExports(options.engine, false);
  const databaseInsightsMode = options.databaseInsightsMode ?? rds.DatabaseInsightsMode.STANDARD;
  const parameters = engineParameters(scope, options.engine, false, options.queryGuardrails, options.parameters);
  // One parameter group for the primary and the replicas, so a replica never accepts plaintext.
  const parameterGroup = new rds.ParameterGroup(scope, 'ParameterGroup', {
    engine,
    parameters: parameters.primary,
  });

  const monitoring = enhancedMonitoringRole(scope, options);
  const deletionProtection = options.deletionProtection ?? true;
  const instance = new rds.DatabaseInstance(scope, 'Instance', {
    engine,
    instanceType,
    vpc: bind.vpc,
    vpcSubnets: bind.vpcSubnets,
    credentials: rds.Credentials.fromGeneratedSecret(options.masterUsername ?? DEFAULT_MASTER_USERNAME),
    databaseName: bind.databaseName,
    allocatedStorage: options.allocatedStorage ?? 20,
    storageEncrypted: true,
    storageEncryptionKey: options.storageEncryptionKey,
    iamAuthentication: true,
    parameterGroup,
    backupRetention: options.backupRetention ?? DEFAULT_BACKUP_RETENTION,
    cloudwatchLogsExports: logExports,
    enablePerformanceInsights: true,
    databaseInsightsMode,
    multiAz: options.multiAz ?? true,
    deletionProtection,
    monitoringInterval: monitoring.interval,
    monitoringRole: monitoring.role,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.SNAPSHOT,
  });

  const readReplicas = Array.from({ length: replicas }, (_, i) => new rds.DatabaseInstanceReadReplica(scope, `ReadReplica${i + 1}`, {
    sourceDatabaseInstance: instance,
    instanceType,
    vpc: bind.vpc,
    vpcSubnets: bind.vpcSubnets,
    // No StorageEncrypted here: a same-Region replica inherits the source's encryption and key, and
    // CloudFormation rejects the property next to SourceDBInstanceIdentifier (cfn-lint F3020).
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations
    iamAuthentication: true,
    parameterGroup,
    cloudwatchLogsExports: logExports,
    enablePerformanceInsights: true,
    databaseInsightsMode,
    deletionProtection,
    monitoringInterval: monitoring.interval,
    monitoringRole: monitoring.role,
    // A read replica cannot be deleted with a final snapshot (DeleteDBInstance: FinalDBSnapshotIdentifier
    // "can't be specified when deleting a read replica"), and it holds no data of its own.
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
    removalPolicy: RemovalPolicy.DESTROY,
  }));
  acknowledgeNewDatabase(instance);
  if (!options.storageEncryptionKey) acknowledge(instance, 'storageKeyIsAwsManaged');
  // The default exports are every type the RDS API accepts, more than Control Tower's list knows.
  if (options.cloudwatchLogsExports === undefined) acknowledge(instance, 'logTypesBeyondControlTowerList');
  for (const replica of readReplicas) {
    acknowledge(replica, 'replicaInheritsEncryption', 'replicaAvailabilityFromSiblings', 'replicaBackedUpThroughSource', 'defaultPort');
  }

  return {
    engine: options.engine,
    isAurora: false,
    port: defaultPort(options.engine),
    proxyTarget: rds.ProxyTarget.fromInstance(instance),
    connections: instance.connections,
    resourceId: dbiResourceId(instance),
    instance,
    secret: instance.secret,
    masterUsername: options.masterUsername ?? DEFAULT_MASTER_USERNAME,
    writerCapacity: capacity,
    readerCapacities: [],
    directReadTargets: readReplicas.map((replica) => ({ instance: replica, resourceId: dbiResourceId(replica), capacity })),
    idleSessionTimeoutSeconds: mysqlIdleTimeoutSeconds(options.engine, parameters),
  };
}
