import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Anything that can connect to the database: it has security groups and an IAM principal.
 * A `lambda.Function`, an `ec2.Instance` and an `autoscaling.AutoScalingGroup` satisfy it structurally. An
 * ECS service does not (its principal is `taskDefinition.taskRole`): the grants and connect methods
 * accept `ecs.BaseService` (FargateService, Ec2Service) next to this interface.
 */
export interface IDatabaseConsumer extends IConstruct, ec2.IConnectable, iam.IGrantable {}

/** How consumers authenticate to the proxy, and the proxy to the database. */
export enum DatabaseAuthentication {
  /**
   * End-to-end IAM: consumers present an IAM auth token to the proxy, and the proxy uses IAM to reach
   * the database (`DefaultAuthScheme.IAM_AUTH`); no password exists for the consumer's user.
   * The database user must be enabled for IAM (`GRANT rds_iam TO <user>` on PostgreSQL,
   * `CREATE USER <user> IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'` on MySQL).
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html#rds-proxy-iam-setup-e2e-steps
   */
  IAM = 'iam',
  /**
   * Consumers use IAM auth tokens against the proxy; the proxy logs in to the database with the
   * source's Secrets Manager secret. Consumers connect as the secret's user.
   */
  IAM_WITH_SECRET = 'iam-with-secret',
  /**
   * Consumers read the Secrets Manager secret and log in with its password (proxy IAM auth disabled).
   * Use only where IAM tokens are not possible.
   */
  SECRET = 'secret',
}

/** Options of `grantRead` / `grantWrite`. */
export interface ConnectOptions {
  /**
   * Database user the consumer connects as (scopes the `rds-db:connect` permission).
   * @default - the database's `defaultUser`
   */
  readonly user?: string;
  /**
   * Connections each execution environment (or task) keeps open: the number the ConcurrencyBudget
   * multiplies the consumer's concurrency by. Becomes `EDA_POOL_MAX`.
   * @default 1
   */
  readonly connectionsPerEnvironment?: number;
  /**
   * Concurrency of a non-Lambda consumer, for the budget: an ECS service's maximum task count (its
   * `autoScaleTaskCount` maxCapacity, or its desiredCount without auto scaling), the number of processes
   * of an instance that each open `connectionsPerEnvironment` connections.
   * @default - Lambda functions: their reserved concurrency; Auto Scaling groups: their maxCapacity; EC2
   * instances: 1; ECS services and other consumers: none (synth fails until it is declared)
   */
  readonly declaredConcurrency?: number;
  /**
   * Statement timeout of the runtime: its client-side deadlines are this + 2 s; on PostgreSQL set it as the
   * database user's `statement_timeout` with `userSetupSql` so the server cancels first (the runtime sends no
   * `SET`/`SET LOCAL` or startup parameter, which would pin RDS Proxy sessions). Becomes `EDA_STATEMENT_TIMEOUT_MS`.
   * @default Duration.seconds(5)
   */
  readonly statementTimeout?: Duration;
}

/** Where and how a consumer connects (`readConnectionInfo`, `writeConnectionInfo`); the grants set the same values as environment variables on Lambda functions and ECS default containers. */
export interface ConnectionInfo {
  /** Host names to connect to: the proxy endpoint (write), the READ_ONLY endpoint or each replica (read). */
  readonly hosts: string[];
  /** Port. */
  readonly port: number;
  /** Database name. */
  readonly databaseName: string;
  /** Database user. */
  readonly user: string;
  /** Authentication mode the consumer uses: `iam` or `secret`. */
  readonly auth: string;
  /**
   * Secret holding `username` and `password`, when `auth` is `secret`.
   * @default - none (IAM auth)
   */
  readonly secretArn?: string;
  /** The environment contract (docs/environment-contract.md), also set on Lambda functions and ECS default containers. */
  readonly environment: { [key: string]: string };
}
