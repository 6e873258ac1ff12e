// A new user's RDS for MySQL app with two read replicas read directly, checked by cdk-nag's AwsSolutions
// pack as README's "Compliance" section and docs/compliance.md ("Run the same gate in your app") show.
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Concurrency, DatabaseEngineFamily, DatabaseSource, ElasticDataAccess, ElasticDataAccessChecks } from 'cdk-elastic-data-access';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ElasticDataAccessChecks(app));
const stack = new Stack(app, 'MysqlReplicasNag');

// The library acknowledges only what it creates; what this app creates is acknowledged here, with reasons.
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
Validations.of(vpc).acknowledge({ id: 'AwsSolutions::AwsSolutions-VPC7', reason: 'a stand-in for the VPC (with flow logs) the platform team provides' });

const items = new ElasticDataAccess(stack, 'Items', {
  vpc,
  database: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, readReplicas: 2 }),
});

const getItem = new nodejs.NodejsFunction(stack, 'GetItem', {
  entry: path.join(__dirname, 'handlers', 'get-item.ts'),
  runtime: lambda.Runtime.NODEJS_24_X,
  timeout: Duration.seconds(5),
  vpc,
});
items.connectReader(getItem, {
  reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 200, duration: Duration.millis(50), headroom: 1.5 }),
});
Validations.of(getItem).acknowledge(
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'the AWS managed policy the Lambda documentation prescribes for a function\'s own logs',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason: 'the AWS managed policy the Lambda documentation prescribes for a VPC function\'s network interfaces',
  },
);

app.synth();
