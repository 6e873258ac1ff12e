import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { newDatabase, newFunction, newStack, rdsConnectResources } from './fixtures';
import { DataAccessDatabase, DatabaseAuthentication, DatabaseEngineFamily, DatabaseSource, ProxyTargetRole } from '../../src/database';

describe('proxy defaults (Aurora PostgreSQL with one reader)', () => {
  // GIVEN a database with default proxy settings and one writer grant
  const { stack, vpc, db } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
  db.grantWrite(newFunction(stack, 'Writer', vpc));
  const template = Template.fromStack(stack);

  test('names the proxy uniquely (aws-cdk-lib would name every proxy "Proxy")', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: Match.stringLikeRegexp('^StackOrders[0-9A-F]{8}$') });
  });

  test('requires TLS and uses end-to-end IAM authentication without secrets', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
      EngineFamily: 'POSTGRESQL',
      DebugLogging: false,
      Auth: Match.absent(),
    });
  });

  test('under end-to-end IAM no role may read the generated master secret, not even the proxy\'s', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => [s.Action].flat().some((action) => action.startsWith('secretsmanager:')))).toEqual([]);
  });

  test('pools at most 90% of max_connections and leaves borrow timeout and idle percent to the RDS defaults', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      TargetGroupName: 'default',
      ConnectionPoolConfigurationInfo: {
        MaxConnectionsPercent: 90,
        ConnectionBorrowTimeout: Match.absent(),
        MaxIdleConnectionsPercent: Match.absent(),
      },
    });
  });

  test('adds a READ_ONLY endpoint in two subnets sharing the proxy security group', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', {
      TargetRole: 'READ_ONLY',
      VpcSecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] }],
    });
    const endpoint = Object.values<any>(template.findResources('AWS::RDS::DBProxyEndpoint'))[0];
    expect(endpoint.Properties.VpcSubnetIds).toHaveLength(2);
    expect(db.readOnlyEndpointAddress).toBeDefined();
  });

  test('allows the proxy into the database security group on the database port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersClusterSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProxyProxySecurityGroup'), 'GroupId'] },
    });
  });

  test('lets the proxy role connect to the cluster as the granted user only (end-to-end IAM)', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrdersProxyIAMRole') }],
      PolicyDocument: {
        Statement: [{
          Action: 'rds-db:connect',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:eu-west-1:111122223333:dbuser:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersCluster'), 'DBClusterResourceId'] }, '/eda_app']],
          },
        }],
      },
    });
  });
});

describe('proxy settings', () => {
  test('passes pool settings through to the target group', () => {
    // GIVEN explicit pool settings
    const { stack } = newDatabase({
      source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL }),
      proxy: {
        maxConnectionsPercent: 80,
        maxIdleConnectionsPercent: 20,
        connectionBorrowTimeout: Duration.seconds(5),
        initQuery: "SET time_zone = 'UTC'",
        sessionPinningFilters: [rds.SessionPinningFilter.EXCLUDE_VARIABLE_SETS],
        idleClientTimeout: Duration.minutes(10),
      },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: {
        MaxConnectionsPercent: 80,
        MaxIdleConnectionsPercent: 20,
        ConnectionBorrowTimeout: 5,
        InitQuery: "SET time_zone = 'UTC'",
        SessionPinningFilters: ['EXCLUDE_VARIABLE_SETS'],
      },
    });
    template.hasResourceProperties('AWS::RDS::DBProxy', { IdleClientTimeout: 600 });
  });

  test('secret authentication puts the source secret behind the proxy with client IAM disabled', () => {
    // GIVEN password authentication
    const { stack } = newDatabase({
      source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES }),
      authentication: DatabaseAuthentication.SECRET,
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBProxy', {
      DefaultAuthScheme: Match.absent(),
      Auth: [{ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', SecretArn: { Ref: Match.stringLikeRegexp('^OrdersInstanceSecretAttachment') } }],
    });
  });

  test('IAM-with-secret authentication requires client IAM and uses the secret towards the database', () => {
    // GIVEN IAM towards the proxy, secret behind it
    const { stack } = newDatabase({
      source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES }),
      authentication: DatabaseAuthentication.IAM_WITH_SECRET,
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBProxy', {
      Auth: [{ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED', SecretArn: Match.anyValue() }],
    });
  });

  test('an RDS source gets no READ_ONLY endpoint', () => {
    const { stack } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas: 1 }) });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
  });

  test('an Aurora source with readOnlyEndpoint false reads through the cluster reader endpoint', () => {
    const { db, stack } = newDatabase({
      source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }),
      readOnlyEndpoint: false,
    });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    expect(db.readTargets.map((t) => t.kind)).toEqual(['direct']);
  });
});

describe('existing proxy', () => {
  test('uses the existing proxy instead of creating one and adds a READ_ONLY endpoint to it', () => {
    // GIVEN an imported proxy and its security group
    const { stack, vpc } = newStack();
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
      dbProxyName: 'orders',
      dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123456789abcdef',
      endpoint: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com',
      securityGroups: [],
    });
    const sg = new ec2.SecurityGroup(stack, 'ProxySg', { vpc });
    // WHEN
    const db = new DataAccessDatabase(stack, 'Orders', {
      vpc,
      source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }),
      existingProxy: proxy,
      existingProxySecurityGroups: [sg],
    });
    db.grantWrite(newFunction(stack, 'Writer', vpc));
    const info = db.writeConnectionInfo();
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBProxy', 0);
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { DBProxyName: 'orders', TargetRole: 'READ_ONLY' });
    expect(info.hosts).toEqual(['orders.proxy-abc.eu-west-1.rds.amazonaws.com']);
    expect(db.writeTarget.capacity).toBe(2000);
    expect(rdsConnectResources(template)).toEqual([
      { roles: ['${WriterServiceRoleC734D21E}'], resource: 'arn:${AWS::Partition}:rds-db:eu-west-1:111122223333:dbuser:prx-0123456789abcdef/eda_app' },
    ]);
  });
});

describe('existing cluster behind an existing proxy with its READ_ONLY endpoint', () => {
  // GIVEN an existing cluster with a secret, and a DatabaseProxy created elsewhere in the app
  const { stack, vpc } = newStack();
  const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0123456789abcdef0');
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf');
  const source = DatabaseSource.existingCluster({
    engine: DatabaseEngineFamily.MYSQL,
    clusterIdentifier: 'orders',
    clusterResourceIdentifier: 'cluster-ABC',
    clusterEndpointAddress: 'orders.cluster-xyz.eu-west-1.rds.amazonaws.com',
    securityGroups: [sg],
    secret,
    readers: 2,
    maxConnections: 1000,
  });
  const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Imported', {
    clusterIdentifier: 'orders', engine: rds.DatabaseClusterEngine.AURORA_MYSQL, securityGroups: [sg], port: 3306,
  });
  const existingProxy = new rds.DatabaseProxy(stack, 'SharedProxy', { proxyTarget: rds.ProxyTarget.fromCluster(cluster), secrets: [secret], vpc, iamAuth: true });
  // WHEN
  const db = new DataAccessDatabase(stack, 'Orders', {
    vpc,
    source,
    existingProxy,
    existingProxyReadOnlyEndpoint: 'orders-ro.endpoint.proxy-abc.eu-west-1.rds.amazonaws.com',
    existingProxyMaxConnectionsPercent: 50,
    authentication: DatabaseAuthentication.IAM_WITH_SECRET,
  });
  db.grantRead(newFunction(stack, 'Reader', vpc));
  const info = db.readConnectionInfo();
  const template = Template.fromStack(stack);

  test('uses the given READ_ONLY endpoint instead of adding one', () => {
    template.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    expect(info.hosts).toEqual(['orders-ro.endpoint.proxy-abc.eu-west-1.rds.amazonaws.com']);
  });

  test('allows the reader in on the existing proxy\'s own security group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedProxyProxySecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReaderSecurityGroup'), 'GroupId'] },
      FromPort: 3306,
    });
  });

  test('connects as the secret\'s user with IAM tokens', () => {
    expect(info.auth).toBe('iam');
    expect(Stack.of(db).resolve(info.user)).toBe('{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:SecretString:username::}}');
  });

  test('sizes the read target with the existing proxy\'s MaxConnectionsPercent over both readers', () => {
    expect(db.readTargets.map((t) => [t.kind, t.capacity])).toEqual([['proxy-read-only', 1000]]);
    expect(db.writeTarget.capacity).toBe(500);
  });
});

describe('proxy metrics', () => {
  const { db, stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
  const proxyName = stack.resolve(db.proxy.dbProxyName);

  test.each([
    ['metricClientConnections', 'ClientConnections', 'Sum'],
    ['metricDatabaseConnections', 'DatabaseConnections', 'Sum'],
    ['metricDatabaseConnectionsCurrentlyBorrowed', 'DatabaseConnectionsCurrentlyBorrowed', 'Sum'],
    ['metricDatabaseConnectionsCurrentlySessionPinned', 'DatabaseConnectionsCurrentlySessionPinned', 'Sum'],
    ['metricMaxDatabaseConnectionsAllowed', 'MaxDatabaseConnectionsAllowed', 'Sum'],
    ['metricDatabaseConnectionsBorrowLatency', 'DatabaseConnectionsBorrowLatency', 'Average'],
    ['metricQueryDatabaseResponseLatency', 'QueryDatabaseResponseLatency', 'Average'],
    ['metricClientConnectionsSetupFailedAuth', 'ClientConnectionsSetupFailedAuth', 'Sum'],
  ] as const)('%s is AWS/RDS %s by ProxyName (%s)', (method, metricName, statistic) => {
    const metric = db.proxyMetrics[method]();
    expect(metric.namespace).toBe('AWS/RDS');
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(stack.resolve(metric.dimensions)).toEqual({ ProxyName: proxyName });
  });

  test('availability is published per target group and role, so the metric names all three dimensions', () => {
    // writer (default) and readers behind a READ_ONLY endpoint
    const writer = db.proxyMetrics.metricAvailabilityPercentage();
    const readers = db.proxyMetrics.metricAvailabilityPercentage(ProxyTargetRole.READ_ONLY);
    expect([writer.namespace, writer.metricName, writer.statistic]).toEqual(['AWS/RDS', 'AvailabilityPercentage', 'Average']);
    expect(stack.resolve(writer.dimensions)).toEqual({ ProxyName: proxyName, TargetGroup: 'default', TargetRole: 'READ_WRITE' });
    expect(stack.resolve(readers.dimensions)).toEqual({ ProxyName: proxyName, TargetGroup: 'default', TargetRole: 'READ_ONLY' });
  });

  test.each([
    [undefined, 'READ_WRITE', 'writer'],
    [ProxyTargetRole.READ_ONLY, 'READ_ONLY', 'readOnly'],
  ] as const)('pool utilisation (role %s) is borrowed ÷ max allowed × 100 of the %s targets only', (role, targetRole, prefix) => {
    const expression = db.proxyMetrics.metricPoolUtilization(role);
    expect(expression.expression).toBe(`100 * ${prefix}Borrowed / ${prefix}MaxAllowed`);
    const borrowed = expression.usingMetrics[`${prefix}Borrowed`] as cloudwatch.Metric;
    const maxAllowed = expression.usingMetrics[`${prefix}MaxAllowed`] as cloudwatch.Metric;
    expect([borrowed.metricName, borrowed.statistic, maxAllowed.metricName, maxAllowed.statistic])
      .toEqual(['DatabaseConnectionsCurrentlyBorrowed', 'Sum', 'MaxDatabaseConnectionsAllowed', 'Sum']);
    for (const metric of [borrowed, maxAllowed]) {
      expect(stack.resolve(metric.dimensions)).toEqual({ ProxyName: proxyName, TargetGroup: 'default', TargetRole: targetRole });
    }
    expect(Stack.of(db).resolve(expression.period.toSeconds())).toBe(60);
  });
});
