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
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
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

// The same alarms and dashboard DataAccessMonitoring creates: 22 alarms to one encrypted topic.
const topic = new sns.Topic(stack, 'AlarmTopic', { masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }), enforceSSL: true });
const action = new cwActions.SnsAction(topic);
const rdsMetric = (metricName: string, dimensionsMap: Record<string, string>, statistic: string) =>
  new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap, statistic, period: Duration.minutes(1) });
const proxyDims = { ProxyName: proxy.dbProxyName };
const metrics: Array<[string, cloudwatch.IMetric, number, cloudwatch.ComparisonOperator?]> = [
  ['DlqNotEmpty', dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), 0],
  ['OldestMessage', queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' }), 300],
  ['DepthGrowing', new cloudwatch.MathExpression({ expression: 'DIFF(depth)', usingMetrics: { depth: queue.metricApproximateNumberOfMessagesVisible() } }), 100],
  ...[getOrder, createOrder, writer].flatMap((fn): Array<[string, cloudwatch.IMetric, number]> => [
    [`${fn.node.id}Errors`, fn.metricErrors(), 0], [`${fn.node.id}Throttles`, fn.metricThrottles(), 0],
  ]),
  [`${getOrder.node.id}Duration`, getOrder.metricDuration({ statistic: 'p99' }), 4000],
  [`${writer.node.id}Duration`, writer.metricDuration({ statistic: 'p99' }), 24000],
  ['PoolSaturated', new cloudwatch.MathExpression({ expression: '100 * b / m', usingMetrics: { b: rdsMetric('DatabaseConnectionsCurrentlyBorrowed', proxyDims, 'Sum'), m: rdsMetric('MaxDatabaseConnectionsAllowed', proxyDims, 'Sum') } }), 80],
  ['BorrowLatency', rdsMetric('DatabaseConnectionsBorrowLatency', proxyDims, 'p99'), 100000],
  ['Pinning', rdsMetric('DatabaseConnectionsCurrentlySessionPinned', proxyDims, 'Sum'), 0],
  ['FailedAuth', rdsMetric('ClientConnectionsSetupFailedAuth', proxyDims, 'Sum'), 0],
  ['ProxyAvailability', rdsMetric('AvailabilityPercentage', { ...proxyDims, TargetRole: 'READ_WRITE' }, 'Average'), 100, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD],
  ['ReadOnlyAvailability', rdsMetric('AvailabilityPercentage', { ...proxyDims, TargetRole: 'READ_ONLY' }, 'Average'), 100, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD],
  ['ReplicaLag', rdsMetric('AuroraReplicaLag', { DBClusterIdentifier: cluster.clusterIdentifier, Role: 'READER' }, 'Maximum'), 2000],
  ['Cpu', rdsMetric('CPUUtilization', { DBClusterIdentifier: cluster.clusterIdentifier, Role: 'WRITER' }, 'Average'), 80],
  ['Memory', rdsMetric('FreeableMemory', { DBClusterIdentifier: cluster.clusterIdentifier, Role: 'WRITER' }, 'Minimum'), 268435456, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD],
  ['Acu', rdsMetric('ACUUtilization', { DBClusterIdentifier: cluster.clusterIdentifier }, 'Maximum'), 90],
  ['AccountConcurrency', new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', statistic: 'Maximum' }), 900],
];
const alarms = metrics.map(([id, metric, threshold, comparison]) => {
  const alarm = new cloudwatch.Alarm(stack, id, {
    metric,
    threshold,
    evaluationPeriods: 3,
    comparisonOperator: comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
});
new cloudwatch.Dashboard(stack, 'Dashboard', {
  widgets: [
    [new cloudwatch.AlarmStatusWidget({ alarms, width: 24 })],
    [new cloudwatch.GraphWidget({ title: 'Invocations', left: [getOrder, createOrder, writer].map((fn) => fn.metricInvocations()) })],
    [new cloudwatch.GraphWidget({ title: 'Buffer', left: [queue.metricApproximateNumberOfMessagesVisible(), dlq.metricApproximateNumberOfMessagesVisible()] })],
    [new cloudwatch.GraphWidget({ title: 'Proxy', left: [rdsMetric('ClientConnections', proxyDims, 'Sum'), rdsMetric('DatabaseConnections', proxyDims, 'Sum')] })],
  ],
});

app.synth();
