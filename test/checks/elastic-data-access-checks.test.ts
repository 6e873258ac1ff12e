import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { checkedApp, findingsOf, pathsFor } from './checked-app';
import { inlineFunction, isolatedVpc, postgresInstance } from './stack-fixtures';
import { ElasticDataAccessChecks, ElasticDataAccessRule } from '../../src/checks';
import { ELASTIC_DATA_ACCESS_RULES } from '../../src/checks/rules/all-rules';

describe('ElasticDataAccessChecks', () => {
  test('a stack without functions, queues or databases has no findings and synthesises', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    // WHEN
    isolatedVpc(stack);
    // THEN
    expect(findingsOf(app)).toEqual([]);
  });

  test('reports under the plugin name ElasticDataAccess with ids ElasticDataAccess-EDA<n>', () => {
    // GIVEN
    const pack = new ElasticDataAccessChecks();
    const stack = new Stack(new App(), 'Test');
    new lambda.CfnEventSourceMapping(stack, 'Mapping', {
      functionName: 'consumer',
      eventSourceArn: 'arn:aws:sqs:eu-west-1:111111111111:orders',
    });
    // WHEN
    const report = pack.validateScope(stack);
    // THEN
    expect(pack.name).toBe('ElasticDataAccess');
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toEqual([ElasticDataAccessRule.SQS_EVENT_SOURCE_WITHOUT_BATCH_ITEM_FAILURES]);
  });

  test('an acknowledged finding is not reported and synthesis succeeds', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const db = postgresInstance(stack, vpc);
    const proxy = db.addProxy('Proxy', { vpc, secrets: [db.secret!], requireTLS: false, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    // WHEN
    Validations.of(proxy).acknowledge({ id: ElasticDataAccessRule.PROXY_WITHOUT_REQUIRE_TLS, reason: 'test: clients on a legacy driver' });
    // THEN
    expect(findingsOf(app)).toEqual([]);
  });

  test('the plugin-qualified id that synth prints (ElasticDataAccess::<id>) also acknowledges a finding', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const proxy = new rds.CfnDBProxy(stack, 'Proxy', {
      dbProxyName: 'proxy',
      engineFamily: 'MYSQL',
      roleArn: 'arn:aws:iam::111111111111:role/proxy',
      vpcSubnetIds: ['subnet-1', 'subnet-2'],
      auth: [{ secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db' }],
    });
    // WHEN
    Validations.of(proxy).acknowledge({ id: `ElasticDataAccess::${ElasticDataAccessRule.PROXY_WITHOUT_REQUIRE_TLS}`, reason: 'test' });
    // THEN
    expect(findingsOf(app)).toEqual([]);
  });

  test('plain L1 resources are checked like L2 constructs (any stack, not only this library)', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const queue = new sqs.CfnQueue(stack, 'RawQueue', { visibilityTimeout: 30 });
    const fn = new lambda.CfnFunction(stack, 'RawFn', {
      role: 'arn:aws:iam::111111111111:role/consumer',
      code: { zipFile: 'exports.handler = async () => ({})' },
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      timeout: 10,
    });
    // WHEN
    new lambda.CfnEventSourceMapping(stack, 'RawMapping', { functionName: fn.ref, eventSourceArn: queue.attrArn });
    // THEN
    const findings = findingsOf(app);
    expect(pathsFor(findings, ElasticDataAccessRule.SQS_VISIBILITY_TIMEOUT_TOO_SHORT)).toEqual(['Test/RawMapping']);
    expect(pathsFor(findings, ElasticDataAccessRule.CONSUMED_QUEUE_WITHOUT_REDRIVE)).toEqual(['Test/RawQueue']);
  });

  test('a raw CloudFormation stack with inline security-group ingress and a JSON-string redrive policy is checked', () => {
    // GIVEN: only L1 resources, the way a CfnInclude'd template looks
    const { app, stack } = checkedApp();
    const dbGroup = new ec2.CfnSecurityGroup(stack, 'DbGroup', { groupDescription: 'db', vpcId: 'vpc-1' });
    const fnGroup = new ec2.CfnSecurityGroup(stack, 'FnGroup', { groupDescription: 'fn', vpcId: 'vpc-1' });
    dbGroup.securityGroupIngress = [{ ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, sourceSecurityGroupId: fnGroup.attrGroupId }];
    const db = new rds.CfnDBInstance(stack, 'Db', { engine: 'mysql', dbInstanceClass: 'db.t4g.micro', vpcSecurityGroups: [dbGroup.attrGroupId] });
    const proxy = new rds.CfnDBProxy(stack, 'Proxy', {
      dbProxyName: 'proxy',
      engineFamily: 'MYSQL',
      requireTls: true,
      roleArn: 'arn:aws:iam::111111111111:role/proxy',
      vpcSubnetIds: ['subnet-1', 'subnet-2'],
      auth: [{ secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db' }],
    });
    new rds.CfnDBProxyTargetGroup(stack, 'Targets', { dbProxyName: proxy.ref, targetGroupName: 'default', dbInstanceIdentifiers: [db.ref] });
    new lambda.CfnFunction(stack, 'Fn', {
      role: 'arn:aws:iam::111111111111:role/fn',
      code: { zipFile: 'exports.handler = async () => ({})' },
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      vpcConfig: { securityGroupIds: [fnGroup.ref], subnetIds: ['subnet-1'] },
    });
    new sqs.CfnQueue(stack, 'Dlq', { queueName: 'orders-dlq' });
    // WHEN
    // (a JSON-typed property may be a string in a template; the L1 props only accept objects, hence the override)
    new sqs.CfnQueue(stack, 'Queue').addPropertyOverride(
      'RedrivePolicy', JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:111111111111:orders-dlq', maxReceiveCount: 5 }),
    );
    // THEN
    const findings = findingsOf(app);
    expect(pathsFor(findings, ElasticDataAccessRule.DIRECT_DATABASE_ACCESS_DESPITE_PROXY)).toEqual(['Test/Fn']);
    expect(pathsFor(findings, ElasticDataAccessRule.DATABASE_CLIENT_WITHOUT_RESERVED_CONCURRENCY)).toEqual(['Test/Fn']);
    expect(pathsFor(findings, ElasticDataAccessRule.DEAD_LETTER_QUEUE_WITHOUT_ALARM)).toEqual(['Test/Dlq']);
  });

  test('property overrides are seen: requireTLS overridden to false is reported', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const db = postgresInstance(stack, vpc);
    const proxy = db.addProxy('Proxy', { vpc, secrets: [db.secret!], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    // WHEN
    (proxy.node.defaultChild as rds.CfnDBProxy).addPropertyOverride('RequireTLS', false);
    // THEN
    expect(pathsFor(findingsOf(app), ElasticDataAccessRule.PROXY_WITHOUT_REQUIRE_TLS)).toEqual(['Test/Db/Proxy/Resource']);
  });

  test('values that cannot be resolved make the rules not applicable instead of failing', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const fn = inlineFunction(stack, 'Consumer', { reservedConcurrentExecutions: 5 });
    // WHEN: one source is another stack's export; the other queue's visibility timeout is a parameter
    new lambda.CfnEventSourceMapping(stack, 'ImportedSource', {
      functionName: fn.functionName,
      eventSourceArn: Fn.importValue('orders-queue-arn'),
    });
    const queue = new sqs.CfnQueue(stack, 'Queue', { visibilityTimeout: new CfnParameter(stack, 'Visibility', { type: 'Number' }).valueAsNumber });
    new lambda.CfnEventSourceMapping(stack, 'ParameterisedQueue', {
      functionName: fn.functionName,
      eventSourceArn: queue.attrArn,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: 5 },
    });
    // THEN
    const findings = findingsOf(app);
    expect(findings.filter((f) => f.constructPath === 'Test/ImportedSource')).toEqual([]);
    expect(pathsFor(findings, ElasticDataAccessRule.SQS_VISIBILITY_TIMEOUT_TOO_SHORT)).toEqual([]);
    expect(pathsFor(findings, ElasticDataAccessRule.CONSUMED_QUEUE_WITHOUT_REDRIVE)).toEqual(['Test/Queue']);
  });

  test('RULES.md has a row for every rule, with its id and cause', () => {
    // GIVEN
    const rulesMd = fs.readFileSync(path.join(__dirname, '..', '..', 'RULES.md'), 'utf8');
    // WHEN
    const rows = rulesMd.split('\n').filter((line) => line.startsWith('| ElasticDataAccess-'));
    // THEN
    expect(rows.map((row) => row.split('|')[1].trim())).toEqual(Object.values(ElasticDataAccessRule));
    expect(ELASTIC_DATA_ACCESS_RULES.map((rule) => `ElasticDataAccess-${rule.id}`)).toEqual(Object.values(ElasticDataAccessRule));
  });
});
