import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DataAccessDatabase, DatabaseEngineFamily, DatabaseSource } from '../../src/database';
import { DataAccessMonitoring, DataAccessMonitoringProps } from '../../src/monitoring';
import { WriteBuffer } from '../../src/write-buffer';

/** A stack in a fresh app, with a concrete environment so every AZ-dependent construct resolves. */
export function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A function with inline code; props override the defaults. */
export function plainFunction(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    ...props,
  });
}

/** The pieces of the pattern, as the facade wires them. */
export interface PatternFixture {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly database: DataAccessDatabase;
  readonly buffer: WriteBuffer;
  readonly writer: lambda.Function;
  readonly reader: lambda.Function;
}

/** An Aurora Serverless v2 (1 reader) or RDS (2 read replicas) database, a write buffer, a writer and a reader. */
export function patternFixture(kind: 'aurora-serverless' | 'rds' = 'aurora-serverless'): PatternFixture {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const source = kind === 'rds'
    ? DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas: 2 })
    : DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 });
  const database = new DataAccessDatabase(stack, 'Database', { vpc, source, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const buffer = new WriteBuffer(stack, 'Buffer');
  const writer = plainFunction(stack, 'Writer', { reservedConcurrentExecutions: 5, timeout: Duration.seconds(20) });
  const reader = plainFunction(stack, 'Reader', { reservedConcurrentExecutions: 50, timeout: Duration.seconds(10) });
  buffer.addConsumer(writer, { maxConcurrency: 5 });
  return { stack, vpc, database, buffer, writer, reader };
}

/** Monitoring of the whole fixture; props override the defaults. */
export function monitorFixture(fixture: PatternFixture, props: Partial<DataAccessMonitoringProps> = {}): DataAccessMonitoring {
  return new DataAccessMonitoring(fixture.stack, 'Monitoring', {
    writeBuffer: fixture.buffer,
    database: fixture.database,
    functions: [{ function: fixture.writer }, { function: fixture.reader }],
    ...props,
  });
}

/** The alarm resources of a template whose description starts with the given symptom text. */
export function alarmsMatching(template: Template, metricName: string): Array<{ [key: string]: any }> {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties)
    .filter((p) => p.MetricName === metricName || (p.Metrics ?? []).some((m: any) => m.MetricStat?.Metric?.MetricName === metricName));
}

export { errorMessageOf } from '../support/error-message';
