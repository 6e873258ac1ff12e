import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FanOutStack } from '../../examples/fan-out/app';
import { MysqlReplicasStack } from '../../examples/mysql-replicas/app';
import { OrdersApiStack } from '../../examples/orders-api/app';

/** Asset hashes change with every bundling change; the snapshot pins the template shape, not the bytes. */
function normalisedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}(\.zip)?/g, 'ASSET'));
}

function alarmsHaveActions(template: Template): void {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  expect(Object.keys(alarms).length).toBeGreaterThan(0);
  for (const alarm of Object.values(alarms)) {
    expect(alarm.Properties.AlarmActions).toEqual(expect.arrayContaining([expect.anything()]));
    expect(alarm.Properties.OKActions).toEqual(expect.arrayContaining([expect.anything()]));
  }
}

describe('orders-api example', () => {
  // GIVEN the example stack, synthesized once (bundling three functions is the slow part)
  let template: Template;
  beforeAll(() => {
    // WHEN
    const stack: Stack = new OrdersApiStack(new App(), 'OrdersApi');
    template = Template.fromStack(stack);
  });

  test('exposes GET /orders/{id} and POST /orders on an HTTP API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /orders/{id}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /orders' });
  });

  test('gives each of its 3 functions reserved concurrency', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
    }
  });

  test('reads through a READ_ONLY proxy endpoint', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
  });

  test('drains the write buffer with at most 5 concurrent batches and partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('every alarm notifies on both ALARM and OK', () => {
    alarmsHaveActions(template);
  });

  test('matches the snapshot', () => {
    expect(normalisedTemplate(template)).toMatchSnapshot();
  });
});

/** Every IAM policy statement of the template: standalone policies and roles' inline policies. */
function iamStatements(template: Template): Array<Record<string, unknown>> {
  const documents: Array<{ Statement: Array<Record<string, unknown>> }> = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) documents.push(policy.Properties.PolicyDocument);
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) documents.push(inline.PolicyDocument);
  }
  return documents.flatMap((document) => document.Statement);
}

describe('fan-out example', () => {
  // GIVEN the example stack, synthesized once
  let template: Template;
  beforeAll(() => {
    // WHEN
    template = Template.fromStack(new FanOutStack(new App(), 'FanOut'));
  });

  test('no IAM policy statement lets a function invoke another function', () => {
    const statements = iamStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Action)).not.toContain('lambda:InvokeFunction');
    }
  });

  test('drains the shards with at most 10 concurrent workers', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('gives the splitter reserved concurrency', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
    }
  });

  test('matches the snapshot', () => {
    expect(normalisedTemplate(template)).toMatchSnapshot();
  });
});

describe('mysql-replicas example', () => {
  // GIVEN the example stack, synthesized once
  let template: Template;
  beforeAll(() => {
    // WHEN
    template = Template.fromStack(new MysqlReplicasStack(new App(), 'MysqlReplicas'));
  });

  test('creates 2 read replicas of the primary', () => {
    const replicas = Object.values(template.findResources('AWS::RDS::DBInstance', {
      Properties: { SourceDBInstanceIdentifier: Match.anyValue() },
    }));
    expect(replicas).toHaveLength(2);
  });

  test('the reader reads both replicas directly', () => {
    const replicaIds = Object.keys(template.findResources('AWS::RDS::DBInstance', {
      Properties: { SourceDBInstanceIdentifier: Match.anyValue() },
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EDA_READ_HOSTS: {
            'Fn::Join': ['', [
              { 'Fn::GetAtt': [replicaIds[0], 'Endpoint.Address'] },
              ',',
              { 'Fn::GetAtt': [replicaIds[1], 'Endpoint.Address'] },
            ]],
          },
        }),
      },
    });
  });

  test('the proxy targets only the primary', () => {
    const targetGroups = Object.values(template.findResources('AWS::RDS::DBProxyTargetGroup'));
    expect(targetGroups).toHaveLength(1);
    const primaryIds = Object.keys(template.findResources('AWS::RDS::DBInstance', {
      Properties: { SourceDBInstanceIdentifier: Match.absent() },
    }));
    expect(targetGroups[0].Properties.DBInstanceIdentifiers).toEqual([{ Ref: primaryIds[0] }]);
  });

  test('matches the snapshot', () => {
    expect(normalisedTemplate(template)).toMatchSnapshot();
  });
});
