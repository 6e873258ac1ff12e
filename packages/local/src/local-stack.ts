import { LocalPgBouncer, startPgBouncer } from './pgbouncer';
import { PinningDetector, PinningFinding } from './pinning-detector';
import { LocalPostgres, startPostgres } from './postgres-server';
import { LOCAL_AWS_CREDENTIALS, LocalSqs, startSqs } from './sqs-server';

/** Options of {@link LocalStack.up}. */
export interface LocalStackOptions {
  /** Postgres `max_connections`. @default 100 */
  readonly maxConnections?: number;
  /** PgBouncer server connections (the stand-in for RDS Proxy's pool). @default 20 */
  readonly poolSize?: number;
  /** PgBouncer's wait for a server connection (RDS Proxy's ConnectionBorrowTimeout). @default 120 */
  readonly borrowTimeoutSeconds?: number;
  /** Write-queue name (its DLQ is `<name>-dlq`). @default 'eda-writes' */
  readonly queueName?: string;
  /** Write-queue visibility timeout. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Connections per execution environment written to `EDA_POOL_MAX`. @default 1 */
  readonly poolMax?: number;
  /** Written to `EDA_STATEMENT_TIMEOUT_MS` and set as the app role's `statement_timeout` (userSetupSql). @default 5000 */
  readonly statementTimeoutMs?: number;
  /** Called on the first occurrence of each distinct statement that would pin an RDS Proxy session. @default none */
  readonly onPinning?: (finding: PinningFinding) => void;
}

/**
 * The pattern on one machine, with real components and no AWS: PostgreSQL 15 (the database), PgBouncer in
 * transaction mode (RDS Proxy), local-aws-sqs (the write queue and its DLQ). `environment()` returns the
 * environment contract (docs/environment-contract.md), so runtime code runs unchanged against it. Runtime
 * connections reach PgBouncer through a {@link PinningDetector}, which reports every statement that would pin an
 * RDS Proxy session (PgBouncer never pins, so it cannot show them): see `pinningReport()`/`expectNoPinning()`.
 */
export class LocalStack {
  /** Starts Postgres, then PgBouncer in front of it, then SQS; on a failure, stops what had started. */
  public static async up(options: LocalStackOptions = {}): Promise<LocalStack> {
    const started: Array<{ stop(): Promise<void> }> = [];
    try {
      const postgres = await startPostgres({ maxConnections: options.maxConnections, statementTimeoutMs: options.statementTimeoutMs ?? 5000 });
      started.push(postgres);
      const pgbouncer = await startPgBouncer(postgres, { poolSize: options.poolSize, borrowTimeoutSeconds: options.borrowTimeoutSeconds });
      started.push(pgbouncer);
      const pinning = await PinningDetector.start({ engine: 'postgres', upstream: pgbouncer, onFinding: options.onPinning });
      started.push(pinning);
      const sqs = await startSqs({
        queueName: options.queueName,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        maxReceiveCount: options.maxReceiveCount,
      });
      started.push(sqs);
      return new LocalStack(postgres, pgbouncer, pinning, sqs, options);
    } catch (error) {
      for (const component of started.reverse()) await component.stop().catch(() => undefined);
      throw error;
    }
  }

  private constructor(
    /** The database (direct connections: migrations, inspection, the "no proxy" baseline). */
    public readonly postgres: LocalPostgres,
    /** The pool every runtime connection goes through, as through RDS Proxy. */
    public readonly pgbouncer: LocalPgBouncer,
    /** In front of PgBouncer: the host and port runtime code connects to (EDA_WRITE_HOST, EDA_READ_HOSTS). */
    public readonly pinning: PinningDetector,
    public readonly sqs: LocalSqs,
    private readonly options: LocalStackOptions,
  ) {}

  /**
   * Environment-contract variables for runtime code (writer, reader, producer), plus AWS SDK settings that
   * point any SQS client at the local server. Reads and writes both go through the pinning detector to PgBouncer,
   * as through a proxy.
   */
  public environment(): Record<string, string> {
    return {
      EDA_ENGINE: 'postgres',
      EDA_WRITE_HOST: this.pinning.host,
      EDA_WRITE_PORT: String(this.pinning.port),
      EDA_READ_HOSTS: this.pinning.host,
      EDA_READ_PORT: String(this.pinning.port),
      EDA_DATABASE: this.postgres.database,
      EDA_DB_USER: this.postgres.user,
      EDA_AUTH: 'password',
      EDA_DB_PASSWORD: this.postgres.password,
      EDA_TLS: 'disable',
      EDA_POOL_MAX: String(this.options.poolMax ?? 1),
      EDA_STATEMENT_TIMEOUT_MS: String(this.options.statementTimeoutMs ?? 5000),
      EDA_WRITE_QUEUE_URL: this.sqs.queueUrl,
      EDA_WRITE_QUEUE_FIFO: 'false',
      EDA_DEAD_LETTER_QUEUE_URL: this.sqs.deadLetterQueueUrl,
      // As the constructs set it: the writer's backoff never sets a shorter visibility.
      EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(this.sqs.visibilityTimeoutSeconds),
      EDA_SQS_ENDPOINT: this.sqs.endpoint,
      // The AWS SDK's own service-specific endpoint variable, so SQS clients that ignore EDA_SQS_ENDPOINT
      // also reach the local server (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
      AWS_ENDPOINT_URL_SQS: this.sqs.endpoint,
      AWS_REGION: this.sqs.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      // Local-only conveniences (psql, migrations); never set by the constructs.
      EDA_LOCAL_POOLED_URL: this.pooledConnectionString,
      EDA_LOCAL_DIRECT_URL: this.postgres.connectionString,
    };
  }

  /** `postgres://…` through the pinning detector and PgBouncer: what runtime code connects to. */
  public get pooledConnectionString(): string {
    const { user, password, database } = this.pgbouncer;
    return `postgres://${user}:${password}@${this.pinning.host}:${this.pinning.port}/${database}`;
  }

  /** Every distinct statement sent through the pool so far that would pin an RDS Proxy session. */
  public pinningReport(): PinningFinding[] {
    return this.pinning.findings();
  }

  /** Throws a `PinningError` listing every statement that would pin an RDS Proxy session, if any was seen. */
  public expectNoPinning(): void {
    this.pinning.expectNoPinning();
  }

  /** Stops SQS, the pinning detector, PgBouncer and Postgres (in that order) and deletes their files; keeps going past failures. */
  public async down(): Promise<void> {
    const errors: unknown[] = [];
    for (const component of [this.sqs, this.pinning, this.pgbouncer, this.postgres]) {
      await component.stop().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  }
}
