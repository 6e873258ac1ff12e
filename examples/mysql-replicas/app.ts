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
 * mysql-replicas: RDS for MySQL with two read replicas. The reader (GET /items/{id}) reads the replicas
 * directly (EDA_READ_HOSTS lists both, one picked per environment); writes go through the write buffer and a
 * bounded writer to the RDS Proxy, whose target group holds only the primary.
 * Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class MysqlReplicasStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One NAT gateway: the writer reaches SQS (visibility, DLQ) and X-Ray from private subnets.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    acknowledgeStandInVpc(vpc);

    const items = new ElasticDataAccess(this, 'Items', {
      vpc,
      database: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, readReplicas: 2 }),
      budget: { accountConcurrency: 1000 },
    });


    // Reads: 200 req/s at ~50 ms with 50 % headroom, spread over two replicas.
    const getItem = new nodejs.NodejsFunction(this, 'GetItem', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'get-item.ts'),
      timeout: Duration.seconds(5),
      vpc,
    });
    items.connectReader(getItem, {
      reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 200, duration: Duration.millis(50), headroom: 1.5 }),
    });

    const putItem = new nodejs.NodejsFunction(this, 'PutItem', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'put-item.ts'),
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: Concurrency.fromLoad({ requestsPerSecond: 100, duration: Duration.millis(50), headroom: 2 }),
    });
    items.connectProducer(putItem);

    items.addWriter('ItemWriter', {
      entry: path.join(__dirname, 'functions', 'item-writer.ts'),
      maxConcurrency: 5,
      batchSize: 10,
      timeout: Duration.seconds(30),
    });

    acknowledgeExampleFunction(getItem);
    acknowledgeExampleFunction(putItem);
    // The stage admits a little more than the 200 reads/s and 100 writes/s the functions were sized for.
    const api = exampleHttpApi(this, { description: 'mysql-replicas example of cdk-elastic-data-access', rateLimit: 350, burstLimit: 500 });
    api.addRoutes({ path: '/items/{id}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('GetItemIntegration', getItem) });
    api.addRoutes({ path: '/items', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('PutItemIntegration', putItem) });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
  }
}

// Synthesize only when run as the CDK app (`cdk synth`), so tests can import MysqlReplicasStack.
if (require.main === module) {
  const app = new App();
  new MysqlReplicasStack(app, 'MysqlReplicas');
  app.synth();
}
