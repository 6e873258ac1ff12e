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
 * fan-out: HTTP API → splitter (POST /imports → 202) splits a job into shards and enqueues one write per
 * shard → write buffer → at most 10 shard workers → RDS Proxy → Aurora PostgreSQL Serverless v2.
 * The splitter never invokes the workers: the queue is the only fan-out, so its concurrency bound holds.
 * Environment-agnostic, so `cdk synth` needs no AWS credentials.
 */
export class FanOutStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One NAT gateway: the workers reach SQS (visibility, DLQ) and X-Ray from private subnets.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    acknowledgeStandInVpc(vpc);

    const imports = new ElasticDataAccess(this, 'Imports', {
      vpc,
      database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 0.5, maxCapacity: 8 }),
      budget: { accountConcurrency: 1000 },
    });

    // The splitter only talks to SQS: 20 jobs/s at ~200 ms with 25 % headroom.
    const splitter = new nodejs.NodejsFunction(this, 'Splitter', {
      ...EXAMPLE_FUNCTION_DEFAULTS,
      entry: path.join(__dirname, 'functions', 'splitter.ts'),
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: Concurrency.fromLoad({ requestsPerSecond: 20, duration: Duration.millis(200), headroom: 1.25 }),
    });
    imports.connectProducer(splitter);
    acknowledgeExampleFunction(splitter);

    // However many shards a job has, at most 10 workers hold at most 10 proxy connections.
    imports.addWriter('ShardWorker', {
      entry: path.join(__dirname, 'functions', 'shard-worker.ts'),
      maxConcurrency: 10,
      batchSize: 10,
      timeout: Duration.seconds(30),
    });

    // The stage admits a little more than the 20 jobs/s the splitter was sized for.
    const api = exampleHttpApi(this, { description: 'fan-out example of cdk-elastic-data-access', rateLimit: 30, burstLimit: 60 });
    api.addRoutes({ path: '/imports', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('SplitterIntegration', splitter) });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
  }
}

// Synthesize only when run as the CDK app (`cdk synth`), so tests can import FanOutStack.
if (require.main === module) {
  const app = new App();
  new FanOutStack(app, 'FanOut');
  app.synth();
}
