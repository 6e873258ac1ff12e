import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { newDatabase, newStack } from './fixtures';
import { DatabaseEngineFamily, DatabaseSource, DataAccessDatabase } from '../../src/database';
import { acknowledgementsOn } from '../support/acknowledgements';

/** The Enhanced Monitoring role: assumed by monitoring.rds.amazonaws.com. */
const MONITORING_ROLE = { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'monitoring.rds.amazonaws.com' } })] } };

describe('Aurora Serverless v2 PostgreSQL source with defaults', () => {
  // GIVEN an Aurora Serverless v2 source with no options but the engine
  const { stack, db } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
  const template = Template.fromStack(stack);

  test('creates an encrypted, IAM-auth cluster with 7-day backups, log exports, Database Insights and a SNAPSHOT policy', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        DatabaseName: 'app',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 7,
        // every type Aurora PostgreSQL exports (CreateDBCluster: instance | postgresql | iam-db-auth-error)
        EnableCloudwatchLogsExports: ['instance', 'postgresql', 'iam-db-auth-error'],
        PerformanceInsightsEnabled: true,
        DatabaseInsightsMode: 'standard',
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
        MasterUsername: 'eda_admin',
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('forces TLS with rds.force_ssl=1 in the cluster parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('creates a serverless writer and one serverless reader that scales with it', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PromotionTier: 1 });
  });

  test('exposes the cluster and its secret, and no replicas', () => {
    expect(db.cluster).toBeDefined();
    expect(db.instance).toBeUndefined();
    expect(db.secret).toBeDefined();
    expect(db.readReplicas).toEqual([]);
    expect(db.port).toBe(5432);
    expect(db.engine).toBe(DatabaseEngineFamily.POSTGRES);
  });
});

describe('Aurora provisioned MySQL source', () => {
  // GIVEN a provisioned Aurora MySQL cluster with two readers
  const { stack, db } = newDatabase({
    source: DatabaseSource.auroraProvisioned({
      engine: DatabaseEngineFamily.MYSQL,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE),
      readers: 2,
    }),
  });
  const template = Template.fromStack(stack);

  test('creates a writer and two readers of the instance class', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 3);
    template.allResourcesProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.xlarge' });
  });

  test('forces TLS with require_secure_transport=ON (the cluster parameter group value) and exports every Aurora MySQL log type', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { require_secure_transport: 'ON' } });
    // CreateDBCluster: audit | error | general | instance | slowquery | iam-db-auth-error
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-mysql',
      EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'instance', 'slowquery', 'iam-db-auth-error'],
    });
  });

  test('acknowledges backtracking (RDS14 / CT.RDS.PR.12) on the Aurora MySQL cluster: recovery is point-in-time restore', () => {
    const ids = acknowledgementsOn(db.cluster!).map((a) => a.id);
    expect(ids).toContain('AwsSolutions::AwsSolutions-RDS14');
    expect(ids).toContain('cdk-validator-cfnguard::aurora_cluster_backtracking_enabled_check');
    // the default exports go beyond CT.RDS.PR.25's list (iam-db-auth-error, instance)
    expect(ids).toContain('cdk-validator-cfnguard::rds_cluster_logging_enabled_check');
  });
});

describe('RDS PostgreSQL instance with two read replicas', () => {
  // GIVEN an RDS instance source with two replicas
  const { stack, db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, readReplicas: 2 }) });
  const template = Template.fromStack(stack);

  test('creates an encrypted, IAM-auth, backed-up primary with a SNAPSHOT policy', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        Engine: 'postgres',
        DBInstanceClass: 'db.r6g.large',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 7,
        // CreateDBInstance, RDS for PostgreSQL: postgresql | upgrade | iam-db-auth-error
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade', 'iam-db-auth-error'],
        EnablePerformanceInsights: true,
        DatabaseInsightsMode: 'standard',
        MultiAZ: true,
        DeletionProtection: true,
        MonitoringInterval: 60,
        MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersMonitoringRole'), 'Arn'] },
        DBName: 'app',
      }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('replicas are deletion-protected and monitored with the primary\'s Enhanced Monitoring role', () => {
    const replicas = template.findResources('AWS::RDS::DBInstance', { Properties: { SourceDBInstanceIdentifier: Match.anyValue() } });
    for (const replica of Object.values<any>(replicas)) {
      expect(replica.Properties).toMatchObject({ DeletionProtection: true, MonitoringInterval: 60 });
      expect(replica.Properties.MonitoringRoleArn['Fn::GetAtt'][0]).toMatch(/^OrdersMonitoringRole/);
    }
    // one role for the whole database, with the managed policy RDS requires
    template.resourcePropertiesCountIs('AWS::IAM::Role', MONITORING_ROLE, 1);
  });

  test('creates two IAM-auth replicas of the primary (encryption inherited) sharing its TLS-forcing parameter group', () => {
    const replicas = template.findResources('AWS::RDS::DBInstance', { Properties: { SourceDBInstanceIdentifier: Match.anyValue() } });
    expect(Object.keys(replicas)).toHaveLength(2);
    for (const replica of Object.values<any>(replicas)) {
      expect(replica.Properties).toMatchObject({ EnableIAMDatabaseAuthentication: true });
      expect(replica.Properties.StorageEncrypted).toBeUndefined();
      expect(replica.Properties.DBParameterGroupName).toEqual({ Ref: expect.stringMatching(/^OrdersParameterGroup/) });
    }
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('acknowledges on replicas the findings of inherited encryption, no standby and no own backups', () => {
    const ids = acknowledgementsOn(db.readReplicas[0]).map((a) => a.id);
    for (const id of ['AwsSolutions::AwsSolutions-RDS2', 'NIST.800.53.R5::NIST.800.53.R5-RDSStorageEncrypted', 'AwsSolutions::AwsSolutions-RDS3', 'HIPAA.Security::HIPAA.Security-RDSInBackupPlan']) {
      expect(ids).toContain(id);
    }
  });

  test('exposes the instance and its replicas', () => {
    expect(db.instance).toBeDefined();
    expect(db.cluster).toBeUndefined();
    expect(db.readReplicas).toHaveLength(2);
  });
});

describe('Enhanced Monitoring and deletion protection', () => {
  test('an Aurora cluster is deletion-protected and monitored every 60 s by default', () => {
    const { stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
    // aws-cdk-lib sets Enhanced Monitoring on each instance of the cluster
    template.allResourcesProperties('AWS::RDS::DBInstance', { MonitoringInterval: 60, MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersMonitoringRole'), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Role', {
      ...MONITORING_ROLE,
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole']] }],
    });
  });

  test('monitoringInterval 0 turns Enhanced Monitoring off and creates no role; deletionProtection false is honoured', () => {
    const { stack } = newDatabase({
      source: DatabaseSource.rdsInstance({
        engine: DatabaseEngineFamily.POSTGRES, monitoringInterval: Duration.seconds(0), deletionProtection: false, multiAz: false,
      }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DeletionProtection: false, MultiAZ: false, MonitoringInterval: Match.absent() });
    template.resourcePropertiesCountIs('AWS::IAM::Role', MONITORING_ROLE, 0);
  });

  test.each([2, 90])('monitoringInterval %d s is rejected with the values RDS accepts', (seconds) => {
    const source = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, monitoringInterval: Duration.seconds(seconds) });
    expect(() => newDatabase({ source })).toThrow(`monitoringInterval must be one of 0, 1, 5, 10, 15, 30, 60 seconds, got ${seconds}`);
  });
});

describe('RDS MySQL instance', () => {
  // GIVEN / WHEN an RDS MySQL source with a read replica
  const { stack, db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, readReplicas: 1 }) });
  const template = Template.fromStack(stack);

  test('forces TLS with require_secure_transport=1, the value RDS documents for the DB parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mysql8.4', Parameters: { require_secure_transport: '1' } });
  });

  test('the default exports acknowledge Control Tower\'s older log-type list on the primary, chosen exports do not', () => {
    const ids = acknowledgementsOn(db.instance!).map((a) => a.id);
    expect(ids).toContain('cdk-validator-cfnguard::rds_instance_logging_enabled_check');
    const chosen = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, cloudwatchLogsExports: ['error'] }) });
    expect(acknowledgementsOn(chosen.db.instance!).map((a) => a.id)).not.toContain('cdk-validator-cfnguard::rds_instance_logging_enabled_check');
  });

  test('the primary and the replica export every RDS for MySQL log type', () => {
    // CreateDBInstance, RDS for MySQL: audit | error | general | slowquery | iam-db-auth-error
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', {
      EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error'],
    });
  });
});

describe('existing sources', () => {
  test('an existing cluster creates no database, only a proxy targeting the cluster identifier', () => {
    // GIVEN an existing Aurora cluster imported by attributes
    const { stack, vpc } = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0123456789abcdef0');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf');
    // WHEN
    new DataAccessDatabase(stack, 'Orders', {
      vpc,
      source: DatabaseSource.existingCluster({
        engine: DatabaseEngineFamily.POSTGRES,
        clusterIdentifier: 'orders',
        clusterResourceIdentifier: 'cluster-ABC',
        clusterEndpointAddress: 'orders.cluster-xyz.eu-west-1.rds.amazonaws.com',
        readerEndpointAddress: 'orders.cluster-ro-xyz.eu-west-1.rds.amazonaws.com',
        securityGroups: [sg],
        secret,
        readers: 1,
        maxConnections: 1000,
      }),
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBCluster', 0);
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBClusterIdentifiers: ['orders'] });
    template.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'POSTGRESQL' });
  });

  test('an existing instance creates a proxy targeting the instance identifier and reads its replicas directly', () => {
    // GIVEN an existing RDS MySQL instance with one replica
    const { stack, vpc } = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0123456789abcdef0');
    const replicaSg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ReplicaSg', 'sg-0456789abcdef0123');
    // WHEN
    const db = new DataAccessDatabase(stack, 'Orders', {
      vpc,
      source: DatabaseSource.existingInstance({
        engine: DatabaseEngineFamily.MYSQL,
        instanceIdentifier: 'orders',
        instanceResourceId: 'db-PRIMARY',
        instanceEndpointAddress: 'orders.abc.eu-west-1.rds.amazonaws.com',
        securityGroups: [sg],
        maxConnections: 1365,
        readReplicas: [{
          instanceIdentifier: 'orders-r1',
          instanceResourceId: 'db-REPLICA1',
          instanceEndpointAddress: 'orders-r1.abc.eu-west-1.rds.amazonaws.com',
          securityGroups: [replicaSg],
          maxConnections: 1365,
        }],
      }),
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBInstanceIdentifiers: ['orders'] });
    template.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'MYSQL' });
    expect(db.port).toBe(3306);
    expect(db.readReplicas).toHaveLength(1);
    expect(db.readTargets.map((t) => t.capacity)).toEqual([Math.floor(0.9 * 1365)]);
  });
});

describe('Aurora MySQL long-term support (LTS) versions', () => {
  const instances = (template: Template) => Object.values<any>(template.findResources('AWS::RDS::DBInstance')).map((r) => r.Properties.AutoMinorVersionUpgrade);

  test('the default Aurora MySQL 3.10.4 (LTS) turns automatic minor version upgrades off on the cluster and every instance', () => {
    const { stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, readers: 1 }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBCluster', { EngineVersion: '8.0.mysql_aurora.3.10.4', AutoMinorVersionUpgrade: false });
    expect(instances(template)).toEqual([false, false]);
  });

  test('3.04 is LTS too; a non-LTS version and PostgreSQL keep AWS\'s default (unset, on); an explicit choice wins', () => {
    const lts304 = rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_04_3 });
    const nonLts = rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 });
    const cluster = (source: DatabaseSource) => Template.fromStack(newDatabase({ source }).stack).findResources('AWS::RDS::DBCluster');
    const flag = (resources: any) => Object.values<any>(resources)[0].Properties.AutoMinorVersionUpgrade;
    expect(flag(cluster(DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, engineVersion: lts304 })))).toBe(false);
    expect(flag(cluster(DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, engineVersion: nonLts })))).toBeUndefined();
    expect(flag(cluster(DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES })))).toBeUndefined();
    expect(flag(cluster(DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, autoMinorVersionUpgrade: true })))).toBe(true);
  });
});

describe('Aurora Serverless v2 above 128 ACU', () => {
  const mysql = (version: rds.AuroraMysqlEngineVersion, maxCapacity: number) =>
    DatabaseSource.auroraServerlessV2({
      engine: DatabaseEngineFamily.MYSQL, maxCapacity, engineVersion: rds.DatabaseClusterEngine.auroraMysql({ version }),
    });
  const postgres = (version: rds.AuroraPostgresEngineVersion, maxCapacity: number) =>
    DatabaseSource.auroraServerlessV2({
      engine: DatabaseEngineFamily.POSTGRES, maxCapacity, engineVersion: rds.DatabaseClusterEngine.auroraPostgres({ version }),
    });

  test('an engine version that stops at 128 ACU refuses 128.5; 128 passes', () => {
    expect(() => newDatabase({ source: mysql(rds.AuroraMysqlEngineVersion.VER_3_05_2, 128.5) })).toThrow(
      'maxCapacity must be at most 128 ACU on Aurora MySQL 3.05.2, got 128.5: 256 ACU needs Aurora MySQL 3.06 or Aurora PostgreSQL 13.13, 14.10, 15.5, 16.1 or higher');
    expect(() => newDatabase({ source: mysql(rds.AuroraMysqlEngineVersion.VER_3_05_2, 128) })).not.toThrow();
    expect(() => newDatabase({ source: postgres(rds.AuroraPostgresEngineVersion.VER_13_12, 256) })).toThrow(
      'maxCapacity must be at most 128 ACU on Aurora PostgreSQL 13.12, got 256');
  });

  test('the first versions with 256 ACU, and the defaults, accept 256', () => {
    expect(() => newDatabase({ source: mysql(rds.AuroraMysqlEngineVersion.VER_3_06_0, 256) })).not.toThrow();
    expect(() => newDatabase({ source: postgres(rds.AuroraPostgresEngineVersion.VER_13_13, 256) })).not.toThrow();
    expect(() => newDatabase({ source: postgres(rds.AuroraPostgresEngineVersion.VER_16_1, 256) })).not.toThrow();
    const postgresDefault = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, maxCapacity: 256 });
    expect(() => newDatabase({ source: postgresDefault })).not.toThrow();
    expect(() => newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, maxCapacity: 256 }) })).not.toThrow();
  });
});
