import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { acknowledgeExampleFunction, acknowledgeStandInVpc } from '../../examples/shared/acknowledgements';
import { DatabaseEngineFamily, DatabaseSource, ElasticDataAccess, ReadCache } from '../../src';

const WRITER_ENTRY = path.join(__dirname, '..', 'pattern', 'fixtures', 'order-writer.ts');

/**
 * A function of the user's, as a team would write it for the pattern (latest runtime, explicit memory,
 * tracing, JSON logs); its findings are the user's to acknowledge, as the examples do, never the library's.
 */
function userFunction(stack: Stack, id: string, vpc?: ec2.IVpc, reservedConcurrentExecutions?: number): lambda.Function {
  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(5),
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    vpc,
    reservedConcurrentExecutions,
  });
  acknowledgeExampleFunction(fn);
  return fn;
}

/** The user's VPC (a stand-in, acknowledged as the examples do). */
function userVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  acknowledgeStandInVpc(vpc);
  return vpc;
}

/**
 * Every feature on Aurora MySQL: provisioned writer + 2 readers behind a READ_ONLY proxy endpoint, the
 * Data API, a FIFO write buffer, a reader that also reads the serverless cache and enqueues, a
 * producer, a library-created writer, monitoring with its dashboard and the budget.
 */
export function auroraMysqlEverything(app: App): Stack {
  const stack = new Stack(app, 'AuroraMysqlEverything');
  const vpc = userVpc(stack);
  const eda = new ElasticDataAccess(stack, 'Orders', {
    vpc,
    database: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, readers: 2, enableDataApi: true }),
    writeBuffer: { fifo: true },
    budget: { accountConcurrency: 1000 },
  });
  const cache = new ReadCache(stack, 'Cache', { vpc });
  const reader = userFunction(stack, 'Reader', vpc);
  eda.connectReader(reader, { reservedConcurrency: 20 });
  cache.connect(reader);
  eda.connectProducer(reader);
  eda.connectProducer(userFunction(stack, 'Producer', undefined, 5));
  eda.database.grantDataApiRead(userFunction(stack, 'Report', undefined, 2));
  eda.addWriter('Writer', { entry: WRITER_ENTRY, maxConcurrency: 4 });
  return stack;
}

/**
 * Every feature on RDS for PostgreSQL: a Multi-AZ primary behind the proxy and two read replicas read
 * directly (no READ_ONLY endpoint exists for RDS instances), a standard write buffer, a writer function
 * of the user's connected with connectWriter, and the library's writer.
 */
export function rdsPostgresEverything(app: App): Stack {
  const stack = new Stack(app, 'RdsPostgresEverything');
  const vpc = userVpc(stack);
  const eda = new ElasticDataAccess(stack, 'Orders', {
    vpc,
    database: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas: 2 }),
    budget: { accountConcurrency: 1000 },
  });
  eda.connectReader(userFunction(stack, 'Reader', vpc), { reservedConcurrency: 10 });
  eda.addWriter('Writer', { entry: WRITER_ENTRY, maxConcurrency: 3 });
  return stack;
}
