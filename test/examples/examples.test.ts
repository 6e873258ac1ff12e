import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXISTING_PLACEHOLDERS, ExistingDatabaseStack } from '../../examples/existing-database/app';
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

  test('the API stage throttles just above the sized load and writes a JSON access log kept a year', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 750, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
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

describe('existing-database example', () => {
  // GIVEN the example stack with its placeholder ids, synthesized once
  let template: Template;
  beforeAll(() => {
    // WHEN
    template = Template.fromStack(new ExistingDatabaseStack(new App(), 'ExistingDatabase'));
  });

  test('creates no database, proxy or secret: the cluster, its secret and the proxy are imported', () => {
    for (const type of ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBProxy', 'AWS::RDS::DBProxyTargetGroup',
      'AWS::SecretsManager::Secret', 'AWS::EC2::VPC', 'AWS::EC2::Subnet']) {
      template.resourceCountIs(type, 0);
    }
  });

  test('the reader reads through a READ_ONLY endpoint added to the existing proxy', () => {
    template.resourceCountIs('AWS::RDS::DBProxyEndpoint', 1);
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', {
      DBProxyName: EXISTING_PLACEHOLDERS.proxyName,
      TargetRole: 'READ_ONLY',
      VpcSecurityGroupIds: [EXISTING_PLACEHOLDERS.proxySecurityGroupId],
      VpcSubnetIds: EXISTING_PLACEHOLDERS.privateSubnetIds,
    });
  });

  test('the writer has reserved concurrency 5 and drains the buffer with at most 5 concurrent batches and partial batch responses', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    expect(mapping.Properties).toMatchObject({
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const writerId = mapping.Properties.FunctionName.Ref;
    expect(template.toJSON().Resources[writerId].Properties.ReservedConcurrentExecutions).toBe(5);
  });

  test('gives both functions reserved concurrency and writes through the existing proxy endpoint', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EDA_WRITE_HOST: EXISTING_PLACEHOLDERS.proxyEndpoint, EDA_AUTH: 'iam' }) },
    });
  });

  test('allows each function in on the imported proxy security group, on the PostgreSQL port only', () => {
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties).toMatchObject({
        GroupId: EXISTING_PLACEHOLDERS.proxySecurityGroupId,
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.any(String), 'GroupId'] },
      });
    }
  });

  test('grants rds-db:connect only for the database user on the imported proxy, and no secret read', () => {
    const statements = iamStatements(template);
    const connects = statements.filter((statement) => JSON.stringify(statement.Action).includes('rds-db:connect'));
    expect(connects).toHaveLength(2);
    const proxyResourceId = EXISTING_PLACEHOLDERS.proxyArn.split(':').pop();
    for (const statement of connects) {
      expect(JSON.stringify(statement.Resource)).toContain(`:dbuser:${proxyResourceId}/${EXISTING_PLACEHOLDERS.databaseUser}"`);
    }
    for (const statement of statements) {
      expect(JSON.stringify(statement.Action)).not.toContain('secretsmanager:');
    }
  });

  test('every alarm notifies on both ALARM and OK', () => {
    alarmsHaveActions(template);
  });

  test('matches the snapshot', () => {
    expect(normalisedTemplate(template)).toMatchSnapshot();
  });
});
