// A new user's first app, written from the README's Quick start: Aurora PostgreSQL Serverless v2 with a
// bounded writer fed by the write buffer, and a producer function that enqueues writes.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } from 'cdk-elastic-data-access';

const app = new App();
const stack = new Stack(app, 'AuroraWriter');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

const orders = new ElasticDataAccess(stack, 'Orders', {
  vpc,
  database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1, maxCapacity: 8 }),
  budget: { accountConcurrency: 1000 },
});

const createOrder = new lambda.Function(stack, 'CreateOrder', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 202 });'),
});
orders.connectProducer(createOrder);
orders.addWriter('OrderWriter', { entry: path.join(__dirname, 'handlers', 'order-writer.ts'), maxConcurrency: 5 });

app.synth();
