/**
 * EDA-7 bad-config matrix: every construct and factory of the library rejects bad input at synth
 * with an aws-cdk-lib ValidationError whose message names the prop, the offending value and the limit.
 *
 * One row per distinct invalid configuration (a different prop, a different rule or a different
 * construct, never the same check with other numbers). Each row builds its bad configuration in a
 * fresh App and Stack, and pins the full message the library throws today: a message that loses the
 * prop, the value or the limit fails this matrix. Rules that run at synth (the WriteBuffer's
 * cross-resource checks, the ConcurrencyBudget) are triggered with `app.synth()`.
 *
 * Functions are plain `lambda.Function`s with inline code; the one NodejsFunction (addWriter) is
 * created with bundling skipped, so no row runs esbuild or Docker.
 */
import * as path from 'path';
import { App, Duration, Errors, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  Concurrency,
  ConcurrencyBudget,
  ConnectionLedger,
  ConnectionTarget,
  ConnectionTargetKind,
  DataAccessDatabase,
  DataAccessDatabaseProps,
  DataAccessMonitoring,
  DatabaseAuthentication,
  DatabaseEngineFamily,
  DatabaseSource,
  ElasticDataAccess,
  ElasticDataAccessProps,
  ReadCache,
  WriteBuffer,
} from '../../src';
import { TaskConsumer } from '../database/fixtures';

const WRITER_ENTRY = path.join(__dirname, '..', 'pattern', 'fixtures', 'order-writer.ts');
/** The app-root id of the ConcurrencyBudget, as synth-time budget errors name it. */
const BUDGET_PATH = 'cdk-elastic-data-access.ConcurrencyBudget';

// ---------------------------------------------------------------------------------------------
// Fixtures: each call builds a fresh App, so no row can leak state into another.
// ---------------------------------------------------------------------------------------------

/** A fresh, environment-agnostic stack (no VPC). */
function bare(): { app: App; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  return { app, stack: new Stack(app, 'Stack') };
}

/** A fresh stack in a concrete environment with a two-AZ VPC (private subnets with egress). */
function withVpc(): { app: App; stack: Stack; vpc: ec2.Vpc } {
  // No stack is bundled: addWriter's NodejsFunction is created without running esbuild.
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return { app, stack, vpc };
}

/** A Lambda function with inline code (no bundling); props override the defaults. */
function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    ...props,
  });
}

const auroraPostgres = (readers = 1) => DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers });
const rdsPostgres = (readReplicas = 0) => DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas });

/** A DataAccessDatabase `Stack/Orders` in a fresh VPC stack. */
function database(props: Omit<DataAccessDatabaseProps, 'vpc'>) {
  const fixture = withVpc();
  return { ...fixture, db: new DataAccessDatabase(fixture.stack, 'Orders', { vpc: fixture.vpc, ...props }) };
}

/** An imported proxy without security groups of its own. */
function importedProxy(scope: Construct): rds.IDatabaseProxy {
  return rds.DatabaseProxy.fromDatabaseProxyAttributes(scope, 'ExistingProxy', {
    dbProxyName: 'orders',
    dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123',
    endpoint: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com',
    securityGroups: [],
  });
}

/** An ElasticDataAccess `Stack/Orders` (Aurora Serverless v2, 1 reader); monitoring off unless given. */
function pattern(props: Partial<Omit<ElasticDataAccessProps, 'vpc'>> = {}) {
  const fixture = withVpc();
  const eda = new ElasticDataAccess(fixture.stack, 'Orders', {
    vpc: fixture.vpc,
    database: auroraPostgres(1),
    monitoring: { enabled: false },
    ...props,
  });
  return { ...fixture, eda };
}

/** A connection target for direct ConnectionLedger draws. */
function target(capacity: number, owner?: Construct): ConnectionTarget {
  return { name: 'Stack/Proxy (writer)', kind: ConnectionTargetKind.PROXY_WRITER, capacity, capacityExplanation: `test capacity ${capacity}`, owner };
}

/** The message aws-cdk-lib throws when validate() hooks (here: the ConcurrencyBudget) return errors at synth. */
function budgetFailure(message: string): string {
  return `Validation failed with the following errors:\n  [${BUDGET_PATH}] ${message}`;
}

// ---------------------------------------------------------------------------------------------
// The matrix: [name, build the bad configuration, the exact message].
// ---------------------------------------------------------------------------------------------

type Row = [name: string, build: () => unknown, message: string];

const writeBufferRows: Row[] = [
  ['WriteBuffer: existingQueue together with queueProps', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer', { existingQueue: new sqs.Queue(stack, 'Existing'), queueProps: {} });
  }, 'existingQueue and queueProps cannot both be set: pass an existing resource or configure a new one, not both'],

  ['WriteBuffer: maxReceiveCount below 1', () => {
    new WriteBuffer(bare().stack, 'Buffer', { maxReceiveCount: 0 });
  }, 'maxReceiveCount must be between 1 and 1000, got 0'],

  ['WriteBuffer: deadLetterRetention above 14 days', () => {
    new WriteBuffer(bare().stack, 'Buffer', { deadLetterRetention: Duration.days(15) });
  }, 'deadLetterRetention (seconds) must be between 60 and 1209600, got 1296000'],

  ['WriteBuffer: fifo disagrees with queueProps.fifo', () => {
    new WriteBuffer(bare().stack, 'Buffer', { fifo: true, queueProps: { fifo: false } });
  }, 'fifo is true but queueProps.fifo is false: set one of them'],

  ['WriteBuffer: queueProps.contentBasedDeduplication true', () => {
    new WriteBuffer(bare().stack, 'Buffer', { fifo: true, queueProps: { contentBasedDeduplication: true } });
  }, 'queueProps.contentBasedDeduplication cannot be true: producers set the deduplication id to the idempotency key'],

  ['WriteBuffer: queueProps.enforceSSL false', () => {
    new WriteBuffer(bare().stack, 'Buffer', { queueProps: { enforceSSL: false } });
  }, 'queueProps.enforceSSL cannot be false: the write buffer only accepts TLS requests'],

  ['WriteBuffer: deadLetterQueueProps.encryption UNENCRYPTED', () => {
    new WriteBuffer(bare().stack, 'Buffer', { deadLetterQueueProps: { encryption: sqs.QueueEncryption.UNENCRYPTED } });
  }, 'deadLetterQueueProps.encryption cannot be UNENCRYPTED: write buffers hold user data and are always encrypted'],

  ['WriteBuffer: FIFO dead-letter queue behind a standard queue', () => {
    new WriteBuffer(bare().stack, 'Buffer', { deadLetterQueueProps: { fifo: true } });
  }, 'deadLetterQueueProps.fifo is true but the queue is a standard queue: the dead-letter queue must be of the same type'],

  ['WriteBuffer: maxReceiveCount contradicting the redrive policy of existingQueue', () => {
    const { stack } = bare();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const existingQueue = new sqs.Queue(stack, 'Existing', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    new WriteBuffer(stack, 'Buffer', { existingQueue, maxReceiveCount: 10 });
  }, 'maxReceiveCount is 10 but the redrive policy of existingQueue says 5: the redrive policy of an existing queue is left unchanged'],

  ['WriteBuffer.addConsumer: maxConcurrency below 2', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer').addConsumer(fn(stack, 'Writer'), { maxConcurrency: 1 });
  }, 'maxConcurrency must be between 2 and 1000, got 1'],

  ['WriteBuffer.addConsumer: batchSize above 10 without a batching window', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer').addConsumer(fn(stack, 'Writer'), { maxConcurrency: 2, batchSize: 20 });
  }, 'batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize 20 for consumer Stack/Writer'],

  ['WriteBuffer.addConsumer: maxBatchingWindow above 5 minutes', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer').addConsumer(fn(stack, 'Writer'), { maxConcurrency: 2, maxBatchingWindow: Duration.seconds(301) });
  }, 'maxBatchingWindow (seconds) must be between 0 and 300, got 301'],

  ['WriteBuffer.addConsumer: batchSize above 10 on a FIFO queue', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer', { fifo: true }).addConsumer(fn(stack, 'Writer'), { maxConcurrency: 2, batchSize: 11 });
  }, 'batchSize must be between 1 and 10, got 11 (FIFO queue)'],

  ['WriteBuffer.addConsumer: maxBatchingWindow on a FIFO queue', () => {
    const { stack } = bare();
    new WriteBuffer(stack, 'Buffer', { fifo: true }).addConsumer(fn(stack, 'Writer'), { maxConcurrency: 2, maxBatchingWindow: Duration.seconds(5) });
  }, 'maxBatchingWindow is not supported on a FIFO queue, got 5 seconds for consumer Stack/Writer'],

  ['WriteBuffer (synth): consumer with reserved concurrency but no maxConcurrency', () => {
    const { app, stack } = bare();
    new WriteBuffer(stack, 'Buffer').addConsumer(fn(stack, 'Writer', { reservedConcurrentExecutions: 5 }));
    app.synth();
  }, 'maxConcurrency is required for consumer Stack/Writer because it has reserved concurrency 5: without it throttled polls count as receives and move messages to the dead-letter queue unprocessed'],

  ['WriteBuffer (synth): maxConcurrency above the reserved concurrency set later', () => {
    const { app, stack } = bare();
    const writer = fn(stack, 'Writer');
    new WriteBuffer(stack, 'Buffer').addConsumer(writer, { maxConcurrency: 10 });
    (writer.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 4;
    app.synth();
  }, 'maxConcurrency must be at most the reserved concurrency of Stack/Writer (4), got 10'],

  ['WriteBuffer (synth): visibilityTimeout below the consumer timeout', () => {
    const { app, stack } = bare();
    new WriteBuffer(stack, 'Buffer', { visibilityTimeout: Duration.seconds(19) })
      .addConsumer(fn(stack, 'Writer', { timeout: Duration.seconds(20) }), { maxConcurrency: 2 });
    app.synth();
  }, 'visibilityTimeout must be at least the timeout of consumer Stack/Writer (20 s), got 19 s: Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout'],
];

const databaseSourceRows: Row[] = [
  ['DatabaseSource.auroraServerlessV2: more than 15 readers', () => {
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 16 }) });
  }, 'readers must be between 0 and 15, got 16 (AWS allows at most 15 replicas per cluster or source instance)'],

  ['DatabaseSource.auroraServerlessV2: maxCapacity above 256 ACU', () => {
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, maxCapacity: 300 }) });
  }, 'maxCapacity must be between 1 and 256, got 300'],

  ['DatabaseSource.auroraServerlessV2: minCapacity off the 0.5 ACU step', () => {
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 1.25 }) });
  }, 'minCapacity must be a multiple of 0.5 ACU, got 1.25'],

  ['DatabaseSource.auroraServerlessV2: minCapacity above maxCapacity', () => {
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 8, maxCapacity: 4 }) });
  }, 'minCapacity must not exceed maxCapacity, got minCapacity 8 and maxCapacity 4'],

  ['DatabaseSource.auroraServerlessV2: auto-pause (minCapacity 0) behind the proxy', () => {
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 0 }) });
  }, 'minCapacity must be at least 0.5, got 0: Aurora Serverless v2 auto-pause (minCapacity 0) does not work with RDS Proxy, which this construct always places in front of the writer'],

  ['DatabaseSource.auroraProvisioned: fractional readers', () => {
    database({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.POSTGRES, readers: 1.5 }) });
  }, 'readers must be a whole number, got 1.5'],

  ['DatabaseSource.auroraProvisioned: maxConnections below 1', () => {
    database({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, maxConnections: 0 }) });
  }, 'maxConnections must be at least 1, got 0'],

  ['DatabaseSource.rdsInstance: more than 15 read replicas', () => {
    database({ source: rdsPostgres(16) });
  }, 'readReplicas must be between 0 and 15, got 16 (AWS allows at most 15 replicas per cluster or source instance)'],

  ['DatabaseSource.rdsInstance: backupRetention above 35 days', () => {
    database({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, backupRetention: Duration.days(36) }) });
  }, 'backupRetention (days) must be between 1 and 35, got 36'],

  ['DatabaseSource.rdsInstance: instance class of unknown memory without maxConnections', () => {
    const metal = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.METAL);
    database({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, instanceType: metal }) });
  }, 'maxConnections must be set for instance class db.r6g.metal: its memory is not known to this library'],

  ['DatabaseSource.rdsInstance: queryGuardrails.statementTimeout of 0 (disabled)', () => {
    const queryGuardrails = { statementTimeout: Duration.millis(0) };
    database({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, queryGuardrails }) });
  }, 'queryGuardrails.statementTimeout (ms) must be between 1 and 2147483647, got 0'],

  ['DatabaseSource.auroraServerlessV2: queryGuardrails.idleSessionTimeout above one year', () => {
    const queryGuardrails = { idleSessionTimeout: Duration.days(366) };
    database({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, queryGuardrails }) });
  }, 'queryGuardrails.idleSessionTimeout (seconds) must be between 1 and 31536000, got 31622400'],

  ['DatabaseSource.existingCluster: readerMaxConnections below 1', () => {
    const { stack, vpc } = withVpc();
    const source = DatabaseSource.existingCluster({
      engine: DatabaseEngineFamily.POSTGRES,
      clusterIdentifier: 'orders',
      clusterResourceIdentifier: 'cluster-ABC',
      clusterEndpointAddress: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
      readerEndpointAddress: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [],
      readers: 1,
      maxConnections: 500,
      readerMaxConnections: 0,
    });
    new DataAccessDatabase(stack, 'Orders', { vpc, source });
  }, 'readerMaxConnections must be at least 1, got 0'],

  ['DatabaseSource.existingInstance: a replica whose maxConnections is fractional', () => {
    const { stack, vpc } = withVpc();
    const source = DatabaseSource.existingInstance({
      engine: DatabaseEngineFamily.POSTGRES,
      instanceIdentifier: 'orders',
      instanceResourceId: 'db-ABC',
      instanceEndpointAddress: 'orders.abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [],
      maxConnections: 400,
      readReplicas: [{
        instanceIdentifier: 'orders-replica',
        instanceResourceId: 'db-DEF',
        instanceEndpointAddress: 'orders-replica.abc.eu-west-1.rds.amazonaws.com',
        securityGroups: [],
        maxConnections: 99.5,
      }],
    });
    new DataAccessDatabase(stack, 'Orders', { vpc, source });
  }, 'readReplicas[0].maxConnections must be a whole number, got 99.5'],
];

const databaseRows: Row[] = [
  ['DataAccessDatabase: existingProxy together with proxy', () => {
    const { stack, vpc } = withVpc();
    new DataAccessDatabase(stack, 'Orders', { vpc, source: auroraPostgres(), existingProxy: importedProxy(stack), proxy: { maxConnectionsPercent: 50 } });
  }, 'existingProxy and proxy cannot both be set: pass an existing resource or configure a new one, not both'],

  ['DataAccessDatabase: imported existingProxy without existingProxySecurityGroups', () => {
    const { stack, vpc } = withVpc();
    new DataAccessDatabase(stack, 'Orders', { vpc, source: auroraPostgres(), existingProxy: importedProxy(stack) });
  }, 'existingProxySecurityGroups must be set when existingProxy is imported: consumers are allowed in on the proxy\'s security groups'],

  ['DataAccessDatabase: existingProxyMaxConnectionsPercent above 100', () => {
    const { stack, vpc } = withVpc();
    new DataAccessDatabase(stack, 'Orders', { vpc, source: auroraPostgres(), existingProxy: importedProxy(stack), existingProxyMaxConnectionsPercent: 101 });
  }, 'existingProxyMaxConnectionsPercent must be between 1 and 100, got 101'],

  ['DataAccessDatabase: directConnectionsFraction above 1', () => {
    database({ source: auroraPostgres(), directConnectionsFraction: 1.5 });
  }, 'directConnectionsFraction must be greater than 0 and at most 1, got 1.5'],

  ['DataAccessDatabase: SECRET authentication on an existing source without a secret', () => {
    const { stack, vpc } = withVpc();
    const source = DatabaseSource.existingInstance({
      engine: DatabaseEngineFamily.POSTGRES,
      instanceIdentifier: 'orders',
      instanceResourceId: 'db-ABC',
      instanceEndpointAddress: 'orders.abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [],
      maxConnections: 400,
    });
    new DataAccessDatabase(stack, 'Orders', { vpc, source, authentication: DatabaseAuthentication.SECRET });
  }, 'authentication secret needs the database secret: pass secret in the existing source\'s attributes or use DatabaseAuthentication.IAM'],

  ['DataAccessDatabase: proxy.maxConnectionsPercent of 0', () => {
    database({ source: auroraPostgres(), proxy: { maxConnectionsPercent: 0 } });
  }, 'maxConnectionsPercent must be between 1 and 100, got 0'],

  ['DataAccessDatabase: proxy.maxIdleConnectionsPercent above maxConnectionsPercent', () => {
    database({ source: auroraPostgres(), proxy: { maxConnectionsPercent: 50, maxIdleConnectionsPercent: 60 } });
  }, 'maxIdleConnectionsPercent must be between 0 and 50, got 60 (it cannot exceed maxConnectionsPercent)'],

  ['DataAccessDatabase: proxy.connectionBorrowTimeout above 300 s', () => {
    database({ source: auroraPostgres(), proxy: { connectionBorrowTimeout: Duration.seconds(301) } });
  }, 'connectionBorrowTimeout (seconds) must be between 0 and 300, got 301'],

  ['DataAccessDatabase: proxy.sessionPinningFilters on PostgreSQL', () => {
    database({ source: auroraPostgres(), proxy: { sessionPinningFilters: [rds.SessionPinningFilter.EXCLUDE_VARIABLE_SETS] } });
  }, 'sessionPinningFilters are supported for the MySQL engine family only, got EXCLUDE_VARIABLE_SETS on a postgres database: ' +
    'on PostgreSQL avoid what pins instead (SET outside a transaction, named prepared statements, temporary tables, advisory locks)'],

  ['DataAccessDatabase: proxy.idleClientTimeout below one second', () => {
    database({ source: auroraPostgres(), proxy: { idleClientTimeout: Duration.millis(500) } });
  }, 'idleClientTimeout (seconds) must be between 1 and 28800, got 0.5'],

  ['DataAccessDatabase: readOnlyEndpoint on an RDS source', () => {
    database({ source: rdsPostgres(1), readOnlyEndpoint: true });
  }, 'readOnlyEndpoint requires an Aurora source: RDS Proxy READ_ONLY endpoints serve Aurora readers only, RDS read replicas are read directly'],

  ['DataAccessDatabase: readOnlyEndpoint on Aurora without readers', () => {
    database({ source: auroraPostgres(0), readOnlyEndpoint: true });
  }, 'readOnlyEndpoint requires at least 1 Aurora reader, got readers 0'],

  ['DataAccessDatabase: a proxy in a single subnet', () => {
    const { stack, vpc } = withVpc();
    new DataAccessDatabase(stack, 'Orders', { vpc, source: rdsPostgres(0), proxy: { vpcSubnets: { subnets: [vpc.privateSubnets[0]] } } });
  }, 'vpcSubnets must select at least 2 subnets in 2 Availability Zones for the proxy, got 1 subnet(s) in 1 zone(s)'],

  ['DataAccessDatabase.grantRead: a source without readers', () => {
    const { stack, db } = database({ source: rdsPostgres(0) });
    db.grantRead(fn(stack, 'Reader', { reservedConcurrentExecutions: 10 }));
  }, 'grantRead needs readers (Aurora) or readReplicas (RDS) of at least 1, got 0 on Stack/Orders: add a reader, or use grantWrite'],

  ['DataAccessDatabase.grantWrite: connectionsPerEnvironment of 0', () => {
    const { stack, db } = database({ source: auroraPostgres() });
    db.grantWrite(fn(stack, 'Writer', { reservedConcurrentExecutions: 10 }), { connectionsPerEnvironment: 0 });
  }, 'connectionsPerEnvironment must be at least 1, got 0'],

  ['DataAccessDatabase.grantWrite: declaredConcurrency of 0 for a non-Lambda consumer', () => {
    const { stack, vpc, db } = database({ source: auroraPostgres() });
    db.grantWrite(new TaskConsumer(stack, 'Task', vpc), { declaredConcurrency: 0 });
  }, 'declaredConcurrency must be at least 1, got 0'],

  ['DataAccessDatabase: read and write grants with different connectionsPerEnvironment', () => {
    const { stack, vpc, db } = database({ source: auroraPostgres() });
    const api = fn(stack, 'Api', { vpc, reservedConcurrentExecutions: 10 });
    db.grantRead(api, { connectionsPerEnvironment: 1 });
    db.grantWrite(api, { connectionsPerEnvironment: 2 });
  }, 'connectionsPerEnvironment of Stack/Api must match its earlier grant (EDA_POOL_MAX=1), got 2: grant both paths with the same user, connectionsPerEnvironment, statementTimeout and database name'],

  ['DataAccessDatabase.grantDataApiRead: an RDS instance', () => {
    const { stack, db } = database({ source: rdsPostgres(0) });
    db.grantDataApiRead(fn(stack, 'Reader'));
  }, 'grantDataApiRead requires an Aurora source: the RDS Data API exists for Aurora clusters only, but Stack/Orders is an RDS instance'],

  ['DataAccessDatabase.grantDataApiRead: Aurora without enableDataApi', () => {
    const { stack, db } = database({ source: auroraPostgres() });
    db.grantDataApiRead(fn(stack, 'Reader'));
  }, 'grantDataApiRead requires the Data API: set enableDataApi: true on the Aurora source (dataApiEnabled: true for an existing cluster), got false'],
];

const budgetRows: Row[] = [
  ['ConcurrencyBudget.configure: accountConcurrency of 0', () => {
    ConcurrencyBudget.of(bare().app).configure({ accountConcurrency: 0 });
  }, 'accountConcurrency must be a whole number of at least 1, got 0'],

  ['ConcurrencyBudget.configure: unreservedMinimum below Lambda\'s', () => {
    ConcurrencyBudget.of(bare().app).configure({ accountConcurrency: 500, unreservedMinimum: 50 });
  }, 'unreservedMinimum must be a whole number between 100 (Lambda keeps min(100, accountConcurrency) unreserved) and accountConcurrency 500, got 50'],

  ['ConcurrencyBudget.configure: two account limits in one app', () => {
    const { app } = bare();
    ConcurrencyBudget.of(app).configure({ accountConcurrency: 1000 });
    ConcurrencyBudget.of(app).configure({ accountConcurrency: 3000 });
  }, 'accountConcurrency is 1000 for another pattern in this app, got 3000: the account limit is one number per account'],

  ['ConnectionLedger (synth): draws above the capacity of a target', () => {
    const { app, stack } = bare();
    const proxy = target(100, stack);
    const reader = fn(stack, 'Reader', { reservedConcurrentExecutions: 60 });
    const writer = fn(stack, 'Writer', { reservedConcurrentExecutions: 30 });
    ConnectionLedger.of(stack).recordDraw({ target: proxy, consumer: reader, connectionsPerEnvironment: 1 });
    ConnectionLedger.of(stack).recordDraw({ target: proxy, consumer: writer, connectionsPerEnvironment: 2 });
    app.synth();
  }, budgetFailure(
    'ConcurrencyBudget: Stack/Proxy (writer) is over budget: Σ concurrency × connections per environment = 120 ' +
    'exceeds its capacity of 100 (test capacity 100). Drawn by: Stack/Reader (60 × 1), Stack/Writer (30 × 2). ' +
    'Lower the reserved concurrency of Stack/Reader and Stack/Writer, buffer writes through the WriteBuffer, or raise the capacity.')],

  ['ConnectionLedger (synth): a non-Lambda consumer without declaredConcurrency', () => {
    const { app, stack } = bare();
    const service = new Construct(stack, 'Service');
    ConnectionLedger.of(stack).recordDraw({ target: target(100, stack), consumer: service, connectionsPerEnvironment: 1 });
    app.synth();
  }, budgetFailure(
    'ConcurrencyBudget: Stack/Service connects to Stack/Proxy (writer) without declaredConcurrency, so nothing bounds the connections it can open. ' +
    'Declare how many tasks or environments it runs at most (declaredConcurrency in the connect options; for an ECS service its maximum task count). ' +
    'Pick the number with Little\'s law: requests per second × average duration in seconds, ' +
    'e.g. Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(200) }) = 100.')],

  ['ConcurrencyBudget (synth): reserved concurrency above the account limit − 100', () => {
    const { app, stack } = bare();
    ConcurrencyBudget.of(app).configure({ accountConcurrency: 500 });
    fn(stack, 'Big', { reservedConcurrentExecutions: 300 });
    fn(stack, 'Small', { reservedConcurrentExecutions: 150 });
    app.synth();
  }, budgetFailure(
    'ConcurrencyBudget: the functions in environment-agnostic reserve 450 concurrent executions, above the 400 that can be reserved ' +
    '(account concurrency 500 − 100 that Lambda keeps unreserved). Largest: Stack/Big (300), Stack/Small (150). ' +
    'Lower reservations or request a higher account limit and set budget.accountConcurrency.')],

  ['ConcurrencyBudget (synth): a plain SqsEventSource with maxConcurrency above reserved concurrency', () => {
    const { app, stack } = bare();
    ConcurrencyBudget.of(app);
    const consumer = fn(stack, 'Consumer', { reservedConcurrentExecutions: 3 });
    consumer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { maxConcurrency: 10 }));
    app.synth();
  }, budgetFailure(
    'ConcurrencyBudget: Stack/Consumer/SqsEventSource:StackQueue1DEA7C94 has maxConcurrency 10, above the reserved concurrency 3 of Stack/Consumer; ' +
    'throttled batches count as receives and drain healthy messages into the dead-letter queue. Set maxConcurrency ≤ reserved concurrency.')],

  ['Concurrency.fromLoad: requestsPerSecond of 0', () => {
    Concurrency.fromLoad({ requestsPerSecond: 0, duration: Duration.millis(100) });
  }, 'requestsPerSecond must be greater than 0, got 0'],

  ['Concurrency.fromLoad: headroom below 1', () => {
    Concurrency.fromLoad({ requestsPerSecond: 100, duration: Duration.millis(100), headroom: 0.8 });
  }, 'headroom must be at least 1 (a multiplier on Little\'s law), got 0.8'],

  ['Concurrency.fromLoad: a zero duration', () => {
    Concurrency.fromLoad({ requestsPerSecond: 100, duration: Duration.millis(0) });
  }, 'duration must be greater than 0, got 0 millis'],
];

const patternRows: Row[] = [
  ['ElasticDataAccess: budget.accountConcurrency fractional', () => {
    pattern({ budget: { accountConcurrency: 50.5 } });
  }, 'accountConcurrency must be a whole number of at least 1, got 50.5'],

  ['ElasticDataAccess: monitoring.alarms datapointsToAlarm above evaluationPeriods', () => {
    pattern({ monitoring: { alarms: { deadLetterQueueNotEmpty: { evaluationPeriods: 2, datapointsToAlarm: 3 } } } });
  }, 'alarms.deadLetterQueueNotEmpty.datapointsToAlarm must be between 1 and evaluationPeriods (2), got 3'],

  ['ElasticDataAccess.connectReader: reservedConcurrency of 0', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', { vpc }), { reservedConcurrency: 0 });
  }, 'connectReader reservedConcurrency must be at least 1, got 0'],

  ['ElasticDataAccess.connectReader: reservedConcurrency conflicting with the function\'s own', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', { vpc, reservedConcurrentExecutions: 10 }), { reservedConcurrency: 20 });
  }, 'connectReader reservedConcurrency 20 conflicts with the reservedConcurrentExecutions 10 already set on Stack/Reader'],

  ['ElasticDataAccess.connectReader: reservedConcurrency on a non-Lambda consumer', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(new TaskConsumer(stack, 'Task', vpc), { reservedConcurrency: 4 });
  }, 'connectReader reservedConcurrency can only be set on a lambda.Function defined in this app, got Stack/Task; declare the concurrency of other consumers with declaredConcurrency'],

  ['ElasticDataAccess.connectReader: provisionedConcurrency above reserved concurrency', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader', { vpc }), { reservedConcurrency: 4, provisionedConcurrency: 5 });
  }, 'provisionedConcurrency must be between 1 and 4, got 5 (the reserved concurrency of Stack/Reader)'],

  ['ElasticDataAccess.connectReader: provisionedConcurrency on a non-Lambda consumer', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectReader(new TaskConsumer(stack, 'Task', vpc), { declaredConcurrency: 4, provisionedConcurrency: 2 });
  }, 'provisionedConcurrency needs a lambda.Function (it creates a version and an alias), got Stack/Task'],

  ['ElasticDataAccess.connectWriter: fractional reservedConcurrency', () => {
    const { stack, vpc, eda } = pattern();
    eda.connectWriter(fn(stack, 'Writer', { vpc }), { reservedConcurrency: 2.5, maxConcurrency: 2 });
  }, 'connectWriter reservedConcurrency must be a whole number, got 2.5'],

  ['ElasticDataAccess.connectWriter: maxConcurrency above 1000', () => {
    const { stack, vpc, eda } = pattern({ budget: { accountConcurrency: 5000 } });
    eda.connectWriter(fn(stack, 'Writer', { vpc }), { maxConcurrency: 1001 });
  }, 'maxConcurrency must be between 2 and 1000, got 1001'],

  ['ElasticDataAccess.addWriter (synth): timeout too long for the write buffer\'s visibilityTimeout', () => {
    const { app, eda } = pattern({ writeBuffer: { visibilityTimeout: Duration.minutes(2) } });
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY, timeout: Duration.minutes(3) });
    app.synth();
  }, 'visibilityTimeout must be at least the timeout of consumer Stack/Orders/OrderWriter (180 s), got 120 s: Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout'],

  ['ElasticDataAccess.addWriter: batchSize above 10 without a batching window', () => {
    const { eda } = pattern();
    eda.addWriter('OrderWriter', { entry: WRITER_ENTRY, batchSize: 25 });
  }, 'batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize 25 for consumer Stack/Orders/OrderWriter'],
];

const monitoringRows: Row[] = [
  ['DataAccessMonitoring: database together with databaseAttributes', () => {
    const { stack, db } = database({ source: auroraPostgres() });
    new DataAccessMonitoring(stack, 'Monitoring', { database: db, databaseAttributes: { proxyName: 'orders' } });
  }, 'database and databaseAttributes cannot both be set: pass an existing resource or configure a new one, not both'],

  ['DataAccessMonitoring: accountConcurrency of 0', () => {
    new DataAccessMonitoring(bare().stack, 'Monitoring', { accountConcurrency: 0 });
  }, 'accountConcurrency must be at least 1, got 0 (the Lambda concurrency limit of the account in this Region)'],

  ['DataAccessMonitoring: alarms.functionDurationNearTimeout.threshold above 100 %', () => {
    const { stack } = bare();
    new DataAccessMonitoring(stack, 'Monitoring', {
      functions: [{ function: fn(stack, 'Api') }],
      alarms: { functionDurationNearTimeout: { threshold: 150 } },
    });
  }, 'alarms.functionDurationNearTimeout.threshold is a percent of the timeout and must be greater than 0 and at most 100, got 150'],

  ['DataAccessMonitoring: alarms.functionErrors.evaluationPeriods longer than a day', () => {
    const { stack } = bare();
    new DataAccessMonitoring(stack, 'Monitoring', {
      functions: [{ function: fn(stack, 'Api') }],
      alarms: { functionErrors: { evaluationPeriods: 289 } },
    });
  }, 'alarms.functionErrors.evaluationPeriods must be between 1 and 288, got 289 (evaluationPeriods × period (300 s) must not exceed one day)'],

  ['DataAccessMonitoring: alarms.accountConcurrencyNearLimit.evaluationPeriods fractional', () => {
    new DataAccessMonitoring(bare().stack, 'Monitoring', { alarms: { accountConcurrencyNearLimit: { evaluationPeriods: 2.5 } } });
  }, 'alarms.accountConcurrencyNearLimit.evaluationPeriods must be a whole number, got 2.5'],

  ['DataAccessMonitoring.monitorFunction: the same function twice', () => {
    const { stack } = bare();
    const api = fn(stack, 'Api');
    new DataAccessMonitoring(stack, 'Monitoring', { functions: [{ function: api }, { function: api, databaseFacing: true }] });
  }, 'function Stack/Api is listed twice in functions'],
];

const readCacheRows: Row[] = [
  ['ReadCache: cacheName with upper case and underscores', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc, cacheName: 'Orders_Cache' });
  }, 'cacheName must be 1-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got \'Orders_Cache\''],

  ['ReadCache: maxDataStorageGb above 5000', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc, maxDataStorageGb: 5001 });
  }, 'maxDataStorageGb must be between 1 and 5000, got 5001'],

  ['ReadCache: maxEcpuPerSecond below 1000', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc, maxEcpuPerSecond: 999 });
  }, 'maxEcpuPerSecond must be between 1000 and 15000000, got 999'],

  ['ReadCache: minEcpuPerSecond above maxEcpuPerSecond', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc, minEcpuPerSecond: 5000, maxEcpuPerSecond: 2000 });
  }, 'minEcpuPerSecond (5000) must not exceed maxEcpuPerSecond (2000)'],

  ['ReadCache: snapshotRetentionDays above 35', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc, snapshotRetentionDays: 36 });
  }, 'snapshotRetentionDays must be between 1 and 35, got 36'],

  ['ReadCache: vpcSubnets selecting no subnet', () => {
    const { stack } = bare();
    const vpc = new ec2.Vpc(stack, 'PublicOnly', { maxAzs: 2, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    new ReadCache(stack, 'Cache', { vpc, vpcSubnets: { subnetGroupName: 'public', availabilityZones: ['nowhere-1a'] } });
  }, 'vpcSubnets selects no subnet in Stack/PublicOnly: the cache endpoint needs at least one subnet of the VPC'],

  ['ReadCache.connect: a function outside the VPC', () => {
    const { stack, vpc } = withVpc();
    new ReadCache(stack, 'Cache', { vpc }).connect(fn(stack, 'Reader'));
  }, 'connect consumer Stack/Reader has no security group: put it in the VPC of Stack/Cache (for a Lambda function, set vpc) so it can reach the cache'],
];

/** A Fargate service `Stack/Service` in the VPC. */
function fargateService(scope: Construct, vpc: ec2.IVpc): ecs.FargateService {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24') });
  return new ecs.FargateService(scope, 'Service', { cluster: new ecs.Cluster(scope, 'Cluster', { vpc }), taskDefinition });
}

// EDA-17: consumers other than Lambda functions, and Lambda functions that cannot be connected.
const consumerRows: Row[] = [
  ['connectReader: a Lambda function outside the VPC', () => {
    const { stack, eda } = pattern();
    eda.connectReader(fn(stack, 'Reader'), { reservedConcurrency: 5 });
  }, 'grantRead consumer Stack/Reader is a Lambda function outside a VPC, so no security group can let it reach the database: ' +
    'create it with vpc (Stack/Vpc) and vpcSubnets of the database\'s VPC, or read through the RDS Data API (grantDataApiRead), which needs no VPC'],

  ['connectReader: a construct that is neither a function, a service, an instance nor a group', () => {
    const { stack, eda } = pattern();
    eda.connectReader(new Construct(stack, 'Adapter') as any);
  }, 'grantRead consumer Stack/Adapter cannot be connected: pass a lambda.Function in the database\'s VPC, an ecs.FargateService or ecs.Ec2Service ' +
    '(its task role gets the grant), an ec2.Instance, an autoscaling.AutoScalingGroup, or a construct with connections (its security groups) and grantPrincipal (its IAM principal)'],

  ['ConcurrencyBudget (synth): an ECS reader without declaredConcurrency', () => {
    const { app, stack, vpc, eda } = pattern();
    eda.connectReader(fargateService(stack, vpc));
    app.synth();
  }, budgetFailure(
    'ConcurrencyBudget: Stack/Service connects to Stack/Orders/Database/Proxy (read-only endpoint) without declaredConcurrency, so nothing bounds the connections it can open. ' +
    'Declare how many tasks or environments it runs at most (declaredConcurrency in the connect options; for an ECS service its maximum task count). ' +
    'Pick the number with Little\'s law: requests per second × average duration in seconds, ' +
    'e.g. Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(200) }) = 100.')],

  ['ConcurrencyBudget (synth): an ECS reader and a Lambda reader over the READ_ONLY endpoint name each one\'s lever', () => {
    const { app, stack, vpc, eda } = pattern();
    eda.connectReader(fargateService(stack, vpc), { declaredConcurrency: 1000 });
    eda.connectReader(fn(stack, 'Reader', { vpc }), { reservedConcurrency: 900 });
    app.synth();
  }, budgetFailure(
    // One reader: its pool share is written once ("= 1800"), not as a one-term sum ("= 1800 = 1800").
    'ConcurrencyBudget: Stack/Orders/Database/Proxy (read-only endpoint) is over budget: Σ concurrency × connections per environment = 1900 ' +
    'exceeds its capacity of 1800 (floor(maxConnectionsPercent 90% × reader max_connections) = 1800; reader max_connections: ' +
    'Aurora Serverless v2 PostgreSQL table value for max 16 ACU (configured 16) = 3360, capped at 2000 because minCapacity 0.5 ≤ 0.5). ' +
    'Drawn by: Stack/Service (1000 × 1), Stack/Reader (900 × 1). Lower the maximum task count (declaredConcurrency) of Stack/Service, ' +
    'the reserved concurrency of Stack/Reader, buffer writes through the WriteBuffer, or raise the capacity.')],
];

const rows: Row[] = [
  ...writeBufferRows,
  ...consumerRows,
  ...databaseSourceRows,
  ...databaseRows,
  ...budgetRows,
  ...patternRows,
  ...monitoringRows,
  ...readCacheRows,
];

/** The error `build` throws (fails the row when it throws none). */
function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('expected a ValidationError, none was thrown');
}

describe('EDA-7 bad-config matrix', () => {
  test('the matrix holds at least 34 distinct invalid configurations', () => {
    expect(rows.length).toBeGreaterThanOrEqual(34);
    expect(new Set(rows.map(([name]) => name)).size).toBe(rows.length);
    expect(new Set(rows.map(([, , message]) => message)).size).toBe(rows.length);
  });

  test.each(rows)('%s', (_name, build, message) => {
    const error = thrownBy(build);
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
