import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';

/** A VPC with isolated subnets only (no NAT gateways: fewer resources, faster synth). */
export function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** A PostgreSQL instance in the isolated subnets, with a generated secret. */
export function postgresInstance(stack: Stack, vpc: ec2.IVpc, id = 'Db'): rds.DatabaseInstance {
  return new rds.DatabaseInstance(stack, id, {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    storageEncrypted: true,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
}

/** Options of the functions the fixtures build. */
export interface FixtureFunctionOptions {
  readonly vpc?: ec2.IVpc;
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly role?: iam.IRole;
}

/** A small inline Node.js function, optionally in the VPC's isolated subnets. */
export function inlineFunction(stack: Stack, id: string, options: FixtureFunctionOptions = {}): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: options.timeout,
    role: options.role,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    vpc: options.vpc,
    vpcSubnets: options.vpc ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : undefined,
  });
}

/** The path of the (single) event source mapping created under a function by `addEventSource`. */
export function mappingPathOf(fn: lambda.IFunction): string {
  const mapping = fn.node.findAll().find((c) => c instanceof lambda.CfnEventSourceMapping);
  if (!mapping) throw new Error(`no event source mapping under ${fn.node.path}`);
  return mapping.node.path;
}
