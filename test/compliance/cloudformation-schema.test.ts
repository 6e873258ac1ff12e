import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { rdsPostgresEverything } from './full-featured-stacks';
import { CloudFormationSchema, SchemaFinding } from '../support/cloudformation-schema';

// Every example and both full-featured stacks against CloudFormation's own resource schemas (the
// registry schemas in @aws-cdk/aws-service-spec). Loading the schema database takes seconds: once per file.
jest.setTimeout(120_000);

let schema: CloudFormationSchema;
beforeAll(() => {
  schema = CloudFormationSchema.load();
});

/** Findings as `<severity> <path>: <message>`, readable in a failed `toEqual([])`. */
function described(findings: SchemaFinding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.path}: ${f.message}`);
}

// Every example and both full-featured stacks are checked in compliance.test.ts, on the assemblies the compliance
// gate synthesizes. This file proves the check itself finds what it must.
describe('the schema check finds', () => {
  /** A valid queue, an alarm on it and a function, to break one piece at a time. */
  function template(): any {
    const stack = new Stack(new App(), 'Probe');
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true, visibilityTimeout: Duration.seconds(60) });
    queue.metricApproximateAgeOfOldestMessage().createAlarm(stack, 'Alarm', { threshold: 60, evaluationPeriods: 1 });
    new lambda.Function(stack, 'Function', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    return Template.fromStack(stack).toJSON();
  }
  const logicalId = (t: any, type: string) => Object.keys(t.Resources).find((id) => t.Resources[id].Type === type)!;

  test('nothing in the valid probe', () => {
    expect(described(schema.validate(template()))).toEqual([]);
  });

  test('an unknown property', () => {
    const t = template();
    const queue = logicalId(t, 'AWS::SQS::Queue');
    t.Resources[queue].Properties.VisibilityTimeoutSecond = 30;
    expect(described(schema.validate(t))).toEqual([`error ${queue}.Properties.VisibilityTimeoutSecond: AWS::SQS::Queue has no property VisibilityTimeoutSecond`]);
  });

  test('a misspelt property inside a property type: unknown, and its required original missing', () => {
    const t = template();
    const alarm = logicalId(t, 'AWS::CloudWatch::Alarm');
    const dimension = t.Resources[alarm].Properties.Dimensions[0];
    dimension.Nmae = dimension.Name;
    delete dimension.Name;
    expect(described(schema.validate(t))).toEqual([
      `error ${alarm}.Properties.Dimensions[0]: Dimension requires property Name`,
      `error ${alarm}.Properties.Dimensions[0].Nmae: Dimension has no property Nmae`,
    ]);
  });

  test('a missing required property', () => {
    const t = template();
    const fn = logicalId(t, 'AWS::Lambda::Function');
    delete t.Resources[fn].Properties.Role;
    expect(described(schema.validate(t))).toEqual([`error ${fn}.Properties: AWS::Lambda::Function requires property Role`]);
  });

  test('a primitive of the wrong type, and an enum value the schema does not allow', () => {
    const t = template();
    const alarm = logicalId(t, 'AWS::CloudWatch::Alarm');
    const fn = logicalId(t, 'AWS::Lambda::Function');
    t.Resources[alarm].Properties.Threshold = 'sixty';
    t.Resources[fn].Properties.PackageType = 'Jar';
    expect(described(schema.validate(t)).sort()).toEqual([
      `error ${alarm}.Properties.Threshold: expected a number, got "sixty"`,
      `error ${fn}.Properties.PackageType: "Jar" is not one of Image, Zip`,
    ]);
  });

  test('a number given as a string is a warning', () => {
    const t = template();
    const alarm = logicalId(t, 'AWS::CloudWatch::Alarm');
    t.Resources[alarm].Properties.EvaluationPeriods = '1';
    expect(described(schema.validate(t))).toEqual([`warning ${alarm}.Properties.EvaluationPeriods: integer given as the string "1"`]);
  });

  test('a wrong Fn::GetAtt attribute name', () => {
    const t = template();
    const queue = logicalId(t, 'AWS::SQS::Queue');
    const policy = logicalId(t, 'AWS::SQS::QueuePolicy');
    t.Resources[policy].Properties.PolicyDocument.Statement[0].Resource = [{ 'Fn::GetAtt': [queue, 'Ar'] }];
    expect(described(schema.validate(t))).toEqual([
      `error ${policy}.Properties.PolicyDocument.Statement[0].Resource[0]: AWS::SQS::Queue ${queue} has no attribute Ar (it has Arn, QueueName, QueueUrl)`,
    ]);
  });

  test('a GetAtt in Fn::Sub and a Ref to resources that do not exist', () => {
    const t = template();
    const alarm = logicalId(t, 'AWS::CloudWatch::Alarm');
    t.Resources[alarm].Properties.AlarmDescription = { 'Fn::Sub': 'queue ${Missing.Arn} in ${AWS::Region}' };
    t.Resources[alarm].Properties.Dimensions[0].Value = { Ref: 'Nowhere' };
    expect(described(schema.validate(t)).sort()).toEqual([
      `error ${alarm}.Properties.AlarmDescription: Fn::GetAtt on Missing, which is not a resource of the template`,
      `error ${alarm}.Properties.Dimensions[0].Value: Ref to Nowhere, which is neither a resource nor a parameter of the template`,
    ]);
  });

  test('one property renamed deep inside a real template, and nothing else', () => {
    // GIVEN the full-featured RDS stack with the proxy pool's MaxConnectionsPercent misspelt
    const t: any = Template.fromStack(rdsPostgresEverything(new App())).toJSON();
    const group = logicalId(t, 'AWS::RDS::DBProxyTargetGroup');
    const pool = t.Resources[group].Properties.ConnectionPoolConfigurationInfo;
    pool.MaxConnectionPercent = pool.MaxConnectionsPercent;
    delete pool.MaxConnectionsPercent;
    // THEN
    expect(described(schema.validate(t))).toEqual([
      expect.stringMatching(new RegExp(`^error ${group}\\.Properties\\.ConnectionPoolConfigurationInfo\\.MaxConnectionPercent: \\w+ has no property MaxConnectionPercent$`)),
    ]);
  });

  test('an unknown resource type', () => {
    const t = template();
    t.Resources.Extra = { Type: 'AWS::SQS::Queues', Properties: {} };
    expect(described(schema.validate(t))).toEqual(['error Extra: unknown resource type AWS::SQS::Queues']);
  });
});
