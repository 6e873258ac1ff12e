import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { newFunction, newStack } from './fixtures';
import { DataAccessDatabase, DataAccessDatabaseProps, DatabaseAuthentication, DatabaseEngineFamily, DatabaseSource } from '../../src/database';

const aurora = () => DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES });
const rdsPostgres = (readReplicas = 0) => DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas });

function create(props: Omit<DataAccessDatabaseProps, 'vpc'>) {
  const { stack, vpc } = newStack();
  return { stack, vpc, db: new DataAccessDatabase(stack, 'Orders', { vpc, ...props }) };
}

describe('DataAccessDatabase validation', () => {
  test('grantRead on a source without readers fails', () => {
    // GIVEN an RDS instance without read replicas
    const { stack, vpc, db } = create({ source: rdsPostgres(0) });
    // WHEN / THEN
    expect(() => db.grantRead(newFunction(stack, 'Reader', vpc))).toThrow(
      'grantRead needs readers (Aurora) or readReplicas (RDS) of at least 1, got 0 on Stack/Orders: add a reader, or use grantWrite');
  });

  test('a READ_ONLY endpoint on an RDS source fails', () => {
    expect(() => create({ source: rdsPostgres(1), readOnlyEndpoint: true })).toThrow(
      'readOnlyEndpoint requires an Aurora source: RDS Proxy READ_ONLY endpoints serve Aurora readers only, RDS read replicas are read directly');
  });

  test('a READ_ONLY endpoint on Aurora without readers fails', () => {
    const source = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, readers: 0 });
    expect(() => create({ source, readOnlyEndpoint: true })).toThrow(
      'readOnlyEndpoint requires at least 1 Aurora reader, got readers 0');
  });

  test('a proxy in a single subnet fails, with or without a READ_ONLY endpoint', () => {
    // RDS Proxy needs two subnets in two Availability Zones for every proxy, not only for READ_ONLY endpoints.
    for (const source of [aurora(), rdsPostgres(0)]) {
      const { stack, vpc } = newStack();
      const proxy = { vpcSubnets: { subnets: [vpc.privateSubnets[0]] } };
      expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, source, proxy })).toThrow(
        'vpcSubnets must select at least 2 subnets in 2 Availability Zones for the proxy, got 1 subnet(s) in 1 zone(s)');
    }
  });

  test('two subnets in two Availability Zones are enough for a proxy without READ_ONLY endpoint', () => {
    const { stack, vpc } = newStack();
    const proxy = { vpcSubnets: { subnets: vpc.privateSubnets.slice(0, 2) } };
    expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, source: rdsPostgres(0), proxy })).not.toThrow();
  });

  test('a READ_ONLY endpoint added to an existing proxy in a single subnet fails', () => {
    const { stack, vpc } = newStack();
    const existingProxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
      dbProxyName: 'orders', dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123', endpoint: 'orders.proxy', securityGroups: [],
    });
    const existingProxySecurityGroups = [new ec2.SecurityGroup(stack, 'ProxySg', { vpc })];
    const source = DatabaseSource.existingCluster({
      engine: DatabaseEngineFamily.POSTGRES,
      clusterIdentifier: 'orders',
      clusterResourceIdentifier: 'cluster-ABC',
      clusterEndpointAddress: 'orders.cluster-abc',
      securityGroups: [],
      readers: 1,
      maxConnections: 500,
    });
    const vpcSubnets = { subnets: [vpc.privateSubnets[0]] };
    expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, vpcSubnets, source, existingProxy, existingProxySecurityGroups })).toThrow(
      'vpcSubnets must select at least 2 subnets in 2 Availability Zones for the proxy READ_ONLY endpoint, got 1 subnet(s) in 1 zone(s)');
  });

  test('more than 15 Aurora readers fails', () => {
    expect(() => create({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 16 }) })).toThrow(
      'readers must be between 0 and 15, got 16 (AWS allows at most 15 replicas per cluster or source instance)');
  });

  test('more than 15 RDS read replicas fails', () => {
    expect(() => create({ source: rdsPostgres(16) })).toThrow(
      'readReplicas must be between 0 and 15, got 16 (AWS allows at most 15 replicas per cluster or source instance)');
  });

  test('a fractional number of readers fails', () => {
    expect(() => create({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.POSTGRES, readers: 1.5 }) })).toThrow(
      'readers must be a whole number, got 1.5');
  });

  test('maxConnectionsPercent out of range fails', () => {
    expect(() => create({ source: aurora(), proxy: { maxConnectionsPercent: 0 } })).toThrow(
      'maxConnectionsPercent must be between 1 and 100, got 0');
  });

  test('maxIdleConnectionsPercent above maxConnectionsPercent fails', () => {
    expect(() => create({ source: aurora(), proxy: { maxConnectionsPercent: 50, maxIdleConnectionsPercent: 60 } })).toThrow(
      'maxIdleConnectionsPercent must be between 0 and 50, got 60 (it cannot exceed maxConnectionsPercent)');
  });

  test('connectionBorrowTimeout above 300 s (the RDS API maximum) fails; 300 s is accepted', () => {
    expect(() => create({ source: aurora(), proxy: { connectionBorrowTimeout: Duration.seconds(301) } })).toThrow(
      'connectionBorrowTimeout (seconds) must be between 0 and 300, got 301');
    expect(() => create({ source: aurora(), proxy: { connectionBorrowTimeout: Duration.seconds(300) } })).not.toThrow();
  });

  test('sessionPinningFilters on a PostgreSQL database fail (MySQL engine family only)', () => {
    const proxy = { sessionPinningFilters: [rds.SessionPinningFilter.EXCLUDE_VARIABLE_SETS] };
    for (const source of [aurora(), rdsPostgres(0)]) {
      expect(() => create({ source, proxy })).toThrow(
        'sessionPinningFilters are supported for the MySQL engine family only, got EXCLUDE_VARIABLE_SETS on a postgres database: ' +
        'on PostgreSQL avoid what pins instead (SET outside a transaction, named prepared statements, temporary tables, advisory locks)');
    }
    expect(() => create({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL }), proxy })).not.toThrow();
  });

  test('idleClientTimeout above eight hours fails', () => {
    expect(() => create({ source: aurora(), proxy: { idleClientTimeout: Duration.seconds(28801) } })).toThrow(
      'idleClientTimeout (seconds) must be between 1 and 28800, got 28801');
  });

  test('idleClientTimeout below one second fails', () => {
    expect(() => create({ source: aurora(), proxy: { idleClientTimeout: Duration.millis(500) } })).toThrow(
      'idleClientTimeout (seconds) must be between 1 and 28800, got 0.5');
  });

  test('idleClientTimeout of exactly eight hours is accepted', () => {
    expect(() => create({ source: aurora(), proxy: { idleClientTimeout: Duration.hours(8) } })).not.toThrow();
  });

  test('existingProxy together with proxy settings fails', () => {
    const { stack, vpc } = newStack();
    const existingProxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
      dbProxyName: 'orders', dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123', endpoint: 'orders.proxy', securityGroups: [],
    });
    expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, source: aurora(), existingProxy, proxy: { maxConnectionsPercent: 50 } })).toThrow(
      'existingProxy and proxy cannot both be set: pass an existing resource or configure a new one, not both');
  });

  test('an imported existingProxy without security groups fails', () => {
    const { stack, vpc } = newStack();
    const existingProxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
      dbProxyName: 'orders', dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123', endpoint: 'orders.proxy', securityGroups: [],
    });
    expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, source: aurora(), existingProxy })).toThrow(
      'existingProxySecurityGroups must be set when existingProxy is imported: consumers are allowed in on the proxy\'s security groups');
  });

  test('existingProxyMaxConnectionsPercent out of range fails', () => {
    const { stack, vpc } = newStack();
    const existingProxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Existing', {
      dbProxyName: 'orders', dbProxyArn: 'arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123', endpoint: 'orders.proxy', securityGroups: [],
    });
    expect(() => new DataAccessDatabase(stack, 'Orders', { vpc, source: aurora(), existingProxy, existingProxyMaxConnectionsPercent: 101 })).toThrow(
      'existingProxyMaxConnectionsPercent must be between 1 and 100, got 101');
  });

  test('minCapacity above maxCapacity fails', () => {
    const source = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 8, maxCapacity: 4 });
    expect(() => create({ source })).toThrow(
      'minCapacity must not exceed maxCapacity, got minCapacity 8 and maxCapacity 4');
  });

  test('maxCapacity above 256 ACU fails', () => {
    expect(() => create({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, maxCapacity: 300 }) })).toThrow(
      'maxCapacity must be between 1 and 256, got 300');
  });

  test('capacity off the 0.5 ACU step fails', () => {
    expect(() => create({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, maxCapacity: 4.25 }) })).toThrow(
      'maxCapacity must be a multiple of 0.5 ACU, got 4.25');
  });

  test('auto-pause (minCapacity 0) fails because the proxy would keep it from working', () => {
    expect(() => create({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, minCapacity: 0 }) })).toThrow(
      'minCapacity must be at least 0.5, got 0: Aurora Serverless v2 auto-pause (minCapacity 0) does not work with RDS Proxy, which this construct always places in front of the writer');
  });

  test('backup retention above 35 days fails', () => {
    expect(() => create({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, backupRetention: Duration.days(36) }) })).toThrow(
      'backupRetention (days) must be between 1 and 35, got 36');
  });

  test('an instance class of unknown memory without maxConnections fails', () => {
    const metal = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.METAL);
    expect(() => create({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, instanceType: metal }) })).toThrow(
      'maxConnections must be set for instance class db.r6g.metal: its memory is not known to this library');
  });

  test('maxConnections below 1 fails', () => {
    expect(() => create({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, maxConnections: 0 }) })).toThrow(
      'maxConnections must be at least 1, got 0');
  });

  test('directConnectionsFraction above 1 fails', () => {
    expect(() => create({ source: rdsPostgres(1), directConnectionsFraction: 1.2 })).toThrow(
      'directConnectionsFraction must be greater than 0 and at most 1, got 1.2');
  });

  test('secret authentication on an existing database without a secret fails', () => {
    const { stack, vpc } = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    expect(() => new DataAccessDatabase(stack, 'Orders', {
      vpc,
      authentication: DatabaseAuthentication.SECRET,
      source: DatabaseSource.existingInstance({
        engine: DatabaseEngineFamily.POSTGRES, instanceIdentifier: 'orders', instanceResourceId: 'db-A', instanceEndpointAddress: 'orders.rds', securityGroups: [sg], maxConnections: 100,
      }),
    })).toThrow("authentication secret needs the database secret: pass secret in the existing source's attributes or use DatabaseAuthentication.IAM");
  });

  describe('grants', () => {
    const { stack, vpc, db } = create({ source: aurora() });
    const fn = newFunction(stack, 'Fn', vpc);

    test('connectionsPerEnvironment below 1 fails', () => {
      expect(() => db.grantWrite(fn, { connectionsPerEnvironment: 0 })).toThrow('connectionsPerEnvironment must be at least 1, got 0');
    });

    test('a fractional connectionsPerEnvironment fails', () => {
      expect(() => db.grantWrite(fn, { connectionsPerEnvironment: 1.5 })).toThrow('connectionsPerEnvironment must be a whole number, got 1.5');
    });

    test('declaredConcurrency below 1 fails', () => {
      expect(() => db.grantWrite(fn, { declaredConcurrency: 0 })).toThrow('declaredConcurrency must be at least 1, got 0');
    });

    test('granting both paths to one function with different users fails', () => {
      db.grantRead(fn, { user: 'reader' });
      expect(() => db.grantWrite(fn, { user: 'writer' })).toThrow(
        'user of Stack/Fn must match its earlier grant (EDA_DB_USER=reader), got writer: grant both paths with the same user, connectionsPerEnvironment, statementTimeout and database name');
    });
  });
});
