// A new user's app whose reader is an ECS Fargate service: the service is passed to connectReader as it is
// (its task role gets rds-db:connect, its default container the environment contract), and its maximum
// task count is declared for the concurrency budget.
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } from 'cdk-elastic-data-access';

const app = new App();
const stack = new Stack(app, 'FargateReader');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

const orders = new ElasticDataAccess(stack, 'Orders', {
  vpc,
  database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 }),
});

const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
const taskDefinition = new ecs.FargateTaskDefinition(stack, 'ApiTask', { cpu: 256, memoryLimitMiB: 512 });
taskDefinition.addContainer('api', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24'), portMappings: [{ containerPort: 8080 }] });
const service = new ecs.FargateService(stack, 'Api', { cluster, taskDefinition, desiredCount: 2 });
const maxTasks = 10;
service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: maxTasks }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

orders.connectReader(service, { declaredConcurrency: maxTasks, connectionsPerEnvironment: 4 });

app.synth();
