import { Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { fail } from '../validation';

/**
 * How the grants of DataAccessDatabase (and the connect methods of ElasticDataAccess) see a consumer:
 * where its security groups are, which principal gets `rds-db:connect`, what bounds its concurrency for
 * the budget, and where the environment contract goes.
 *
 * aws-cdk-lib gives each kind of compute these facts in a different place: a Lambda function, an EC2
 * instance and an Auto Scaling group are `IConnectable & IGrantable` themselves; an ECS service
 * (`FargateService`, `Ec2Service`) is connectable but not grantable, its principal is
 * `service.taskDefinition.taskRole`. So the grants accept the service itself and look the role up, as
 * an aws-cdk-lib user would do by hand (`grant(service.taskDefinition.taskRole)` +
 * `connections.allowFrom(service)`).
 */
export interface ResolvedConsumer {
  /** The construct that draws connections (ledger key, error messages, report rows). */
  readonly construct: IConstruct;
  /** Security groups to allow in. */
  readonly connectable: ec2.IConnectable;
  /** The principal of IAM grants. */
  readonly grantee: iam.IGrantable;
  /** What bounds its concurrency, for budget errors. */
  readonly concurrencyLever: string;
  /**
   * The concurrency the budget counts when the grant declares none.
   * @default - none: a Lambda function's reserved concurrency is read from the template; an ECS service must declare it
   */
  readonly defaultConcurrency?: number;
  /** Sets one environment variable where the consumer's code reads it (no-op where there is no such place). */
  readonly addEnvironment: (key: string, value: string) => void;
}

/** What a Lambda function's concurrency is bounded by (budget errors name it). */
export const LAMBDA_CONCURRENCY_LEVER = 'the reserved concurrency';
/** What an ECS service's concurrency is bounded by. */
export const ECS_CONCURRENCY_LEVER = 'the maximum task count (declaredConcurrency)';
/** What an Auto Scaling group's concurrency is bounded by. */
export const AUTO_SCALING_CONCURRENCY_LEVER = 'the maximum capacity (maxCapacity, or declaredConcurrency)';
/** What an EC2 instance's draw is bounded by: its connecting processes (1 unless declared) × their pool size. */
export const INSTANCE_CONCURRENCY_LEVER = 'the processes per instance (declaredConcurrency) or their connections (connectionsPerEnvironment)';
/** What any other consumer's concurrency is bounded by. */
export const DECLARED_CONCURRENCY_LEVER = 'the declaredConcurrency';

/**
 * Resolves `consumer` for `method` (`databaseVpc`: the path of the VPC a network grant needs), or fails with a ValidationError that says what to pass. A Lambda
 * function outside a VPC fails here, before aws-cdk-lib's "Only VPC-associated Lambda Functions have
 * security groups to manage" (which names neither the grant nor the fix).
 */
export function resolveConsumer(scope: IConstruct, method: string, consumer: unknown, databaseVpc?: string): ResolvedConsumer {
  if (consumer instanceof lambda.FunctionBase) {
    // databaseVpc is undefined for grants over HTTPS (the Data API), which need no VPC.
    if (databaseVpc !== undefined && !consumer.isBoundToVpc) {
      fail(scope, 'EdaConsumerOutsideVpc',
        `${method} consumer ${consumer.node.path} is a Lambda function outside a VPC, so no security group can let it reach the database: ` +
        `create it with vpc (${databaseVpc}) and vpcSubnets of the database's VPC, or read through the RDS Data API (grantDataApiRead), which needs no VPC`);
    }
    return {
      construct: consumer,
      connectable: consumer,
      grantee: consumer,
      concurrencyLever: LAMBDA_CONCURRENCY_LEVER,
      addEnvironment: (key, value) => {
        if (consumer instanceof lambda.Function) consumer.addEnvironment(key, value);
      },
    };
  }
  if (consumer instanceof ecs.BaseService) {
    const taskDefinition = consumer.taskDefinition;
    return {
      construct: consumer,
      connectable: consumer,
      grantee: taskDefinition.taskRole,
      concurrencyLever: ECS_CONCURRENCY_LEVER,
      // The application container reads the contract; aws-cdk-lib calls the first essential container the default one.
      addEnvironment: (key, value) => taskDefinition.defaultContainer?.addEnvironment(key, value),
    };
  }
  if (consumer instanceof autoscaling.AutoScalingGroup) {
    const maxSize = (consumer.node.defaultChild as autoscaling.CfnAutoScalingGroup).maxSize;
    return {
      construct: consumer,
      connectable: consumer,
      grantee: consumer,
      concurrencyLever: AUTO_SCALING_CONCURRENCY_LEVER,
      // Every instance of the group connects: at most MaxSize of them.
      defaultConcurrency: Token.isUnresolved(maxSize) ? undefined : Number(maxSize),
      addEnvironment: () => undefined,
    };
  }
  if (consumer instanceof ec2.Instance) {
    return {
      construct: consumer,
      connectable: consumer,
      grantee: consumer,
      concurrencyLever: INSTANCE_CONCURRENCY_LEVER,
      defaultConcurrency: 1,
      addEnvironment: () => undefined,
    };
  }
  const candidate = consumer as Partial<IConstruct & ec2.IConnectable & iam.IGrantable> | undefined;
  const path = candidate?.node?.path ?? String(consumer);
  if (!candidate?.node || !candidate.connections || !candidate.grantPrincipal) {
    fail(scope, 'EdaUnsupportedConsumer',
      `${method} consumer ${path} cannot be connected: pass a lambda.Function in the database's VPC, an ecs.FargateService or ecs.Ec2Service ` +
      '(its task role gets the grant), an ec2.Instance, an autoscaling.AutoScalingGroup, or a construct with connections (its security groups) and grantPrincipal (its IAM principal)');
  }
  return {
    construct: candidate as IConstruct,
    connectable: candidate as ec2.IConnectable,
    grantee: candidate as iam.IGrantable,
    concurrencyLever: DECLARED_CONCURRENCY_LEVER,
    addEnvironment: () => undefined,
  };
}
