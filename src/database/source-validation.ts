import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { estimateInstanceMaxConnections } from './capacity';
import type { InstanceCapacity, NewDatabaseOptions } from './database-source-options';
import { DatabaseEngineFamily } from './engine';
import { acknowledge } from '../compliance/acknowledgements';
import { fail, isConcrete, validateInteger, validateRange } from '../validation';

/**
 * Aurora: "An Aurora DB cluster with replication has one primary DB instance and up to 15 Aurora Replicas."
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-replicas-adding.html). RDS for
 * PostgreSQL / MySQL: at most 15 read replicas per source instance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html#USER_ReadRepl.Overview;
 * UNVERIFIED: the sentence itself is not in the stored corpus).
 */
export const MAX_READERS = 15;

/** Validates the number of readers or replicas: a whole number between 0 and 15. */
export function validateReaderCount(scope: IConstruct, prop: string, value: number | undefined): void {
  validateInteger(scope, prop, value);
  validateRange(scope, prop, value, 0, MAX_READERS, 'AWS allows at most 15 replicas per cluster or source instance');
}

/** Validates the options every new database shares. */
export function validateNewDatabaseOptions(scope: IConstruct, options: NewDatabaseOptions): void {
  // Automated backups are kept 1–35 days; 0 would turn backups off, which we do not allow. RDS API
  // BackupRetentionPeriod (@aws-sdk/client-rds `models_0.d.ts`): "Must be a value from 1 to 35."
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html#USER_WorkingWithAutomatedBackups.BackupRetention
  validateRange(scope, 'backupRetention (days)', options.backupRetention?.toDays(), 1, 35);
  validateMaxConnections(scope, 'maxConnections', options.maxConnections);
  const interval = options.monitoringInterval?.toSeconds();
  // MonitoringInterval accepts 0 (off), 1, 5, 10, 15, 30 or 60 seconds. RDS API (@aws-sdk/client-rds
  // `models_0.d.ts`): "Valid Values: 0 | 1 | 5 | 10 | 15 | 30 | 60".
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (MonitoringInterval)
  if (isConcrete(interval) && !MONITORING_INTERVALS.includes(interval)) {
    fail(scope, 'EdaMonitoringInterval', `monitoringInterval must be one of ${MONITORING_INTERVALS.join(', ')} seconds, got ${interval}`);
  }
}

/** The Enhanced Monitoring intervals RDS accepts, in seconds (0 turns it off). */
export const MONITORING_INTERVALS: readonly number[] = [0, 1, 5, 10, 15, 30, 60];

/** The default Enhanced Monitoring interval. */
export const DEFAULT_MONITORING_INTERVAL = Duration.seconds(60);

/**
 * The Enhanced Monitoring role shared by every instance of one database (undefined when monitoring
 * is off). The AWS managed policy is the one RDS requires, acknowledged with that reason.
 */
export function enhancedMonitoringRole(scope: Construct, options: NewDatabaseOptions): { interval?: Duration; role?: iam.IRole } {
  const interval = options.monitoringInterval ?? DEFAULT_MONITORING_INTERVAL;
  if (interval.toSeconds() === 0) return {};
  const role = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  acknowledge(role, 'enhancedMonitoringManagedPolicy');
  return { interval, role };
}

/** max_connections must be a positive whole number. */
export function validateMaxConnections(scope: IConstruct, prop: string, value: number | undefined): void {
  validateInteger(scope, prop, value);
  if (isConcrete(value) && value < 1) {
    fail(scope, 'EdaOutOfRange', `${prop} must be at least 1, got ${value}`);
  }
}

/** The given max_connections, or the engine's default formula for the instance class. */
export function instanceCapacity(
  scope: IConstruct,
  engine: DatabaseEngineFamily,
  isAurora: boolean,
  instanceType: ec2.InstanceType,
  maxConnections: number | undefined,
): InstanceCapacity {
  if (maxConnections !== undefined) {
    return { maxConnections, explanation: `maxConnections set to ${maxConnections}` };
  }
  const estimate = estimateInstanceMaxConnections(engine, isAurora, instanceType);
  if (!estimate) {
    fail(scope, 'EdaUnknownInstanceClass', `maxConnections must be set for instance class db.${instanceType}: its memory is not known to this library`);
  }
  return { maxConnections: estimate.maxConnections, explanation: estimate.explanation };
}

/** Default backup retention. */
export const DEFAULT_BACKUP_RETENTION = Duration.days(7);
/** Default master user name. */
export const DEFAULT_MASTER_USERNAME = 'eda_admin';
