import { Template, Match } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { monitorFixture, patternFixture, plainFunction } from './monitoring-fixtures';
import { DASHBOARD_GROUPS } from '../../src/monitoring/dashboard/data-access-dashboard';


type Expected = {
  id: RegExp;
  namespace?: string;
  metric: string;
  dimensions?: string[];
  statistic?: string;
  extended?: string;
  threshold: number;
  comparison: string;
  missing: string;
  periods: number;
  datapoints: number;
  period?: number;
};

/** Alarms of a template keyed by logical id. */
function alarms(template: Template): Array<[string, any]> {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [id, r.Properties]);
}

function expectAlarm(all: Array<[string, any]>, e: Expected): void {
  const found = all.filter(([id]) => e.id.test(id));
  expect(found.map(([id]) => id)).toHaveLength(1);
  const p = found[0][1];
  // THEN every alarm notifies the one topic on ALARM and on OK
  expect(p.AlarmActions).toEqual([expect.objectContaining({ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) })]);
  expect(p.OKActions).toEqual([expect.objectContaining({ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) })]);
  expect(p.AlarmDescription).toMatch(/Symptom: .*Likely cause: .*First check: /s);
  const actual = { threshold: p.Threshold, comparison: p.ComparisonOperator, missing: p.TreatMissingData };
  expect({ ...actual, periods: p.EvaluationPeriods, datapoints: p.DatapointsToAlarm })
    .toEqual({ threshold: e.threshold, comparison: e.comparison, missing: e.missing, periods: e.periods, datapoints: e.datapoints });
  if (p.Metrics) {
    const stats = p.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat);
    expect(stats.map((s: any) => s.Metric.MetricName)).toContain(e.metric);
    for (const s of stats) {
      expect(s.Metric.Namespace).toBe(e.namespace);
      expect(s.Metric.Dimensions.map((d: any) => d.Name)).toEqual(e.dimensions);
      expect(s.Stat).toBe(e.statistic);
    }
    return;
  }
  expect(p.MetricName).toBe(e.metric);
  expect(p.Namespace).toBe(e.namespace);
  expect((p.Dimensions ?? []).map((d: any) => d.Name)).toEqual(e.dimensions ?? []);
  if (e.extended) expect(p.ExtendedStatistic).toBe(e.extended);
  else expect(p.Statistic).toBe(e.statistic);
  if (e.period) expect(p.Period).toBe(e.period);
}

const BREACH = 'GreaterThanThreshold';
const common: Expected[] = [
  { id: /^MonitoringDeadLetterQueueNotEmpty/, namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible', dimensions: ['QueueName'], statistic: 'Maximum', threshold: 0, comparison: BREACH, missing: 'notBreaching', periods: 1, datapoints: 1, period: 60 },
  { id: /^MonitoringOldestMessageTooOld/, namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', dimensions: ['QueueName'], statistic: 'Maximum', threshold: 300, comparison: BREACH, missing: 'notBreaching', periods: 1, datapoints: 1, period: 60 },
  { id: /^MonitoringQueueDepthGrowing/, namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible', dimensions: ['QueueName'], statistic: 'Maximum', threshold: 100, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3 },
  { id: /^MonitoringStackWriter\w+Errors/, namespace: 'AWS/Lambda', metric: 'Errors', dimensions: ['FunctionName'], statistic: 'Sum', threshold: 0, comparison: BREACH, missing: 'notBreaching', periods: 1, datapoints: 1, period: 300 },
  { id: /^MonitoringStackWriter\w+Throttles/, namespace: 'AWS/Lambda', metric: 'Throttles', dimensions: ['FunctionName'], statistic: 'Sum', threshold: 0, comparison: BREACH, missing: 'notBreaching', periods: 1, datapoints: 1, period: 60 },
  // 80 % of the writer's 20 s timeout, in milliseconds
  { id: /^MonitoringStackWriter\w+DurationNearTimeout/, namespace: 'AWS/Lambda', metric: 'Duration', dimensions: ['FunctionName'], extended: 'p99', threshold: 16000, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 },
  { id: /^MonitoringStackReader\w+DurationNearTimeout/, namespace: 'AWS/Lambda', metric: 'Duration', dimensions: ['FunctionName'], extended: 'p99', threshold: 8000, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 },
  { id: /^MonitoringProxyPoolSaturated/, namespace: 'AWS/RDS', metric: 'DatabaseConnectionsCurrentlyBorrowed', dimensions: ['ProxyName', 'TargetGroup', 'TargetRole'], statistic: 'Sum', threshold: 80, comparison: BREACH, missing: 'notBreaching', periods: 5, datapoints: 5 },
  { id: /^MonitoringProxyBorrowLatencyHigh/, namespace: 'AWS/RDS', metric: 'DatabaseConnectionsBorrowLatency', dimensions: ['ProxyName'], statistic: 'Average', threshold: 100000, comparison: BREACH, missing: 'notBreaching', periods: 5, datapoints: 5, period: 60 },
  { id: /^MonitoringProxySessionPinning/, namespace: 'AWS/RDS', metric: 'DatabaseConnectionsCurrentlySessionPinned', dimensions: ['ProxyName'], statistic: 'Sum', threshold: 0, comparison: BREACH, missing: 'notBreaching', periods: 15, datapoints: 15, period: 60 },
  { id: /^MonitoringProxyFailedAuthentication/, namespace: 'AWS/RDS', metric: 'ClientConnectionsSetupFailedAuth', dimensions: ['ProxyName'], statistic: 'Sum', threshold: 0, comparison: BREACH, missing: 'notBreaching', periods: 1, datapoints: 1, period: 300 },
  { id: /^MonitoringProxyUnavailable/, namespace: 'AWS/RDS', metric: 'AvailabilityPercentage', dimensions: ['ProxyName', 'TargetGroup', 'TargetRole'], statistic: 'Average', threshold: 100, comparison: 'LessThanThreshold', missing: 'notBreaching', periods: 3, datapoints: 2, period: 60 },
  // 95 % of the default account limit of 1,000: above the 900 a full budget reserves, below the limit
  { id: /^MonitoringAccountConcurrencyNearLimit/, namespace: 'AWS/Lambda', metric: 'ClaimedAccountConcurrency', dimensions: [], statistic: 'Maximum', threshold: 950, comparison: 'GreaterThanOrEqualToThreshold', missing: 'notBreaching', periods: 3, datapoints: 2, period: 60 },
];

describe('DataAccessMonitoring on Aurora Serverless v2', () => {
  // GIVEN the pattern's pieces WHEN monitored with defaults
  const fixture = patternFixture('aurora-serverless');
  monitorFixture(fixture);
  const template = Template.fromStack(fixture.stack);
  const all = alarms(template);

  test.each([
    ...common,
    { id: /^MonitoringProxyReadOnlyPoolSaturated/, namespace: 'AWS/RDS', metric: 'DatabaseConnectionsCurrentlyBorrowed', dimensions: ['ProxyName', 'TargetGroup', 'TargetRole'], statistic: 'Sum', threshold: 80, comparison: BREACH, missing: 'notBreaching', periods: 5, datapoints: 5 },
    { id: /^MonitoringProxyReadOnlyUnavailable/, namespace: 'AWS/RDS', metric: 'AvailabilityPercentage', dimensions: ['ProxyName', 'TargetGroup', 'TargetRole'], statistic: 'Average', threshold: 100, comparison: 'LessThanThreshold', missing: 'notBreaching', periods: 3, datapoints: 2, period: 60 },
    { id: /^MonitoringAuroraReplicaLag/, namespace: 'AWS/RDS', metric: 'AuroraReplicaLag', dimensions: ['DBClusterIdentifier', 'Role'], statistic: 'Maximum', threshold: 2000, comparison: BREACH, missing: 'notBreaching', periods: 5, datapoints: 5, period: 60 },
    { id: /^MonitoringDatabaseCpuHigh/, namespace: 'AWS/RDS', metric: 'CPUUtilization', dimensions: ['DBClusterIdentifier', 'Role'], statistic: 'Average', threshold: 80, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 },
    { id: /^MonitoringDatabaseFreeableMemoryLow/, namespace: 'AWS/RDS', metric: 'FreeableMemory', dimensions: ['DBClusterIdentifier', 'Role'], statistic: 'Minimum', threshold: 268435456, comparison: 'LessThanThreshold', missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 },
    { id: /^MonitoringServerlessCapacityNearMax/, namespace: 'AWS/RDS', metric: 'ACUUtilization', dimensions: ['DBClusterIdentifier'], statistic: 'Maximum', threshold: 90, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 },
  ] as Expected[])('alarm $id watches $namespace $metric', (expected) => {
    expectAlarm(all, expected);
  });

  test('creates exactly the documented set of alarms', () => {
    expect(all).toHaveLength(21);
  });

  test('each pool-saturation alarm divides the borrowed by the allowed connections of one target role', () => {
    const proxyName = { Ref: expect.stringMatching(/^DatabaseProxy/) };
    const byRole = (id: RegExp) => {
      const metrics = all.find(([logicalId]) => id.test(logicalId))![1].Metrics;
      const metric = (m: any) => ({ name: m.MetricStat.Metric.MetricName, dimensions: m.MetricStat.Metric.Dimensions });
      return Object.fromEntries(metrics.map((m: any) => [m.Id, m.Expression ?? metric(m)]));
    };
    for (const [id, role, prefix] of [[/^MonitoringProxyPoolSaturated/, 'READ_WRITE', 'writer'], [/^MonitoringProxyReadOnlyPoolSaturated/, 'READ_ONLY', 'readOnly']] as const) {
      const dimensions = [{ Name: 'ProxyName', Value: proxyName }, { Name: 'TargetGroup', Value: 'default' }, { Name: 'TargetRole', Value: role }];
      expect(byRole(id)).toEqual({
        expr_1: `100 * ${prefix}Borrowed / ${prefix}MaxAllowed`,
        [`${prefix}Borrowed`]: { name: 'DatabaseConnectionsCurrentlyBorrowed', dimensions },
        [`${prefix}MaxAllowed`]: { name: 'MaxDatabaseConnectionsAllowed', dimensions },
      });
    }
  });

  test('the account alarm watches the claimed account concurrency, which counts reservations, not the running executions', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'ClaimedAccountConcurrency',
      Dimensions: Match.absent(),
      Statistic: 'Maximum',
      Threshold: 950,
    });
    expect(all.filter(([, p]) => p.MetricName === 'ConcurrentExecutions' && (p.Dimensions ?? []).length === 0)).toEqual([]);
  });

  test('the alarm topic is encrypted with a rotating customer managed key and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringAlarmTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the alarm topic key lets only AWS services create grants (CT.KMS.PR.3)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyGrantsExceptForAwsServices',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }]),
      },
    });
  });

  test('the dashboard lists every widget group: alarms, traffic, write buffer, database', () => {
    const body = JSON.stringify(fixture.stack.resolve(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
    for (const title of Object.values(DASHBOARD_GROUPS)) expect(body).toContain(`# ${title}`);
    for (const metric of ['Invocations', 'ConcurrentExecutions', 'ClaimedAccountConcurrency', 'ApproximateAgeOfOldestMessage', 'ClientConnections', 'DatabaseConnections', 'DatabaseConnectionsBorrowLatency', 'DatabaseConnectionsCurrentlySessionPinned', 'AuroraReplicaLag', 'ACUUtilization']) {
      expect(body).toContain(metric);
    }
  });
});

describe('DataAccessMonitoring on RDS with two read replicas', () => {
  const fixture = patternFixture('rds');
  monitorFixture(fixture);
  const all = alarms(Template.fromStack(fixture.stack));

  test.each([1, 2])('replica %i gets a ReplicaLag alarm in seconds that treats missing data as breaching', (n) => {
    expectAlarm(all, { id: new RegExp(`^MonitoringReadReplica${n}Lag`), namespace: 'AWS/RDS', metric: 'ReplicaLag', dimensions: ['DBInstanceIdentifier'], statistic: 'Maximum', threshold: 30, comparison: BREACH, missing: 'breaching', periods: 5, datapoints: 5, period: 60 });
  });

  test('CPU and memory are watched per instance, and there is no Aurora or Serverless alarm', () => {
    expectAlarm(all, { id: /^MonitoringDatabaseCpuHigh/, namespace: 'AWS/RDS', metric: 'CPUUtilization', dimensions: ['DBInstanceIdentifier'], statistic: 'Average', threshold: 80, comparison: BREACH, missing: 'notBreaching', periods: 3, datapoints: 3, period: 300 });
    expect(all.filter(([id]) => /AuroraReplicaLag|ServerlessCapacity|ReadOnlyUnavailable|ReadOnlyPoolSaturated/.test(id))).toEqual([]);
  });
});

describe('tuning', () => {
  test('a disabled alarm is not created and an override changes its threshold and periods', () => {
    // GIVEN / WHEN
    const fixture = patternFixture();
    monitorFixture(fixture, {
      alarms: { deadLetterQueueNotEmpty: { enabled: false }, oldestMessageTooOld: { threshold: 60, evaluationPeriods: 2, datapointsToAlarm: 2 } },
    });
    const all = alarms(Template.fromStack(fixture.stack));
    // THEN
    expect(all.filter(([id]) => /DeadLetterQueueNotEmpty/.test(id))).toEqual([]);
    expectAlarm(all, { id: /^MonitoringOldestMessageTooOld/, namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', dimensions: ['QueueName'], statistic: 'Maximum', threshold: 60, comparison: BREACH, missing: 'notBreaching', periods: 2, datapoints: 2, period: 60 });
  });

  test('a function that does not touch the database gets no throttles alarm', () => {
    const fixture = patternFixture();
    const producer = plainFunction(fixture.stack, 'Producer');
    monitorFixture(fixture, { functions: [{ function: producer, databaseFacing: false }] });
    const ids = alarms(Template.fromStack(fixture.stack)).map(([id]) => id);
    expect(ids.filter((id) => /Producer\w*Errors/.test(id))).toHaveLength(1);
    expect(ids.filter((id) => /Producer\w*Throttles/.test(id))).toHaveLength(0);
  });

  test('an existing topic receives every alarm and no topic is created', () => {
    const fixture = patternFixture();
    const topic = new sns.Topic(fixture.stack, 'OpsTopic');
    monitorFixture(fixture, { topic });
    const template = Template.fromStack(fixture.stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = fixture.stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic);
    for (const [, p] of alarms(template)) expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  test('the dashboard can be turned off', () => {
    const fixture = patternFixture();
    monitorFixture(fixture, { dashboard: false });
    Template.fromStack(fixture.stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('a function listed twice is rejected', () => {
    const fixture = patternFixture();
    expect(() => monitorFixture(fixture, { functions: [{ function: fixture.writer }, { function: fixture.writer }] }))
      .toThrow('function Stack/Writer is listed twice in functions');
  });

  test.each([
    [10, 9],
    [1, 1],
    [3000, 2850],
  ])('an account limit of %i alarms from %i claimed executions (95 %, at least 1)', (accountConcurrency, threshold) => {
    // GIVEN a low-quota (new) account or a raised limit
    const fixture = patternFixture();
    monitorFixture(fixture, { accountConcurrency });
    // THEN
    Template.fromStack(fixture.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ClaimedAccountConcurrency', Threshold: threshold });
  });

  test('the account graph draws the limit and the alarm\'s effective threshold', () => {
    const fixture = patternFixture();
    monitorFixture(fixture, { accountConcurrency: 500, alarms: { accountConcurrencyNearLimit: { threshold: 420 } } });
    const template = Template.fromStack(fixture.stack);
    const body = JSON.stringify(fixture.stack.resolve(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
    expect(body).toContain('{\\"value\\":500,\\"label\\":\\"Account limit\\"');
    expect(body).toContain('{\\"value\\":420,\\"label\\":\\"Alarm threshold\\"');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ClaimedAccountConcurrency', Threshold: 420 });
  });

  test('an account limit of 0 is refused', () => {
    const fixture = patternFixture();
    expect(() => monitorFixture(fixture, { accountConcurrency: 0 }))
      .toThrow('accountConcurrency must be at least 1, got 0 (the Lambda concurrency limit of the account in this Region)');
  });

  test('the duration threshold is a percent of the timeout', () => {
    const fixture = patternFixture();
    expect(() => monitorFixture(fixture, { alarms: { functionDurationNearTimeout: { threshold: 150 } } }))
      .toThrow('alarms.functionDurationNearTimeout.threshold is a percent of the timeout and must be greater than 0 and at most 100, got 150');
  });
});
