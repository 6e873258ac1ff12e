/**
 * EDA-13 limit boundaries: for every AWS limit the database, write-buffer, budget and cache constructs
 * enforce at synth, the last valid value synthesizes and the first invalid one fails with the exact
 * ValidationError message. The source of each limit (AWS URL and quoted sentence) is in a comment where
 * the limit is enforced; the row names say which.
 *
 * Each value is tried in a fresh App, so rows cannot leak state into each other.
 */
import { App, Duration, Errors, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  ConcurrencyBudget,
  DataAccessDatabase,
  DataAccessDatabaseProps,
  DatabaseEngineFamily,
  DatabaseSource,
  ReadCache,
  WriteBuffer,
  WriteBufferConsumerOptions,
  WriteBufferProps,
} from '../../src';
import { newFunction, newStack } from '../database/fixtures';
import { writerFunction } from '../write-buffer/consumer-fixture';

type Boundary = [name: string, build: (value: number) => unknown, lastValid: number, firstInvalid: number, message: string];

const { POSTGRES, MYSQL } = DatabaseEngineFamily;
const serverlessPostgres = (extra = {}) => DatabaseSource.auroraServerlessV2({ engine: POSTGRES, ...extra });
const mysqlIdleTimeout = (seconds: number) =>
  DatabaseSource.rdsInstance({ engine: MYSQL, queryGuardrails: { idleSessionTimeout: Duration.seconds(seconds) } });
const AURORA_POSTGRES_15_4 = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_15_4 });

/** A DataAccessDatabase in a fresh two-AZ VPC stack. */
function database(props: Omit<DataAccessDatabaseProps, 'vpc'>): { stack: Stack; vpc: ec2.Vpc; db: DataAccessDatabase } {
  const { stack, vpc } = newStack();
  return { stack, vpc, db: new DataAccessDatabase(stack, 'Orders', { vpc, ...props }) };
}

/** A WriteBuffer with one consumer in a fresh app, synthesized so the cross-resource rules run. */
function bufferWithConsumer(props: WriteBufferProps, consumer: Partial<lambda.FunctionProps>, options: WriteBufferConsumerOptions): void {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  new WriteBuffer(stack, 'Buffer', props).addConsumer(writerFunction(stack, 'Writer', consumer), options);
  app.synth();
}

/** A ReadCache in a fresh two-AZ VPC stack. */
function cache(props: { [key: string]: unknown }): void {
  const { stack, vpc } = newStack();
  new ReadCache(stack, 'Cache', { vpc, ...props });
}

const databaseRows: Boundary[] = [
  ['proxy MaxConnectionsPercent ≤ 100 (RDS API: "Must be between 1 and 100")',
    (v) => database({ source: serverlessPostgres(), proxy: { maxConnectionsPercent: v } }), 100, 101,
    'maxConnectionsPercent must be between 1 and 100, got 101'],
  ['proxy MaxConnectionsPercent ≥ 1',
    (v) => database({ source: serverlessPostgres(), proxy: { maxConnectionsPercent: v } }), 1, 0,
    'maxConnectionsPercent must be between 1 and 100, got 0'],
  ['proxy MaxIdleConnectionsPercent ≤ MaxConnectionsPercent',
    (v) => database({ source: serverlessPostgres(), proxy: { maxConnectionsPercent: 50, maxIdleConnectionsPercent: v } }), 50, 51,
    'maxIdleConnectionsPercent must be between 0 and 50, got 51 (it cannot exceed maxConnectionsPercent)'],
  ['proxy ConnectionBorrowTimeout ≤ 300 s (RDS API: "Must be between 0 and 300")',
    (v) => database({ source: serverlessPostgres(), proxy: { connectionBorrowTimeout: Duration.seconds(v) } }), 300, 301,
    'connectionBorrowTimeout (seconds) must be between 0 and 300, got 301'],
  ['proxy IdleClientTimeout ≤ 28,800 s (RDS API: "Constraints: 1 to 28,800")',
    (v) => database({ source: serverlessPostgres(), proxy: { idleClientTimeout: Duration.seconds(v) } }), 28800, 28801,
    'idleClientTimeout (seconds) must be between 1 and 28800, got 28801'],
  ['proxy IdleClientTimeout ≥ 1 s',
    (v) => database({ source: serverlessPostgres(), proxy: { idleClientTimeout: Duration.millis(v * 1000) } }), 1, 0.999,
    'idleClientTimeout (seconds) must be between 1 and 28800, got 0.999'],
  ['backup retention ≤ 35 days (RDS API: "Must be a value from 1 to 35")',
    (v) => database({ source: serverlessPostgres({ backupRetention: Duration.days(v) }) }), 35, 36,
    'backupRetention (days) must be between 1 and 35, got 36'],
  ['backup retention ≥ 1 day',
    (v) => database({ source: serverlessPostgres({ backupRetention: Duration.days(v) }) }), 1, 0,
    'backupRetention (days) must be between 1 and 35, got 0'],
  ['Enhanced Monitoring interval: 60 s is the largest of 0 | 1 | 5 | 10 | 15 | 30 | 60',
    (v) => database({ source: serverlessPostgres({ monitoringInterval: Duration.seconds(v) }) }), 60, 61,
    'monitoringInterval must be one of 0, 1, 5, 10, 15, 30, 60 seconds, got 61'],
  ['Aurora readers ≤ 15 ("up to 15 Aurora Replicas")',
    (v) => database({ source: serverlessPostgres({ readers: v }) }), 15, 16,
    'readers must be between 0 and 15, got 16 (AWS allows at most 15 replicas per cluster or source instance)'],
  ['Serverless v2 minCapacity ≥ 0.5 behind a proxy (0 is auto-pause)',
    (v) => database({ source: serverlessPostgres({ minCapacity: v }) }), 0.5, 0,
    'minCapacity must be at least 0.5, got 0: Aurora Serverless v2 auto-pause (minCapacity 0) does not work with RDS Proxy, which this construct always places in front of the writer'],
  ['Serverless v2 maxCapacity ≤ 256 ACU',
    (v) => database({ source: serverlessPostgres({ maxCapacity: v }) }), 256, 256.5,
    'maxCapacity must be between 1 and 256, got 256.5'],
  ['Serverless v2 maxCapacity ≤ 128 ACU on engine versions before 256 ACU',
    (v) => database({
      source: serverlessPostgres({ engineVersion: AURORA_POSTGRES_15_4, maxCapacity: v }),
    }), 128, 128.5,
    'maxCapacity must be at most 128 ACU on Aurora PostgreSQL 15.4, got 128.5: 256 ACU needs Aurora MySQL 3.06 or Aurora PostgreSQL 13.13, 14.10, 15.5, 16.1 or higher'],
  ['maxConnections ≥ 1',
    (v) => database({ source: DatabaseSource.auroraProvisioned({ engine: MYSQL, maxConnections: v }) }), 1, 0,
    'maxConnections must be at least 1, got 0'],
  ['directConnectionsFraction ≤ 1',
    (v) => database({ source: serverlessPostgres(), directConnectionsFraction: v }), 1, 1.01,
    'directConnectionsFraction must be greater than 0 and at most 1, got 1.01'],
  ['existingProxyMaxConnectionsPercent ≤ 100',
    (v) => {
      const { stack, vpc } = newStack();
      const existingProxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
        dbProxyName: 'orders', dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123', endpoint: 'orders.proxy', securityGroups: [],
      });
      new DataAccessDatabase(stack, 'Orders', {
        vpc,
        source: serverlessPostgres({ readers: 0 }),
        existingProxy,
        existingProxyMaxConnectionsPercent: v,
        existingProxySecurityGroups: [new ec2.SecurityGroup(stack, 'ProxySg', { vpc })],
      });
    }, 100, 101,
    'existingProxyMaxConnectionsPercent must be between 1 and 100, got 101'],
  ['statement timeout guardrail ≥ 1 ms (0 would disable it)',
    (v) => database({ source: serverlessPostgres({ queryGuardrails: { statementTimeout: Duration.millis(v) } }) }), 1, 0,
    'queryGuardrails.statementTimeout (ms) must be between 1 and 2147483647, got 0'],
  ['MySQL wait_timeout ≤ 31,536,000 s',
    (v) => database({ source: mysqlIdleTimeout(v) }), 31536000, 31536001,
    'queryGuardrails.idleSessionTimeout (seconds) must be between 1 and 31536000, got 31536001'],
  ['MySQL wait_timeout longer than the proxy idle client timeout (1,800 s by default)',
    (v) => database({ source: mysqlIdleTimeout(v) }), 1801, 1800,
    "queryGuardrails.idleSessionTimeout (MySQL wait_timeout/interactive_timeout 1800 s) must be longer than the proxy's idleClientTimeout (1800 s): the database would close sessions the proxy still holds"],
  ['connectionsPerEnvironment ≥ 1',
    (v) => {
      const { stack, vpc, db } = database({ source: serverlessPostgres() });
      db.grantWrite(newFunction(stack, 'Writer', vpc), { connectionsPerEnvironment: v });
    }, 1, 0,
    'connectionsPerEnvironment must be at least 1, got 0'],
];

const budgetRows: Boundary[] = [
  ['account concurrency ≥ 1 (any quota, including a new account\'s 10)',
    (v) => ConcurrencyBudget.of(new App()).configure({ accountConcurrency: v }), 1, 0,
    'accountConcurrency must be a whole number of at least 1, got 0'],
  ['unreserved minimum ≥ Lambda\'s 100',
    (v) => ConcurrencyBudget.of(new App()).configure({ accountConcurrency: 1000, unreservedMinimum: v }), 100, 99,
    'unreservedMinimum must be a whole number between 100 (Lambda keeps min(100, accountConcurrency) unreserved) and accountConcurrency 1000, got 99'],
  ['reserved concurrency ≤ account limit − 100 (limit 300)',
    (v) => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      ConcurrencyBudget.of(app).configure({ accountConcurrency: 300 });
      writerFunction(stack, 'Api', { reservedConcurrentExecutions: v });
      app.synth();
    }, 200, 201,
    'Validation failed with the following errors:\n  [cdk-elastic-data-access.ConcurrencyBudget] ConcurrencyBudget: the functions in environment-agnostic reserve 201 concurrent executions, ' +
    'above the 200 that can be reserved (account concurrency 300 − 100 that Lambda keeps unreserved). Largest: Stack/Api (201). ' +
    'Lower reservations or request a higher account limit and set budget.accountConcurrency.'],
];

const writeBufferRows: Boundary[] = [
  ['SQS event source MaximumConcurrency ≥ 2 (Lambda API: "Minimum value of 2")',
    (v) => bufferWithConsumer({}, {}, { maxConcurrency: v }), 2, 1,
    'maxConcurrency must be between 2 and 1000, got 1'],
  ['SQS event source MaximumConcurrency ≤ 1000',
    (v) => bufferWithConsumer({}, {}, { maxConcurrency: v }), 1000, 1001,
    'maxConcurrency must be between 2 and 1000, got 1001'],
  ['maxConcurrency ≤ the function\'s reserved concurrency',
    (v) => bufferWithConsumer({}, { reservedConcurrentExecutions: 4 }, { maxConcurrency: v }), 4, 5,
    'maxConcurrency must be at most the reserved concurrency of Stack/Writer (4), got 5'],
  ['batch size ≤ 10,000 on a standard queue (with a batching window)',
    (v) => bufferWithConsumer({}, {}, { batchSize: v, maxBatchingWindow: Duration.seconds(1) }), 10000, 10001,
    'batchSize must be between 1 and 10000, got 10001'],
  ['batch size ≤ 10 without a batching window',
    (v) => bufferWithConsumer({}, {}, { batchSize: v }), 10, 11,
    'batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize 11 for consumer Stack/Writer'],
  ['batch size ≤ 10 on a FIFO queue',
    (v) => bufferWithConsumer({ fifo: true }, {}, { batchSize: v }), 10, 11,
    'batchSize must be between 1 and 10, got 11 (FIFO queue)'],
  ['batching window ≤ 300 s (Lambda API: "from 0 seconds to 300 seconds")',
    (v) => bufferWithConsumer({}, {}, { maxBatchingWindow: Duration.seconds(v) }), 300, 301,
    'maxBatchingWindow (seconds) must be between 0 and 300, got 301'],
  ['batching window in whole seconds ("in increments of seconds")',
    (v) => bufferWithConsumer({}, {}, { maxBatchingWindow: Duration.millis(v * 1000) }), 2, 1.5,
    'maxBatchingWindow (seconds) must be a whole number, got 1.5'],
  ['queue visibility timeout ≥ function timeout (Lambda refuses less)',
    (v) => bufferWithConsumer({ visibilityTimeout: Duration.seconds(v) }, { timeout: Duration.seconds(30) }, {}), 30, 29,
    'visibilityTimeout must be at least the timeout of consumer Stack/Writer (30 s), got 29 s: Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout'],
  ['maxReceiveCount ≤ 1000',
    (v) => new WriteBuffer(new Stack(new App(), 'Stack'), 'Buffer', { maxReceiveCount: v }), 1000, 1001,
    'maxReceiveCount must be between 1 and 1000, got 1001'],
  ['maxReceiveCount ≥ 1',
    (v) => new WriteBuffer(new Stack(new App(), 'Stack'), 'Buffer', { maxReceiveCount: v }), 1, 0,
    'maxReceiveCount must be between 1 and 1000, got 0'],
  ['dead-letter retention ≤ 1,209,600 s (SQS API: "to 1,209,600 seconds (14 days)")',
    (v) => new WriteBuffer(new Stack(new App(), 'Stack'), 'Buffer', { deadLetterRetention: Duration.seconds(v) }), 1209600, 1209601,
    'deadLetterRetention (seconds) must be between 60 and 1209600, got 1209601'],
  ['dead-letter retention ≥ 60 s (SQS API: "from 60 seconds (1 minute)")',
    (v) => new WriteBuffer(new Stack(new App(), 'Stack'), 'Buffer', { deadLetterRetention: Duration.seconds(v) }), 60, 59,
    'deadLetterRetention (seconds) must be between 60 and 1209600, got 59'],
];

const cacheRows: Boundary[] = [
  ['cache data storage ≤ 5,000 GB', (v) => cache({ maxDataStorageGb: v }), 5000, 5001, 'maxDataStorageGb must be between 1 and 5000, got 5001'],
  ['cache data storage ≥ 1 GB', (v) => cache({ maxDataStorageGb: v }), 1, 0, 'maxDataStorageGb must be between 1 and 5000, got 0'],
  ['cache ECPU per second ≤ 15,000,000', (v) => cache({ maxEcpuPerSecond: v }), 15_000_000, 15_000_001, 'maxEcpuPerSecond must be between 1000 and 15000000, got 15000001'],
  ['cache ECPU per second ≥ 1,000', (v) => cache({ maxEcpuPerSecond: v }), 1000, 999, 'maxEcpuPerSecond must be between 1000 and 15000000, got 999'],
  ['cache snapshot retention ≤ 35 days', (v) => cache({ snapshotRetentionDays: v }), 35, 36, 'snapshotRetentionDays must be between 1 and 35, got 36'],
  ['cache snapshot retention ≥ 1 day', (v) => cache({ snapshotRetentionDays: v }), 1, 0, 'snapshotRetentionDays must be between 1 and 35, got 0'],
  ['cache name ≤ 40 characters', (v) => cache({ cacheName: 'c'.repeat(v) }), 40, 41,
    `cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got '${'c'.repeat(41)}'`],
];

const rows: Boundary[] = [...databaseRows, ...budgetRows, ...writeBufferRows, ...cacheRows];

/** The error `build(value)` throws, or undefined. */
function errorOf(build: (value: number) => unknown, value: number): unknown {
  try {
    build(value);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('EDA-13 limit boundaries: the last valid value passes, the first invalid one fails with the exact message', () => {
  test.each(rows)('%s', (_name, build, lastValid, firstInvalid, message) => {
    expect(errorOf(build, lastValid)).toBeUndefined();
    const error = errorOf(build, firstInvalid);
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
