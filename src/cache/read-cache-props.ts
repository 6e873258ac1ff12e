import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Settings of a ReadCache: an ElastiCache Serverless (Valkey) cache in front of the read path. */
export interface ReadCacheProps {
  /** The VPC the cache endpoint is placed in (the consumers must be in it too). */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the cache's VPC endpoint.
   * @default - the VPC's default selection: private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Name of the serverless cache (1–40 lowercase letters, digits and single hyphens, a letter first).
   * @default - a unique name generated from the construct path
   */
  readonly cacheName?: string;

  /**
   * Valkey major version.
   * @default '8'
   */
  readonly majorEngineVersion?: string;

  /**
   * Upper limit of cached data in GB (1–5000). When it is reached, Valkey evicts keys with a TTL
   * (every key the runtime writes has one), so a limit caps the bill without failing reads.
   * @default - no limit: the cache grows with its data
   */
  readonly maxDataStorageGb?: number;

  /**
   * Upper limit of ElastiCache Processing Units per second (1,000–15,000,000). Above it requests are
   * throttled and the runtime falls back to the database, so keep it above the expected read rate.
   * @default - no limit
   */
  readonly maxEcpuPerSecond?: number;

  /**
   * ECPUs per second kept ready (pre-scaling, 1,000–15,000,000) for a known spike, e.g. a launch.
   * @default - no minimum: the cache scales from zero
   */
  readonly minEcpuPerSecond?: number;

  /**
   * Customer managed KMS key for encryption at rest (serverless caches are always encrypted at rest).
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Days daily snapshots are kept (1–35). Cached data can always be reloaded from the database, so
   * snapshots only shorten the cold start after a restore.
   * @default - no snapshots
   */
  readonly snapshotRetentionDays?: number;
}

/** How a consumer reaches the cache: what `connect` wired and sets on Lambda functions. */
export interface ReadCacheConnection {
  /** Host name of the cache endpoint (the primary and the reader port share it). */
  readonly host: string;
  /** Port of the primary endpoint (reads and writes), 6379. */
  readonly port: string;
  /** Port for reads from replicas (after READONLY), 6380. */
  readonly readerPort: string;
  /**
   * The environment contract variables (EDA_CACHE_HOST, EDA_CACHE_PORT, EDA_CACHE_READER_PORT,
   * EDA_CACHE_TLS, EDA_CACHE_CLUSTER): already set on Lambda functions, to be set by hand on other consumers.
   */
  readonly environment: { [name: string]: string };
}
