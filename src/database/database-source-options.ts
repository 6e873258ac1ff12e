import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseEngineFamily } from './engine';
import { QueryGuardrails } from './query-guardrails';

/*
 * The options and the bound configuration of a DatabaseSource. They live apart from DatabaseSource so
 * that the binders (aurora-cluster, rds-instance, existing-database, source-validation) can use them
 * without importing the class that imports the binders: no import cycle inside src/database.
 */

/** Secure defaults shared by every database this library creates. */
export interface NewDatabaseOptions {
  /** Engine family. */
  readonly engine: DatabaseEngineFamily;
  /**
   * Days of automated backups (1–35).
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * What happens to the database when it leaves the stack.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Key that encrypts storage (storage encryption is always on).
   * @default - the AWS managed key `aws/rds`
   */
  readonly storageEncryptionKey?: kms.IKey;
  /**
   * Master user name; its password is generated into a Secrets Manager secret.
   * @default 'eda_admin'
   */
  readonly masterUsername?: string;
  /**
   * Logs exported to CloudWatch Logs. The defaults export every log type the engine supports, so a log
   * you turn on by parameter (MySQL `general_log`, the audit plugin) reaches CloudWatch without a
   * redeploy; a type with nothing written costs nothing.
   * @default - RDS for PostgreSQL: ['postgresql', 'upgrade', 'iam-db-auth-error']; Aurora PostgreSQL: ['instance', 'postgresql', 'iam-db-auth-error']; RDS for MySQL: ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error']; Aurora MySQL: ['audit', 'error', 'general', 'instance', 'slowquery', 'iam-db-auth-error']
   */
  readonly cloudwatchLogsExports?: string[];
  /**
   * Database Insights mode (Performance Insights is always on).
   * @default rds.DatabaseInsightsMode.STANDARD (7 days of Performance Insights, free tier)
   */
  readonly databaseInsightsMode?: rds.DatabaseInsightsMode;
  /**
   * Extra engine parameters, merged over the query guardrails (so they override them) and under the
   * TLS-forcing parameter (`rds.force_ssl=1`, `require_secure_transport=1` on RDS for MySQL or `=ON` on Aurora MySQL, which cannot be turned
   * off here). On Aurora MySQL, instance-level parameters go in a DB parameter group shared by every
   * instance, the rest in the DB cluster parameter group.
   * @default - the query guardrails and the TLS-forcing parameter
   */
  readonly parameters?: { [name: string]: string };
  /**
   * Server-side statement timeout, idle-in-transaction timeout, slow-query log and query statistics,
   * written into the parameter groups (see QueryGuardrails for each engine's parameters).
   * @default - enabled: statement timeout 30 s, idle-in-transaction timeout 60 s, slow-query threshold 1 s, MySQL idle sessions 8 h
   */
  readonly queryGuardrails?: QueryGuardrails;
  /**
   * Deletion protection (on the cluster, or on the instance and each read replica): a stack update or
   * `cdk destroy` cannot delete the database until it is turned off. Set `false` for throwaway stacks.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Interval of RDS Enhanced Monitoring (OS metrics per process: CPU steal, memory, swap, file
   * system), one of 1, 5, 10, 15, 30 or 60 seconds; `Duration.seconds(0)` turns it off. One IAM role
   * (with the AWS managed policy AmazonRDSEnhancedMonitoringRole) is shared by every instance.
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
  /**
   * max_connections of each instance, when you know it (`SHOW max_connections`) or set it by parameter.
   * @default - estimated from instance memory or maximum ACU with the engine's default formula
   */
  readonly maxConnections?: number;
}

/** Options of `DatabaseSource.auroraServerlessV2`. */
export interface AuroraServerlessV2Options extends NewDatabaseOptions {
  /**
   * Aurora engine and version.
   * @default - Aurora PostgreSQL 17.9 or Aurora MySQL 3.10.4 (LTS), after `engine`
   */
  readonly engineVersion?: rds.IClusterEngine;
  /**
   * Number of reader instances (Aurora allows up to 15 replicas).
   * @default 1
   */
  readonly readers?: number;
  /**
   * Minimum ACU per instance (0.5–256, steps of 0.5; 0 means auto-pause, which RDS Proxy does not support).
   * @default 0.5
   */
  readonly minCapacity?: number;
  /**
   * Maximum ACU per instance (1–256, steps of 0.5; above 128 needs Aurora MySQL 3.06 or Aurora PostgreSQL
   * 13.13, 14.10, 15.5, 16.1 or higher). max_connections derives from it.
   * @default 16
   */
  readonly maxCapacity?: number;
  /**
   * Apply minor engine upgrades automatically in the maintenance window (set on the cluster and on every
   * instance, as AWS recommends for Aurora).
   * @default - false for Aurora MySQL long-term support (LTS) versions (3.04.*, 3.10.*, including the default 3.10.4: AWS recommends turning it off so the cluster stays on its LTS minor version), true otherwise
   */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Enable the RDS Data API (HTTPS endpoint) on the cluster, for `grantDataApiRead`. Needs Aurora
   * PostgreSQL 13.11, 14.8, 15.3, 16.1, 17.4 or higher, or a supported Aurora MySQL 3 version
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.Data_API.html).
   * @default false
   */
  readonly enableDataApi?: boolean;
}

/** Options of `DatabaseSource.auroraProvisioned`. */
export interface AuroraProvisionedOptions extends NewDatabaseOptions {
  /**
   * Aurora engine and version.
   * @default - Aurora PostgreSQL 17.9 or Aurora MySQL 3.10.4 (LTS), after `engine`
   */
  readonly engineVersion?: rds.IClusterEngine;
  /**
   * Instance class of the writer and the readers.
   * @default db.r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Apply minor engine upgrades automatically in the maintenance window (set on the cluster and on every
   * instance, as AWS recommends for Aurora).
   * @default - false for Aurora MySQL long-term support (LTS) versions (3.04.*, 3.10.*, including the default 3.10.4: AWS recommends turning it off so the cluster stays on its LTS minor version), true otherwise
   */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Number of reader instances (Aurora allows up to 15 replicas).
   * @default 1
   */
  readonly readers?: number;
  /**
   * Enable the RDS Data API (HTTPS endpoint) on the cluster, for `grantDataApiRead`. Needs Aurora
   * PostgreSQL 13.11, 14.8, 15.3, 16.1, 17.4 or higher, or a supported Aurora MySQL 3 version
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.Data_API.html).
   * @default false
   */
  readonly enableDataApi?: boolean;
}

/** Options of `DatabaseSource.rdsInstance`. */
export interface RdsInstanceOptions extends NewDatabaseOptions {
  /**
   * Engine and version.
   * @default - PostgreSQL 17.9 or MySQL 8.4.10, after `engine`
   */
  readonly engineVersion?: rds.IInstanceEngine;
  /**
   * Instance class of the primary and its read replicas.
   * @default db.r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Number of read replicas (RDS for PostgreSQL and MySQL allow up to 15).
   * @default 0
   */
  readonly readReplicas?: number;
  /**
   * Multi-AZ deployment of the primary: a synchronous standby in another Availability Zone that RDS
   * fails over to (the proxy follows it). Read replicas never get one: read availability comes from
   * having more than one.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Allocated storage in GiB.
   * @default 20
   */
  readonly allocatedStorage?: number;
}

/** Attributes of an existing Aurora cluster. */
export interface ExistingClusterAttributes {
  /** Engine family. */
  readonly engine: DatabaseEngineFamily;
  /** Cluster identifier. */
  readonly clusterIdentifier: string;
  /** Cluster resource id (`cluster-ABCD…`), which IAM database auth policies name. */
  readonly clusterResourceIdentifier: string;
  /** Writer (cluster) endpoint address. */
  readonly clusterEndpointAddress: string;
  /**
   * Reader endpoint address.
   * @default - none: the cluster has no read path unless `readers` > 0 and a proxy READ_ONLY endpoint is used
   */
  readonly readerEndpointAddress?: string;
  /**
   * Port.
   * @default - 5432 (PostgreSQL) or 3306 (MySQL)
   */
  readonly port?: number;
  /** Security groups of the cluster. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * Secret with `username` and `password` (needed by the secret authentication modes).
   * @default - none
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Number of reader instances.
   * @default 0
   */
  readonly readers?: number;
  /** max_connections of the writer (`SHOW max_connections`). */
  readonly maxConnections: number;
  /**
   * max_connections of each reader.
   * @default - same as `maxConnections`
   */
  readonly readerMaxConnections?: number;
  /**
   * Whether the RDS Data API is enabled on the cluster (`grantDataApiRead` needs it and `secret`).
   * @default false
   */
  readonly dataApiEnabled?: boolean;
}

/** Attributes of an existing RDS read replica. */
export interface ExistingReplicaAttributes {
  /** Instance identifier. */
  readonly instanceIdentifier: string;
  /** DbiResourceId (`db-ABCD…`), which IAM database auth policies name. */
  readonly instanceResourceId: string;
  /** Endpoint address. */
  readonly instanceEndpointAddress: string;
  /** Security groups of the replica. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /** max_connections of the replica (`SHOW max_connections`). */
  readonly maxConnections: number;
}

/** Attributes of an existing RDS instance. */
export interface ExistingInstanceAttributes {
  /** Engine family. */
  readonly engine: DatabaseEngineFamily;
  /** Instance identifier. */
  readonly instanceIdentifier: string;
  /** DbiResourceId (`db-ABCD…`), which IAM database auth policies name. */
  readonly instanceResourceId: string;
  /** Endpoint address. */
  readonly instanceEndpointAddress: string;
  /**
   * Port.
   * @default - 5432 (PostgreSQL) or 3306 (MySQL)
   */
  readonly port?: number;
  /** Security groups of the instance. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * Secret with `username` and `password` (needed by the secret authentication modes).
   * @default - none
   */
  readonly secret?: secretsmanager.ISecret;
  /** max_connections of the instance (`SHOW max_connections`). */
  readonly maxConnections: number;
  /**
   * Existing read replicas, read directly.
   * @default - none
   */
  readonly readReplicas?: ExistingReplicaAttributes[];
}

/** Where a source's databases live. */
export interface DatabaseSourceBindOptions {
  /** VPC of the database. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the database.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Name of the database created in the engine. */
  readonly databaseName: string;
}

/** The max_connections of one database instance and how it was derived. */
export interface InstanceCapacity {
  /** max_connections. */
  readonly maxConnections: number;
  /** Formula and inputs. */
  readonly explanation: string;
}

/** A replica read directly (RDS read replicas cannot be proxy targets). */
export interface DirectReadTarget {
  /** The replica. */
  readonly instance: rds.IDatabaseInstance;
  /** Its DbiResourceId, for `rds-db:connect`. */
  readonly resourceId: string;
  /** Its max_connections. */
  readonly capacity: InstanceCapacity;
}

/** What a bound source provides to DataAccessDatabase. */
export interface DatabaseSourceConfig {
  /** Engine family. */
  readonly engine: DatabaseEngineFamily;
  /** Whether the source is Aurora. */
  readonly isAurora: boolean;
  /** Port. */
  readonly port: number;
  /** What the proxy targets. */
  readonly proxyTarget: rds.ProxyTarget;
  /** The database's security groups (the proxy is allowed in). */
  readonly connections: ec2.Connections;
  /** Resource id of the writer (`cluster-…` or `db-…`), for the proxy's end-to-end IAM policy. */
  readonly resourceId: string;
  /**
   * The Aurora cluster.
   * @default - none (an RDS instance)
   */
  readonly cluster?: rds.IDatabaseCluster;
  /**
   * The RDS instance.
   * @default - none (an Aurora cluster)
   */
  readonly instance?: rds.IDatabaseInstance;
  /**
   * Master secret.
   * @default - none (imported without a secret)
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * User name in the secret when known at synth time.
   * @default - unknown
   */
  readonly masterUsername?: string;
  /** Capacity of the writer. */
  readonly writerCapacity: InstanceCapacity;
  /** Capacity of each Aurora reader (empty for RDS). */
  readonly readerCapacities: InstanceCapacity[];
  /**
   * The Aurora cluster reader endpoint, for reads without a proxy READ_ONLY endpoint.
   * @default - none
   */
  readonly readerEndpointAddress?: string;
  /** RDS read replicas, read directly. */
  readonly directReadTargets: DirectReadTarget[];
  /**
   * Whether the RDS Data API is enabled on the Aurora cluster.
   * @default false
   */
  readonly dataApiEnabled?: boolean;
  /**
   * MySQL's idle-session timeout written into the parameter groups (the smaller of `wait_timeout` and
   * `interactive_timeout`), in seconds, checked against the proxy's idle client timeout.
   * @default - unknown (PostgreSQL, an existing database, or the engine default)
   */
  readonly idleSessionTimeoutSeconds?: number;
}
