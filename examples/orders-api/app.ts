import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
// In your project: from 'cdk-elastic-data-access'
import { Concurrency, DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } from '../../src';
import { acknowledgeExampleFunction, acknowledgeStandInVpc } from '../shared/acknowledgements';
import { EXAMPLE_FUNCTION_DEFAULTS } from '../shared/function-defaults';
import { exampleHttpApi } from '../shared/http-api';

/**
 * orders-api: HTTP API → reader (GET /orders/{id}) and producer (POST /orders → 202) → write buffer →
 * bounded writer → RDS Proxy → Aurora PostgreSQL Serverless v2 with one reader.
 * Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class OrdersApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One NAT gateway: the writer reaches SQS (visibility, DLQ) and X-Ray from private subnets.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    acknowledgeStandInVpc(vpc);

    const orders = new ElasticDataAccess(this, 'Orders', {
      vpc,
      database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1, minCapacity: 0.5, maxCapacity: 8 }),
      budget: { accountConcurrency: 1000 },
    });


    // Reads: 500 req/s at ~80 ms with 25 % headroom → 50 environments, one connection each.
    const getOrder = new nodejs.NodejsFunction(this, 'GetOrder', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'get-order.ts'),
      timeout: Duration.seconds(5),
      vpc,
    });
    orders.connectReader(getOrder, {
      reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(80), headroom: 1.25 }),
    });

    // Writes are accepted at the edge and buffered: the producer never touches the database.
    const createOrder = new nodejs.NodejsFunction(this, 'CreateOrder', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'create-order.ts'),
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: Concurrency.fromLoad({ requestsPerSecond: 200, duration: Duration.millis(50), headroom: 2 }),
    });
    orders.connectProducer(createOrder);

    // The bounded writer: 5 concurrent batches hold at most 5 proxy connections however hard the API is hit.
    orders.addWriter('OrderWriter', {
      entry: path.join(__dirname, 'functions', 'order-writer.ts'),
      maxConcurrency: 5,
      batchSize: 10,
      timeout: Duration.seconds(30),
    });

    // The stage admits a little more than the 500 reads/s and 200 writes/s the functions were sized for.
    const api = exampleHttpApi(this, { description: 'orders-api example of cdk-elastic-data-access', rateLimit: 750, burstLimit: 1000 });
    acknowledgeExampleFunction(getOrder);
    acknowledgeExampleFunction(createOrder);
    api.addRoutes({ path: '/orders/{id}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('GetOrderIntegration', getOrder) });
    api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('CreateOrderIntegration', createOrder) });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
  }
}

// Synthesize only when run as the CDK app (`cdk synth`), so tests can import OrdersApiStack.
if (require.main === module) {
  const app = new App();
  new OrdersApiStack(app, 'OrdersApi');
  app.synth();
}
