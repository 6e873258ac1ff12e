import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { newDatabase, newFunction, rdsConnectResources, render, TaskConsumer } from './fixtures';
import { ConnectionLedger } from '../../src/budget/connection-ledger';
import { DatabaseAuthentication, DatabaseEngineFamily, DatabaseSource } from '../../src/database';

function environmentOf(template: Template, logicalIdPrefix: string): { [key: string]: string } {
  const fns = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries<any>(fns).find(([id]) => id.startsWith(logicalIdPrefix))!;
  return Object.fromEntries(Object.entries<any>(fn.Properties.Environment.Variables).map(([k, v]) => [k, render(v)]));
}

describe('Aurora: grantRead and grantWrite on Lambda functions', () => {
  // GIVEN an Aurora database, a reader function and a writer function
  const { stack, vpc, db } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
  const reader = newFunction(stack, 'Reader', vpc);
  const writer = newFunction(stack, 'Writer', vpc);
  // WHEN
  db.grantRead(reader);
  const readInfo = db.readConnectionInfo();
  db.grantWrite(writer, { connectionsPerEnvironment: 2, user: 'orders_writer', statementTimeout: Duration.seconds(2) });
  const writeInfo = db.writeConnectionInfo({ connectionsPerEnvironment: 2, user: 'orders_writer', statementTimeout: Duration.seconds(2) });
  const template = Template.fromStack(stack);

  test('opens the proxy security group to each consumer on the database port, one rule per consumer', () => {
    for (const [consumer, path] of [['Reader', 'reads'], ['Writer', 'writes']]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${consumer}SecurityGroup`), 'GroupId'] },
        FromPort: 5432,
        ToPort: 5432,
        IpProtocol: 'tcp',
        Description: `Stack/${consumer} ${path}`,
      });
    }
    const proxyIngress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] } },
    });
    expect(Object.keys(proxyIngress)).toHaveLength(2);
  });

  test('grants rds-db:connect scoped to the proxy resource id and the user, never *', () => {
    const grants = rdsConnectResources(template).filter((g) => !g.roles[0].startsWith('${OrdersProxyIAMRole'));
    expect(grants).toEqual([
      { roles: [expect.stringMatching(/^\$\{ReaderServiceRole/)], resource: expect.stringMatching(/^arn:\$\{AWS::Partition\}:rds-db:eu-west-1:111122223333:dbuser:.*OrdersProxy.*\/eda_app$/) },
      { roles: [expect.stringMatching(/^\$\{WriterServiceRole/)], resource: expect.stringMatching(/^arn:\$\{AWS::Partition\}:rds-db:eu-west-1:111122223333:dbuser:.*OrdersProxy.*\/orders_writer$/) },
    ]);
    for (const grant of rdsConnectResources(template)) expect(grant.resource).not.toContain('*');
  });

  test('lets the proxy role log in to the cluster as each granted user (end-to-end IAM)', () => {
    const proxyGrants = rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${OrdersProxyIAMRole'));
    expect(proxyGrants.map((g) => g.resource)).toEqual([
      expect.stringMatching(/dbuser:\$\{OrdersCluster[0-9A-F]+\.DBClusterResourceId\}\/eda_app$/),
      expect.stringMatching(/dbuser:\$\{OrdersCluster[0-9A-F]+\.DBClusterResourceId\}\/orders_writer$/),
    ]);
  });

  test('sets the read half of the environment contract on the reader', () => {
    expect(environmentOf(template, 'Reader')).toEqual({
      EDA_ENGINE: 'postgres',
      EDA_READ_HOSTS: expect.stringMatching(/^\$\{OrdersReadOnlyEndpoint[0-9A-F]+\.Endpoint\}$/),
      EDA_READ_PORT: '5432',
      EDA_DATABASE: 'app',
      EDA_DB_USER: 'eda_app',
      EDA_AUTH: 'iam',
      EDA_TLS: 'verify-full',
      EDA_POOL_MAX: '1',
      EDA_STATEMENT_TIMEOUT_MS: '5000',
    });
  });

  test('sets the write half of the environment contract on the writer', () => {
    expect(environmentOf(template, 'Writer')).toEqual({
      EDA_ENGINE: 'postgres',
      EDA_WRITE_HOST: expect.stringMatching(/^\$\{OrdersProxy[0-9A-F]+\.Endpoint\}$/),
      EDA_WRITE_PORT: '5432',
      EDA_DATABASE: 'app',
      EDA_DB_USER: 'orders_writer',
      EDA_AUTH: 'iam',
      EDA_TLS: 'verify-full',
      EDA_POOL_MAX: '2',
      EDA_STATEMENT_TIMEOUT_MS: '2000',
    });
  });

  test('adds no extra CA bundle for proxy endpoints, whose certificates are publicly trusted', () => {
    expect(readInfo.environment.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(writeInfo.environment.NODE_EXTRA_CA_CERTS).toBeUndefined();
  });

  test('returns the same contract as ConnectionInfo', () => {
    expect(readInfo).toMatchObject({ port: 5432, databaseName: 'app', user: 'eda_app', auth: 'iam', secretArn: undefined });
    expect(readInfo.hosts).toEqual([db.readOnlyEndpointAddress]);
    expect(writeInfo.hosts).toEqual([db.proxy.endpoint]);
    expect(writeInfo.environment.EDA_POOL_MAX).toBe('2');
  });

  test('records one draw per grant in the connection ledger', () => {
    const draws = ConnectionLedger.of(stack).draws.filter((d) => d.target.name.startsWith('Stack/Orders'));
    expect(draws.map((d) => [d.consumer, d.target.kind, d.connectionsPerEnvironment])).toEqual([
      [reader, 'proxy-read-only', 1],
      [writer, 'proxy-writer', 2],
    ]);
  });
});

describe('RDS: grantRead reads the replicas directly', () => {
  // GIVEN an RDS instance with two replicas and a reader function
  const { stack, vpc, db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, readReplicas: 2 }) });
  const reader = newFunction(stack, 'Reader', vpc);
  // WHEN
  db.grantRead(reader);
  const info = db.readConnectionInfo();
  const template = Template.fromStack(stack);

  test('opens each replica security group to the reader, and not the proxy', () => {
    for (const replica of ['OrdersReadReplica1', 'OrdersReadReplica2']) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${replica}SecurityGroup`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReaderSecurityGroup'), 'GroupId'] },
        FromPort: 3306,
      });
    }
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReaderSecurityGroup'), 'GroupId'] } },
    }))).toHaveLength(2);
  });

  test('grants rds-db:connect on each replica DbiResourceId and the user, and nothing to the proxy', () => {
    expect(rdsConnectResources(template).map((g) => g.resource)).toEqual([
      expect.stringMatching(/dbuser:\$\{OrdersReadReplica1[0-9A-F]+\.DbiResourceId\}\/eda_app$/),
      expect.stringMatching(/dbuser:\$\{OrdersReadReplica2[0-9A-F]+\.DbiResourceId\}\/eda_app$/),
    ]);
  });

  test('lists both replica endpoints in EDA_READ_HOSTS', () => {
    expect(info.hosts).toHaveLength(2);
    expect(info.environment.EDA_READ_PORT).toBe('3306');
    const env = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const hosts = render(Object.values<any>(env)[0].Properties.Environment.Variables.EDA_READ_HOSTS);
    expect(hosts).toMatch(/^\$\{OrdersReadReplica1[0-9A-F]+\.Endpoint\.Address\},\$\{OrdersReadReplica2[0-9A-F]+\.Endpoint\.Address\}$/);
  });

  test('trusts the RDS CA through the Lambda runtime bundle, because replicas are not behind the proxy', () => {
    expect(info.environment.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem', EDA_TLS: 'verify-full' }) },
    });
  });

  test('records a draw on each replica the reader may pick', () => {
    const draws = ConnectionLedger.of(stack).draws.filter((d) => d.consumer === reader);
    expect(draws.map((d) => d.target.name)).toEqual(['Stack/Orders/ReadReplica1', 'Stack/Orders/ReadReplica2']);
  });
});

describe('secret authentication', () => {
  test('grants secret read instead of rds-db:connect and sets EDA_AUTH=secret with the secret ARN', () => {
    // GIVEN password authentication
    const { stack, vpc, db } = newDatabase({
      source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES }),
      authentication: DatabaseAuthentication.SECRET,
    });
    const writer = newFunction(stack, 'Writer', vpc);
    // WHEN
    db.grantWrite(writer);
    const info = db.writeConnectionInfo();
    // THEN
    const template = Template.fromStack(stack);
    expect(rdsConnectResources(template)).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WriterServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] })]) },
    });
    expect(info.auth).toBe('secret');
    expect(info.user).toBe('eda_admin');
    expect(environmentOf(template, 'Writer')).toMatchObject({ EDA_AUTH: 'secret', EDA_SECRET_ARN: expect.stringMatching(/^\$\{OrdersInstanceSecretAttachment/) });
  });
});

describe('non-Lambda consumers', () => {
  test('get the security group rule, the scoped grant, the ledger draw and the connection info', () => {
    // GIVEN a task-like consumer with its own security group and role
    const { stack, vpc, db } = newDatabase({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.POSTGRES }) });
    const task = new TaskConsumer(stack, 'Task', vpc);
    // WHEN
    db.grantWrite(task, { declaredConcurrency: 4 });
    const info = db.writeConnectionInfo({ declaredConcurrency: 4 });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TaskSg'), 'GroupId'] },
    });
    expect(rdsConnectResources(template).filter((g) => g.roles[0].startsWith('${TaskRole'))).toHaveLength(1);
    expect(info.environment).toMatchObject({ EDA_WRITE_PORT: '5432', EDA_AUTH: 'iam', EDA_DB_USER: 'eda_app' });
    const draw = ConnectionLedger.of(stack).draws.find((d) => d.consumer === task)!;
    expect(draw.declaredConcurrency).toBe(4);
  });
});
