/**
 * The orders-api example written by hand with aws-cdk-lib alone: the same resources as
 * examples/orders-api (VPC, Aurora PostgreSQL Serverless v2 with a reader, deletion protection,
 * Performance Insights and Enhanced Monitoring, RDS Proxy with end-to-end IAM and a READ_ONLY endpoint,
 * SQS queue + DLQ, three functions, event source, HTTP API with a throttled `$default` stage and an
 * access log group, grants and SG rules, 23 alarms to an encrypted topic, a dashboard), without any of
 * the library's checks. benchmarks/synth-overhead.ts times its synth against the example's.
 */
import * as path from 'path';
import { App, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const functions = path.join(__dirname, '..', '..', 'examples', 'orders-api', 'functions');
const app = new App();
const stack = new Stack(app, 'OrdersApiHandWritten');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

const monitoringRole = new iam.Role(stack, 'MonitoringRole', {
  assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
});
const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
  engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
  credentials: rds.Credentials.fromGeneratedSecret('eda_admin'),
  vpc,
  vpcSubnets,
  writer: rds.ClusterInstance.serverlessV2('Writer', { enablePerformanceInsights: true }),
  readers: [rds.ClusterInstance.serverlessV2('Reader1', { enablePerformanceInsights: true, scaleWithWriter: true })],
  serverlessV2MinCapacity: 0.5,
  serverlessV2MaxCapacity: 8,
  defaultDatabaseName: 'app',
  storageEncrypted: true,
  iamAuthentication: true,
  parameters: {
    'statement_timeout': '30000',
    'idle_in_transaction_session_timeout': '60000',
    'log_min_duration_statement': '1000',
    'pg_stat_statements.track': 'all',
    'rds.force_ssl': '1',
  },
  backup: { retention: Duration.days(7) },
  cloudwatchLogsExports: ['postgresql'],
  enablePerformanceInsights: true,
  databaseInsightsMode: rds.DatabaseInsightsMode.STANDARD,
  deletionProtection: true,
  monitoringInterval: Duration.seconds(60),
  monitoringRole,
  removalPolicy: RemovalPolicy.SNAPSHOT,
});
// End-to-end IAM: no secret on the proxy; its role may log in as the app user.
const proxyRole = new iam.Role(stack, 'ProxyRole', { assumedBy: new iam.ServicePrincipal('rds.amazonaws.com') });
proxyRole.addToPrincipalPolicy(new iam.PolicyStatement({
  actions: ['rds-db:connect'],
  resources: [stack.formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${cluster.clusterResourceIdentifier}/eda_app`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
}));
const proxy = new rds.DatabaseProxy(stack, 'Proxy', {
  proxyTarget: rds.ProxyTarget.fromCluster(cluster),
  vpc,
  vpcSubnets,
  role: proxyRole,
  dbProxyName: 'OrdersApiHandWrittenProxy',
  requireTLS: true,
  defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
  maxConnectionsPercent: 90,
  debugLogging: false,
});
const readOnly = new rds.DatabaseProxyEndpoint(stack, 'ReadOnly', {
  dbProxy: proxy,
  vpc,
  vpcSubnets,
  securityGroups: proxy.connections.securityGroups,
  targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
});

const dlq = new sqs.Queue(stack, 'DeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
const queue = new sqs.Queue(stack, 'Queue', {
  visibilityTimeout: Duration.seconds(180),
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
});

const defaults: nodejs.NodejsFunctionProps = {
  runtime: lambda.Runtime.NODEJS_24_X,
  memorySize: 512,
  architecture: lambda.Architecture.ARM_64,
  loggingFormat: lambda.LoggingFormat.JSON,
  tracing: lambda.Tracing.ACTIVE,
  bundling: { minify: true, sourceMap: true, externalModules: ['@aws-sdk/client-*'] /* bundle @aws-sdk/rds-signer: not guaranteed in the Lambda runtime */ },
};
const connection = { EDA_ENGINE: 'postgres', EDA_DATABASE: 'app', EDA_DB_USER: 'eda_app', EDA_AUTH: 'iam', EDA_TLS: 'verify-full', EDA_POOL_MAX: '1', EDA_STATEMENT_TIMEOUT_MS: '5000' };
const getOrder = new nodejs.NodejsFunction(stack, 'GetOrder', {
  ...defaults,
  entry: path.join(functions, 'get-order.ts'),
  timeout: Duration.seconds(5),
  vpc,
  reservedConcurrentExecutions: 50,
  environment: { ...connection, EDA_READ_HOSTS: readOnly.endpoint, EDA_READ_PORT: '5432' },
});
proxy.grantConnect(getOrder, 'eda_app');
proxy.connections.allowFrom(getOrder, ec2.Port.tcp(5432), `${getOrder.node.path} reads`);

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
  environment: {
    ...connection,
    EDA_WRITE_HOST: proxy.endpoint,
    EDA_WRITE_PORT: '5432',
    EDA_WRITE_QUEUE_URL: queue.queueUrl,
    EDA_DEAD_LETTER_QUEUE_URL: dlq.queueUrl,
  },
});
proxy.grantConnect(writer, 'eda_app');
proxy.connections.allowFrom(writer, ec2.Port.tcp(5432), `${writer.node.path} writes`);
writer.addEventSource(new SqsEventSource(queue, { batchSize: 10, maxConcurrency: 5, reportBatchItemFailures: true }));
dlq.grantSendMessages(writer);

// The $default stage throttles at the edge and writes a JSON access log kept for a year.
const api = new apigwv2.HttpApi(stack, 'Api', { description: 'orders-api example of cdk-elastic-data-access', createDefaultStage: false });
const accessLogs = new logs.LogGroup(stack, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
api.addStage('DefaultStage', {
  stageName: '$default',
  autoDeploy: true,
  throttle: { rateLimit: 750, burstLimit: 1000 },
  accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: apigw.AccessLogFormat.jsonWithStandardFields() },
});
api.addRoutes({ path: '/orders/{id}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('GetOrderIntegration', getOrder) });
api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('CreateOrderIntegration', createOrder) });
new CfnOutput(stack, 'ApiUrl', { value: api.apiEndpoint });

// The same alarms and dashboard DataAccessMonitoring creates: 23 alarms to one encrypted topic whose key
// lets CloudWatch alarms of this account use it and denies grants to anything but AWS services.
const cloudwatchService = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
const alarmKey = new kms.Key(stack, 'AlarmKey', { description: 'Encrypts the alarm topic OrdersApiHandWritten/AlarmTopic', enableKeyRotation: true });
alarmKey.addToResourcePolicy(new iam.PolicyStatement({
  sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
  principals: [cloudwatchService],
  actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  resources: ['*'],
  conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
}));
alarmKey.addToResourcePolicy(new iam.PolicyStatement({
  sid: 'DenyGrantsExceptForAwsServices',
  effect: iam.Effect.DENY,
  principals: [new iam.AnyPrincipal()],
  actions: ['kms:CreateGrant'],
  resources: ['*'],
  conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
}));
const topic = new sns.Topic(stack, 'AlarmTopic', { masterKey: alarmKey, enforceSSL: true });
topic.addToResourcePolicy(new iam.PolicyStatement({
  sid: 'AllowCloudWatchAlarmsOfThisAccount',
  principals: [cloudwatchService],
  actions: ['sns:Publish'],
  resources: [topic.topicArn],
  conditions: {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
  },
}));
const action = new cwActions.SnsAction(topic);
const rdsMetric = (metricName: string, dimensionsMap: Record<string, string>, statistic: string, minutes = 1) =>
  new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap, statistic, period: Duration.minutes(minutes) });
const proxyDims = { ProxyName: proxy.dbProxyName };
const clusterDims = { DBClusterIdentifier: cluster.clusterIdentifier };
const minute = Duration.minutes(1);
const { GREATER_THAN_THRESHOLD: GT, LESS_THAN_THRESHOLD: LT, GREATER_THAN_OR_EQUAL_TO_THRESHOLD: GTE } = cloudwatch.ComparisonOperator;
// [id, metric, threshold, evaluation periods, datapoints to alarm, comparison]
const metrics: Array<[string, cloudwatch.IMetric, number, number, number, cloudwatch.ComparisonOperator]> = [
  ['DlqNotEmpty', dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: minute }), 0, 1, 1, GT],
  ['OldestMessage', queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: minute }), 300, 1, 1, GT],
  ['DepthGrowing', new cloudwatch.MathExpression({ expression: 'DIFF(depth)', usingMetrics: { depth: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }) } }), 100, 3, 3, GT],
  ...(['READ_WRITE', 'READ_ONLY'] as const).map((role): [string, cloudwatch.IMetric, number, number, number, cloudwatch.ComparisonOperator] => {
    const dims = { ...proxyDims, TargetGroup: 'default', TargetRole: role };
    return [`${role}PoolSaturated`, new cloudwatch.MathExpression({ expression: '100 * b / m', period: minute, usingMetrics: { b: rdsMetric('DatabaseConnectionsCurrentlyBorrowed', dims, 'Sum'), m: rdsMetric('MaxDatabaseConnectionsAllowed', dims, 'Sum') } }), 80, 5, 5, GT];
  }),
  ['BorrowLatency', rdsMetric('DatabaseConnectionsBorrowLatency', proxyDims, 'Average'), 100000, 5, 5, GT],
  ['Pinning', rdsMetric('DatabaseConnectionsCurrentlySessionPinned', proxyDims, 'Sum'), 0, 15, 15, GT],
  ['FailedAuth', rdsMetric('ClientConnectionsSetupFailedAuth', proxyDims, 'Sum', 5), 0, 1, 1, GT],
  ['ProxyAvailability', rdsMetric('AvailabilityPercentage', { ...proxyDims, TargetGroup: 'default', TargetRole: 'READ_WRITE' }, 'Average'), 100, 3, 2, LT],
  ['ReadOnlyAvailability', rdsMetric('AvailabilityPercentage', { ...proxyDims, TargetGroup: 'default', TargetRole: 'READ_ONLY' }, 'Average'), 100, 3, 2, LT],
  ['ReplicaLag', rdsMetric('AuroraReplicaLag', { ...clusterDims, Role: 'READER' }, 'Maximum'), 2000, 5, 5, GT],
  ['Cpu', rdsMetric('CPUUtilization', { ...clusterDims, Role: 'WRITER' }, 'Average', 5), 80, 3, 3, GT],
  ['Memory', rdsMetric('FreeableMemory', { ...clusterDims, Role: 'WRITER' }, 'Minimum', 5), 268435456, 3, 3, LT],
  ['Acu', rdsMetric('ACUUtilization', clusterDims, 'Maximum', 5), 90, 3, 3, GT],
  ['AccountConcurrency', new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'ClaimedAccountConcurrency', statistic: 'Maximum', period: minute }), 950, 3, 2, GTE],
  // Errors and p99 duration for every function; throttles for the database-facing ones (reader, writer),
  // as DataAccessMonitoring does.
  ...[getOrder, createOrder, writer].flatMap((fn): Array<[string, cloudwatch.IMetric, number, number, number, cloudwatch.ComparisonOperator]> => [
    [`${fn.node.id}Errors`, fn.metricErrors(), 0, 1, 1, GT],
    ...(fn === createOrder ? [] : [[`${fn.node.id}Throttles`, fn.metricThrottles({ period: minute }), 0, 1, 1, GT] as [string, cloudwatch.IMetric, number, number, number, cloudwatch.ComparisonOperator]]),
    [`${fn.node.id}Duration`, fn.metricDuration({ statistic: 'p99' }), fn === writer ? 24000 : 4000, 3, 3, GT],
  ]),
];
const alarms = metrics.map(([id, metric, threshold, evaluationPeriods, datapointsToAlarm, comparisonOperator]) => {
  const alarm = new cloudwatch.Alarm(stack, id, {
    metric,
    threshold,
    evaluationPeriods,
    datapointsToAlarm,
    comparisonOperator,
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
