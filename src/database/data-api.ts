import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Options of `grantDataApiRead`. */
export interface DataApiGrantOptions {
  /**
   * Secret the Data API logs in with. Pass one for a read-only database user: IAM cannot limit
   * `rds-data:ExecuteStatement` to reads, only the database user's privileges can.
   * @default - the cluster's master secret
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Database the statements run in.
   * @default - the DataAccessDatabase's `databaseName`
   */
  readonly databaseName?: string;
  /**
   * Statements each execution environment (or task) of the grantee runs at once, for the concurrency
   * budget: the Data API runs every statement on a connection to the writer instance, so each statement in
   * flight holds one writer connection outside the proxy's pool.
   * @default 1
   */
  readonly connectionsPerEnvironment?: number;
  /**
   * Concurrency of a grantee that is not a Lambda function (an ECS service: its maximum task count).
   * @default - read from the function's reserved concurrency
   */
  readonly declaredConcurrency?: number;
}

/** Where a Data API grantee sends its statements; `grantDataApiRead` sets the same values as environment variables. */
export interface DataApiConnectionInfo {
  /** ARN of the Aurora cluster (`resourceArn` of ExecuteStatement). */
  readonly resourceArn: string;
  /** ARN of the secret the Data API logs in with (`secretArn` of ExecuteStatement). */
  readonly secretArn: string;
  /** Database name. */
  readonly databaseName: string;
  /** `EDA_DATA_API_RESOURCE_ARN`, `EDA_DATA_API_SECRET_ARN` and `EDA_DATABASE` (docs/environment-contract.md). */
  readonly environment: { [key: string]: string };
}

/**
 * The Data API actions, exactly what aws-cdk-lib's `grantDataApiAccess` grants (its `DATA_API_ACTIONS`),
 * for grants that use a secret other than the master secret.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsdataapi.html
 */
export const DATA_API_ACTIONS = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];

/**
 * Grants the Data API on `cluster` with `secret`. For a cluster created in this app with its own
 * master secret this is `cluster.grantDataApiAccess` (the rds-data actions on the cluster ARN and a
 * read of the cluster secret). An imported cluster cannot use it (aws-cdk-lib treats its Data API as
 * disabled and throws), and another secret must not drag the master secret in: then the same actions
 * are granted directly, with a read of `secret`.
 */
export function grantDataApi(cluster: rds.IDatabaseCluster, grantee: iam.IGrantable, secret: secretsmanager.ISecret): iam.Grant {
  if (cluster instanceof rds.DatabaseCluster && secret === cluster.secret) {
    return cluster.grantDataApiAccess(grantee);
  }
  const grant = iam.Grant.addToPrincipal({ grantee, actions: DATA_API_ACTIONS, resourceArns: [cluster.clusterArn] });
  return grant.combine(secret.grantRead(grantee));
}
