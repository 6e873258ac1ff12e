import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConcurrencyBudget, ConcurrencyBudgetOptions } from '../budget';
import { acknowledge } from '../compliance/acknowledgements';
import { ConnectionInfo, ConnectOptions, DataAccessDatabase, DatabaseAccessOptions, DatabaseSource, IDatabaseConsumer } from '../database';
import { reservedConcurrencyOf } from '../function-facts';
import { DataAccessAlarmsOptions, DataAccessMonitoring } from '../monitoring';
import { fail, validateInteger, validateRange } from '../validation';
import { WriteBuffer, WriteBufferConsumerOptions, WriteBufferProps } from '../write-buffer';

/** Props of the ElasticDataAccess pattern (the database access options are passed to its DataAccessDatabase). */
export interface ElasticDataAccessProps extends DatabaseAccessOptions {
  /** The VPC of the database, the proxy and the functions the pattern creates. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the database, the proxy and the functions the pattern creates.
   * @default - the VPC's private subnets (with egress when it has them, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Where the data lives: `DatabaseSource.auroraServerlessV2(...)`, `.rdsInstance(...)`, `.existingCluster(...)`, … */
  readonly database: DatabaseSource;
  /**
   * The write buffer between producers and the writer.
   * @default - SQS-encrypted queue and DLQ, maxReceiveCount 5, visibility derived from the writers
   */
  readonly writeBuffer?: WriteBufferProps;
  /**
   * App-wide concurrency budget settings.
   * @default - account concurrency 1,000
   */
  readonly budget?: ConcurrencyBudgetOptions;
  /**
   * Symptom alarms and the dashboard of the pattern.
   * @default - every alarm on, notifying a new encrypted, TLS-only SNS topic; one dashboard
   */
  readonly monitoring?: PatternMonitoringOptions;
}

/** Monitoring of an ElasticDataAccess pattern. */
export interface PatternMonitoringOptions {
  /**
   * Whether to create alarms and the dashboard at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Topic every alarm notifies on ALARM and OK.
   * @default - a new topic encrypted with a customer managed KMS key, TLS only
   */
  readonly topic?: sns.ITopic;
  /**
   * Tuning of each symptom alarm, or `{ enabled: false }` to turn one off.
   * @default - every alarm on with its documented defaults
   */
  readonly alarms?: DataAccessAlarmsOptions;
  /**
   * Whether to create the CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
}

/** Options of `connectReader`. */
export interface ConnectReaderOptions extends ConnectOptions {
  /**
   * Reserved concurrency to give the function (the budget requires one on every database-facing
   * function). Size it with `Concurrency.fromLoad`.
   * @default - the function's own `reservedConcurrentExecutions`; synth fails when it has none
   */
  readonly reservedConcurrency?: number;
  /**
   * Provisioned concurrency for a hot reader: creates an alias `live` with this many pre-initialised
   * environments (must be ≤ reserved concurrency). Route your API to the returned alias.
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

/** Options of `connectWriter`. */
export interface ConnectWriterOptions extends ConnectOptions, WriteBufferConsumerOptions {
  /**
   * Reserved concurrency to give the writer.
   * @default - the function's own `reservedConcurrentExecutions`, else `maxConcurrency` (addWriter: 5)
   */
  readonly reservedConcurrency?: number;
}

/** Options of `addWriter`: the writer function the pattern creates from your handler file. */
export interface WriterFunctionOptions extends ConnectWriterOptions {
  /** Path to the TypeScript/JavaScript file with the handler (typically `sqlWriter(...)` from `@cdk-elastic-data-access/runtime`). */
  readonly entry: string;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Timeout of one batch; a derived queue visibility timeout becomes at least 6 × this + the batching window (AWS's recommendation).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory size in MiB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Node.js runtime.
   * @default lambda.Runtime.NODEJS_24_X (the newest Node.js runtime, which cdk-nag's L1 and LambdaLatestVersion require)
   */
  readonly runtime?: lambda.Runtime;
  /**
   * esbuild bundling options.
   * @default - minified, source maps, `@aws-sdk/client-*` external (the runtime's SDK clients), everything else bundled
   */
  readonly bundling?: nodejs.BundlingOptions;
  /**
   * Extra environment variables (the environment contract is added for you).
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/** What `connectReader` returns. */
export interface ReaderConnection {
  /** Connection facts (also set as environment variables on Lambda functions). */
  readonly connection: ConnectionInfo;
  /**
   * The `live` alias with provisioned concurrency, when `provisionedConcurrency` was given.
   * @default - none
   */
  readonly alias?: lambda.Alias;
}

/**
 * ElasticDataAccess: the whole pattern in one construct.
 *
 * ```
 * reader fn ──▶ proxy READ_ONLY endpoint / read replicas
 * producer fn ──▶ write buffer (SQS + DLQ) ──▶ writer fn (bounded) ──▶ proxy ──▶ writer DB
 * ```
 * Every database-facing function must have reserved concurrency; the app-wide ConcurrencyBudget
 * checks at synth that the sums fit the proxy, the replicas and the account.
 */
export class ElasticDataAccess extends Construct {
  /** The database, its proxy and the read path. */
  public readonly database: DataAccessDatabase;
  /** The write buffer (queue + dead-letter queue). */
  public readonly writeBuffer: WriteBuffer;
  /** The app-wide concurrency budget this pattern reports into. */
  public readonly budget: ConcurrencyBudget;
  /**
   * Alarms, metrics and dashboard of the pattern; every connected function is watched.
   * @default - none when `monitoring.enabled` is false
   */
  public readonly monitoring?: DataAccessMonitoring;

  private readonly vpc: ec2.IVpc;
  private readonly writerFunctions: lambda.IFunction[] = [];

  constructor(scope: Construct, id: string, props: ElasticDataAccessProps) {
    super(scope, id);
    this.vpc = props.vpc;
    this.budget = ConcurrencyBudget.of(this);
    if (props.budget) this.budget.configure(props.budget);

    const { database: source, writeBuffer, budget, monitoring, ...access } = props;
    this.database = new DataAccessDatabase(this, 'Database', { ...access, source });
    this.writeBuffer = new WriteBuffer(this, 'WriteBuffer', props.writeBuffer ?? {});
    if (props.monitoring?.enabled ?? true) {
      this.monitoring = new DataAccessMonitoring(this, 'Monitoring', {
        writeBuffer: this.writeBuffer,
        database: this.database,
        accountConcurrency: this.budget.accountConcurrency,
        topic: props.monitoring?.topic,
        alarms: props.monitoring?.alarms,
        dashboard: props.monitoring?.dashboard,
      });
    }
  }

  /** The writer functions connected so far (created by `addWriter` or passed to `connectWriter`). */
  public get writers(): lambda.IFunction[] {
    return [...this.writerFunctions];
  }

  /**
   * Connects a reader: read-path access (proxy READ_ONLY endpoint on Aurora, replicas on RDS),
   * security-group rule, IAM or secret grant, environment contract, and reserved concurrency.
   *
   * The reader is a Lambda function in the pattern's VPC (give it `reservedConcurrency`), an ECS service
   * (`FargateService`, `Ec2Service`: its task role gets the grant, its default container the environment;
   * give it `declaredConcurrency`, its maximum task count), an EC2 instance or an Auto Scaling group;
   * see `DataAccessDatabase.grantRead`.
   */
  public connectReader(consumer: IDatabaseConsumer | ecs.BaseService, options: ConnectReaderOptions = {}): ReaderConnection {
    this.reserve(consumer, 'connectReader', options.reservedConcurrency);
    this.database.grantRead(consumer, options);
    const connection = this.database.readConnectionInfo(options);
    const alias = this.provision(consumer, options.provisionedConcurrency);
    if (consumer instanceof lambda.FunctionBase) this.watch(consumer, true);
    return { connection, alias };
  }

  /**
   * Connects your own writer function: write access through the proxy, consumption of the write
   * buffer with bounded `maxConcurrency`, and the right to dead-letter poison messages itself.
   */
  public connectWriter(fn: lambda.IFunction, options: ConnectWriterOptions = {}): ConnectionInfo {
    const reserved = options.reservedConcurrency ?? (reservedConcurrencyOf(fn) === undefined ? options.maxConcurrency : undefined);
    this.reserve(fn, 'connectWriter', reserved);
    this.database.grantWrite(fn, options);
    const connection = this.database.writeConnectionInfo(options);
    this.writeBuffer.addConsumer(fn, options);
    this.writeBuffer.grantSendToDeadLetterQueue(fn);
    if (fn instanceof lambda.Function) {
      fn.addEnvironment('EDA_WRITE_QUEUE_URL', this.writeBuffer.queue.queueUrl);
      fn.addEnvironment('EDA_DEAD_LETTER_QUEUE_URL', this.writeBuffer.deadLetterQueue.queueUrl);
    }
    this.writerFunctions.push(fn);
    this.watch(fn, true);
    return connection;
  }

  /**
   * Lets a producer enqueue writes: `sqs:SendMessage` (and KMS where used) on the write buffer, and
   * `EDA_WRITE_QUEUE_URL` / `EDA_WRITE_QUEUE_FIFO` on Lambda functions. Producers hold no database
   * connections, so they need no reserved concurrency for the budget. An ECS service (`FargateService`,
   * `Ec2Service`) may produce too: its task role gets the grant, its default container the variables.
   * @returns the environment variables a producer needs (set for you on Lambda functions and ECS services)
   */
  public connectProducer(producer: iam.IGrantable | ecs.BaseService): { [key: string]: string } {
    const candidate: unknown = producer;
    const service = candidate instanceof ecs.BaseService ? candidate : undefined;
    this.writeBuffer.grantSend(service ? service.taskDefinition.taskRole : producer as iam.IGrantable);
    const environment = {
      EDA_WRITE_QUEUE_URL: this.writeBuffer.queue.queueUrl,
      EDA_WRITE_QUEUE_FIFO: String(this.writeBuffer.fifo),
    };
    for (const [key, value] of Object.entries(environment)) {
      if (producer instanceof lambda.Function) producer.addEnvironment(key, value);
      service?.taskDefinition.defaultContainer?.addEnvironment(key, value);
    }
    if (producer instanceof lambda.FunctionBase) this.watch(producer, false);
    return environment;
  }

  /**
   * Creates a writer function from your handler file (bundled with esbuild) and connects it:
   * arm64, JSON logs, active tracing, in the VPC, reserved concurrency = maxConcurrency unless given.
   */
  public addWriter(id: string, options: WriterFunctionOptions): nodejs.NodejsFunction {
    const fn = new nodejs.NodejsFunction(this, id, {
      entry: options.entry,
      handler: options.handler ?? 'handler',
      runtime: options.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: options.timeout ?? Duration.seconds(30),
      memorySize: options.memorySize ?? 512,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      vpc: this.vpc,
      vpcSubnets: this.database.vpcSubnets,
      environment: options.environment,
      bundling: { minify: true, sourceMap: true, externalModules: [...LAMBDA_RUNTIME_SDK_CLIENTS], ...options.bundling },
    });
    // A writer without its own numbers gets a small bounded pool: 5 concurrent batches, 5 environments.
    const maxConcurrency = options.maxConcurrency ?? options.reservedConcurrency ?? DEFAULT_WRITER_CONCURRENCY;
    this.connectWriter(fn, { ...options, maxConcurrency, reservedConcurrency: options.reservedConcurrency ?? maxConcurrency });
    // This function and its role, default policy and event source mapping are ours: acknowledge the
    // findings that follow from being an SQS-driven, traced VPC function (docs/compliance.md).
    acknowledge(fn, 'writerHasNoAsyncDeadLetterQueue', 'writerEventSourceHasNoOnFailureDestination',
      'lambdaManagedExecutionPolicies', 'xrayNeedsWildcard', 'grantsAreInlinePolicies');
    return fn;
  }

  /** Monitors a connected function once, however many roles it has (a reader that also produces, say). */
  private watch(fn: lambda.IFunction, databaseFacing: boolean): void {
    if (!this.monitoring || this.monitoring.functions.some((m) => m.function === fn)) return;
    this.monitoring.monitorFunction({ function: fn, databaseFacing });
  }

  private reserve(consumer: IDatabaseConsumer | ecs.BaseService | lambda.IFunction, method: string, reserved: number | undefined): void {
    if (reserved === undefined) return;
    validateInteger(this, `${method} reservedConcurrency`, reserved);
    // Reserved concurrency 0 disables the function; the account-wide sum is checked by the budget.
    validateRange(this, `${method} reservedConcurrency`, reserved, 1, Number.MAX_SAFE_INTEGER);
    const cfn = consumer.node.defaultChild;
    if (!(cfn instanceof lambda.CfnFunction)) {
      fail(this, 'EdaReservedConcurrency', `${method} reservedConcurrency can only be set on a lambda.Function defined in this app, got ${consumer.node.path}; declare the concurrency of other consumers with declaredConcurrency`);
    }
    const existing = cfn.reservedConcurrentExecutions;
    if (existing !== undefined && !Token.isUnresolved(existing) && existing !== reserved) {
      fail(this, 'EdaReservedConcurrency', `${method} reservedConcurrency ${reserved} conflicts with the reservedConcurrentExecutions ${existing} already set on ${consumer.node.path}`);
    }
    cfn.reservedConcurrentExecutions = reserved;
  }

  private provision(consumer: IDatabaseConsumer | ecs.BaseService, provisioned: number | undefined): lambda.Alias | undefined {
    if (provisioned === undefined) return undefined;
    if (!(consumer instanceof lambda.Function)) {
      fail(this, 'EdaProvisionedConcurrency', `provisionedConcurrency needs a lambda.Function (it creates a version and an alias), got ${consumer.node.path}`);
    }
    validateInteger(this, 'provisionedConcurrency', provisioned);
    const reserved = reservedConcurrencyOf(consumer);
    // Provisioned environments come out of the function's reserved concurrency.
    // https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
    validateRange(this, 'provisionedConcurrency', provisioned, 1, reserved ?? Number.MAX_SAFE_INTEGER,
      reserved === undefined ? undefined : `the reserved concurrency of ${consumer.node.path}`);
    return new lambda.Alias(consumer, 'LiveAlias', {
      aliasName: 'live',
      version: consumer.currentVersion,
      provisionedConcurrentExecutions: provisioned,
    });
  }
}

const DEFAULT_WRITER_CONCURRENCY = 5;

/**
 * What esbuild leaves to the Lambda Node.js runtime: the SDK v3 service clients it ships. Utility
 * packages such as @aws-sdk/rds-signer (IAM auth tokens) are not guaranteed to be there, so the
 * usual `@aws-sdk/*` exclusion could fail at the first connection with "Cannot find module".
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 */
export const LAMBDA_RUNTIME_SDK_CLIENTS: readonly string[] = ['@aws-sdk/client-*'];
