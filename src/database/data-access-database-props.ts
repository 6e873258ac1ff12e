import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseAuthentication } from './connection';
import { DatabaseSource } from './database-source';
import { DataAccessProxyOptions } from './proxy-options';

/**
 * How consumers reach the database: which proxy (new or existing), as which user, and the read path.
 * Shared by DataAccessDatabaseProps and ElasticDataAccessProps, which passes them through.
 */
export interface DatabaseAccessOptions {
  /**
   * Name of the database consumers use (created in new sources).
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * How consumers authenticate.
   * @default DatabaseAuthentication.IAM (end-to-end IAM: no password anywhere)
   */
  readonly authentication?: DatabaseAuthentication;
  /**
   * Settings of the RDS Proxy this construct creates.
   * @default - a proxy with the defaults of DataAccessProxyOptions
   */
  readonly proxy?: DataAccessProxyOptions;
  /**
   * An existing RDS Proxy in front of the writer, instead of a new one (never together with `proxy`).
   * @default - a new proxy
   */
  readonly existingProxy?: rds.IDatabaseProxy;
  /**
   * Security groups of `existingProxy`: consumers are allowed in on them. Needed when the proxy is
   * imported (`DatabaseProxy.fromDatabaseProxyAttributes` has no `connections`).
   * @default - the proxy's own security groups when it is a DatabaseProxy of this app
   */
  readonly existingProxySecurityGroups?: ec2.ISecurityGroup[];
  /**
   * Address of a READ_ONLY endpoint `existingProxy` already has, so none is added.
   * @default - a READ_ONLY endpoint is added to the existing proxy when the read path needs one
   */
  readonly existingProxyReadOnlyEndpoint?: string;
  /**
   * The MaxConnectionsPercent of `existingProxy`, which the capacity facts and the budget count against.
   * @default 100 (the RDS default)
   */
  readonly existingProxyMaxConnectionsPercent?: number;
  /**
   * Database user consumers connect as unless a grant names another.
   * @default - 'eda_app' with IAM authentication; the source secret's user otherwise
   */
  readonly defaultUser?: string;
  /**
   * Serve reads through a proxy READ_ONLY endpoint (Aurora only).
   * @default - true for Aurora sources with readers
   */
  readonly readOnlyEndpoint?: boolean;
  /**
   * Share (0–1] of a directly-read instance's max_connections that consumers may use (RDS read
   * replicas, or the Aurora reader endpoint when `readOnlyEndpoint` is false).
   * @default 0.9
   */
  readonly directConnectionsFraction?: number;
}

/** Properties of a DataAccessDatabase. */
export interface DataAccessDatabaseProps extends DatabaseAccessOptions {
  /** VPC of the database, the proxy and the consumers. */
  readonly vpc: ec2.IVpc;
  /** The database: new Aurora or RDS, or an existing cluster or instance. */
  readonly source: DatabaseSource;
  /**
   * Subnets of the database and the proxy.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}
