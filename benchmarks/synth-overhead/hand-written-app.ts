/**
 * The orders-api example written by hand with aws-cdk-lib alone: the same resources as
 * examples/orders-api (VPC, Aurora PostgreSQL Serverless v2 with a reader, RDS Proxy with a READ_ONLY
 * endpoint, SQS queue + DLQ, three functions, event source, HTTP API, grants and SG rules), without
 * any of the library's checks. benchmarks/synth-overhead.ts times its synth against the example's.
 */
import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const functions = path.join(__dirname, '..', '..', 'examples', 'orders-api', 'functions');
const app = new App();
const stack = new Stack(app, 'OrdersApiHandWritten');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
  engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
  vpc,
  writer: rds.ClusterInstance.serverlessV2('Writer'),
  readers: [rds.ClusterInstance.serverlessV2('Reader1', { scaleWithWriter: true })],
  serverlessV2MinCapacity: 0.5,
  serverlessV2MaxCapacity: 8,
  defaultDatabaseName: 'app',
  storageEncrypted: true,
  iamAuthentication: true,
  parameters: { 'rds.force_ssl': '1' },
  cloudwatchLogsExports: ['postgresql'],
  removalPolicy: RemovalPolicy.SNAPSHOT,
});
const proxy = cluster.addProxy('Proxy', {
  vpc,
  secrets: [cluster.secret!],
  requireTLS: true,
  iamAuth: true,
  maxConnectionsPercent: 90,
});
const readOnly = proxy.addEndpoint('ReadOnly', { vpc, targetRole: rds.ProxyEndpointTargetRole.READ_ONLY });

const dlq = new sqs.Queue(stack, 'DeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
const queue = new sqs.Queue(stack, 'Queue', {
  visibilityTimeout: Duration.seconds(180),
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
});

const defaults: nodejs.NodejsFunctionProps = {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  loggingFormat: lambda.LoggingFormat.JSON,
  tracing: lambda.Tracing.ACTIVE,
  bundling: { minify: true, sourceMap: true, externalModules: ['@aws-sdk/client-*'] /* bundle @aws-sdk/rds-signer: not guaranteed in the Lambda runtime */ },
};
const getOrder = new nodejs.NodejsFunction(stack, 'GetOrder', {
  ...defaults,
  entry: path.join(functions, 'get-order.ts'),
  timeout: Duration.seconds(5),
  vpc,
  reservedConcurrentExecutions: 50,
  environment: { EDA_ENGINE: 'postgres', EDA_READ_HOSTS: readOnly.endpoint, EDA_READ_PORT: '5432', EDA_DATABASE: 'app', EDA_DB_USER: 'eda_app', EDA_AUTH: 'iam' },
});
proxy.grantConnect(getOrder, 'eda_app');
getOrder.connections.allowTo(proxy, ec2.Port.tcp(5432));

const createOrder = new nodejs.NodejsFunction(stack, 'CreateOrder', {
  ...defaults,
  entry: path.join(functions, 'create-order.ts'),
  timeout: Duration.seconds(5),
  reservedConcurrentExecutions: 20,
  environment: { EDA_WRITE_QUEUE_URL: queue.queueUrl, EDA_WRITE_QUEUE_FIFO: 'false' },
});
queue.grantSendMessages(createOrder);

const writer = new nodejs.NodejsFunction(stack, 'OrderWriter', {
  ...defaults,
  entry: path.join(functions, 'order-writer.ts'),
  timeout: Duration.seconds(30),
  vpc,
  reservedConcurrentExecutions: 5,
  memorySize: 512,
  environment: {
    EDA_ENGINE: 'postgres',
    EDA_WRITE_HOST: proxy.endpoint,
    EDA_WRITE_PORT: '5432',
    EDA_DATABASE: 'app',
    EDA_DB_USER: 'eda_app',
    EDA_AUTH: 'iam',
    EDA_WRITE_QUEUE_URL: queue.queueUrl,
    EDA_DEAD_LETTER_QUEUE_URL: dlq.queueUrl,
  },
});
proxy.grantConnect(writer, 'eda_app');
writer.connections.allowTo(proxy, ec2.Port.tcp(5432));
writer.addEventSource(new SqsEventSource(queue, { batchSize: 10, maxConcurrency: 5, reportBatchItemFailures: true }));
dlq.grantSendMessages(writer);

const api = new apigwv2.HttpApi(stack, 'Api');
api.addRoutes({ path: '/orders/{id}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('GetOrderIntegration', getOrder) });
api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('CreateOrderIntegration', createOrder) });
new CfnOutput(stack, 'ApiUrl', { value: api.apiEndpoint });

app.synth();
