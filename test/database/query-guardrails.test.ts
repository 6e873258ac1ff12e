import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { newDatabase, newStack } from './fixtures';
import { AURORA_MYSQL_INSTANCE_LEVEL_PARAMETERS, DataAccessDatabase, DatabaseEngineFamily, DatabaseSource, guardrailParameters } from '../../src/database';

const POSTGRES_DEFAULTS = {
  'statement_timeout': '30000',
  'idle_in_transaction_session_timeout': '60000',
  'log_min_duration_statement': '1000',
  'pg_stat_statements.track': 'all',
  'rds.force_ssl': '1',
};

const MYSQL_INSTANCE_DEFAULTS = {
  max_execution_time: '30000',
  slow_query_log: '1',
  long_query_time: '1',
  log_output: 'FILE',
  wait_timeout: '28800',
  interactive_timeout: '28800',
  performance_schema: '1',
};

const mysqlRdsSource = (extra = {}) => DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.MYSQL, ...extra });
const postgresRdsSource = (extra = {}) => DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES, ...extra });

describe('query guardrails by default', () => {
  test('Aurora Serverless v2 PostgreSQL: every guardrail is in the cluster parameter group, with TLS forced and no instance parameter group', () => {
    // GIVEN / WHEN an Aurora Serverless v2 PostgreSQL source with defaults
    const { stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql17', Parameters: Match.exact(POSTGRES_DEFAULTS) });
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 0);
  });

  test('Aurora provisioned PostgreSQL: the same cluster parameters, and the postgresql log (slow queries) is exported', () => {
    const { stack } = newDatabase({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.POSTGRES }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: POSTGRES_DEFAULTS });
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableCloudwatchLogsExports: ['instance', 'postgresql', 'iam-db-auth-error'] });
  });

  test('PostgreSQL leaves shared_preload_libraries to the engine default, which already preloads pg_stat_statements', () => {
    const { stack } = newDatabase({ source: postgresRdsSource() });
    const groups = Template.fromStack(stack).findResources('AWS::RDS::DBParameterGroup');
    for (const group of Object.values<any>(groups)) expect(group.Properties.Parameters).not.toHaveProperty('shared_preload_libraries');
  });

  test('RDS PostgreSQL: the guardrails are in the DB parameter group shared by the primary and its replicas', () => {
    const { stack } = newDatabase({ source: postgresRdsSource({ readReplicas: 1 }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres17', Parameters: Match.exact(POSTGRES_DEFAULTS) });
  });

  test('RDS MySQL: statement, slow-query, idle-session and performance_schema parameters with TLS forced, and the slowquery log exported', () => {
    const { stack } = newDatabase({ source: mysqlRdsSource() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.4',
      Parameters: Match.exact({ ...MYSQL_INSTANCE_DEFAULTS, require_secure_transport: '1' }),
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: Match.arrayWith(['slowquery']) });
  });

  describe('Aurora Serverless v2 MySQL', () => {
    // GIVEN an Aurora MySQL Serverless v2 source with two readers
    const { stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, readers: 2 }) });
    const template = Template.fromStack(stack);

    test('keeps only the cluster-level TLS parameter in the cluster parameter group', () => {
      template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-mysql8.0', Parameters: Match.exact({ require_secure_transport: 'ON' }) });
    });

    test('puts the instance-level guardrails in one DB parameter group', () => {
      template.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
      template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'aurora-mysql8.0', Parameters: Match.exact(MYSQL_INSTANCE_DEFAULTS) });
    });

    test('attaches that DB parameter group to the writer and every reader', () => {
      const instances = Object.values<any>(template.findResources('AWS::RDS::DBInstance'));
      expect(instances).toHaveLength(3);
      for (const instance of instances) {
        expect(instance.Properties.DBParameterGroupName).toEqual({ Ref: expect.stringMatching(/^OrdersInstanceParameterGroup/) });
      }
    });
  });

  test('Aurora provisioned MySQL: the writer and readers share the instance-level guardrails', () => {
    const { stack } = newDatabase({
      source: DatabaseSource.auroraProvisioned({
        engine: DatabaseEngineFamily.MYSQL,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE),
      }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: MYSQL_INSTANCE_DEFAULTS });
    template.allResourcesProperties('AWS::RDS::DBInstance', { DBParameterGroupName: { Ref: Match.stringLikeRegexp('^OrdersInstanceParameterGroup') } });
  });

  test('an existing cluster gets no parameter groups (its parameters are not ours to change)', () => {
    const { stack, vpc } = newStack();
    new DataAccessDatabase(stack, 'Orders', {
      vpc,
      source: DatabaseSource.existingCluster({
        engine: DatabaseEngineFamily.MYSQL,
        clusterIdentifier: 'orders',
        clusterResourceIdentifier: 'cluster-ABC',
        clusterEndpointAddress: 'orders.cluster-xyz.eu-west-1.rds.amazonaws.com',
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')],
        secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf'),
        maxConnections: 1000,
      }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBClusterParameterGroup', 0);
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 0);
  });
});

describe('configured query guardrails', () => {
  test('PostgreSQL takes the configured durations in milliseconds', () => {
    const { stack } = newDatabase({
      source: postgresRdsSource({
        queryGuardrails: {
          statementTimeout: Duration.seconds(10),
          idleInTransactionTimeout: Duration.seconds(15),
          slowQueryThreshold: Duration.millis(250),
        },
      }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ statement_timeout: '10000', idle_in_transaction_session_timeout: '15000', log_min_duration_statement: '250' }),
    });
  });

  test('MySQL takes long_query_time in seconds (fractions allowed) and the idle-session timeout in seconds', () => {
    const { stack } = newDatabase({
      source: mysqlRdsSource({
        queryGuardrails: { statementTimeout: Duration.seconds(5), slowQueryThreshold: Duration.millis(250), idleSessionTimeout: Duration.minutes(5) },
      }),
      proxy: { idleClientTimeout: Duration.minutes(4) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ max_execution_time: '5000', long_query_time: '0.25', wait_timeout: '300', interactive_timeout: '300' }),
    });
  });

  test('enabled: false writes only the TLS-forcing parameter', () => {
    const { stack } = newDatabase({ source: postgresRdsSource({ queryGuardrails: { enabled: false } }) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.exact({ 'rds.force_ssl': '1' }) });
  });

  test('enabled: false on Aurora MySQL creates no instance parameter group', () => {
    const source = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, queryGuardrails: { enabled: false } });
    const { stack } = newDatabase({ source });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBParameterGroup', 0);
  });

  test('parameters override a guardrail but never the TLS-forcing parameter', () => {
    const { stack } = newDatabase({ source: postgresRdsSource({ parameters: { 'statement_timeout': '0', 'rds.force_ssl': '0' } }) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ 'statement_timeout': '0', 'rds.force_ssl': '1', 'log_min_duration_statement': '1000' }),
    });
  });

  test('on Aurora MySQL an overriding instance-level parameter lands in the instance parameter group, others in the cluster group', () => {
    const { stack } = newDatabase({
      source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, parameters: { long_query_time: '5', character_set_server: 'utf8mb4' } }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.exact({ ...MYSQL_INSTANCE_DEFAULTS, long_query_time: '5' }) });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.exact({ require_secure_transport: 'ON', character_set_server: 'utf8mb4' }) });
  });

  test('shared_preload_libraries without pg_stat_statements is warned about', () => {
    const { stack } = newDatabase({ source: postgresRdsSource({ parameters: { shared_preload_libraries: 'pg_cron' } }) });
    Annotations.fromStack(stack).hasWarning('/Stack/Orders', Match.stringLikeRegexp(
      "parameters.shared_preload_libraries is 'pg_cron' without pg_stat_statements: query statistics \\(pg_stat_statements.track\\) will not be collected"));
  });

  test('shared_preload_libraries listing pg_stat_statements is not warned about', () => {
    const { stack } = newDatabase({ source: postgresRdsSource({ parameters: { shared_preload_libraries: 'pg_stat_statements, pg_cron' } }) });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Orders', Match.stringLikeRegexp('pg_stat_statements'));
  });

  test('the Aurora MySQL instance-level list covers every MySQL guardrail parameter', () => {
    expect(Object.keys(guardrailParameters(DatabaseEngineFamily.MYSQL)).sort()).toEqual([...AURORA_MYSQL_INSTANCE_LEVEL_PARAMETERS].sort());
  });
});

describe('query guardrail validation', () => {
  test('a statementTimeout of 0 fails (0 would disable the timeout)', () => {
    expect(() => newDatabase({ source: postgresRdsSource({ queryGuardrails: { statementTimeout: Duration.millis(0) } }) })).toThrow(
      'queryGuardrails.statementTimeout (ms) must be between 1 and 2147483647, got 0');
  });

  test('an idleInTransactionTimeout above the 32-bit millisecond limit fails', () => {
    expect(() => newDatabase({ source: postgresRdsSource({ queryGuardrails: { idleInTransactionTimeout: Duration.days(25) } }) })).toThrow(
      'queryGuardrails.idleInTransactionTimeout (ms) must be between 1 and 2147483647, got 2160000000');
  });

  test('a slowQueryThreshold above the 32-bit millisecond limit fails', () => {
    expect(() => newDatabase({ source: mysqlRdsSource({ queryGuardrails: { slowQueryThreshold: Duration.days(25) } }) })).toThrow(
      'queryGuardrails.slowQueryThreshold (ms) must be between 0 and 2147483647, got 2160000000');
  });

  test('an idleSessionTimeout above MySQL\'s one-year wait_timeout limit fails', () => {
    expect(() => newDatabase({ source: mysqlRdsSource({ queryGuardrails: { idleSessionTimeout: Duration.days(366) } }) })).toThrow(
      'queryGuardrails.idleSessionTimeout (seconds) must be between 1 and 31536000, got 31622400');
  });

  test('an idleSessionTimeout below one second fails', () => {
    expect(() => newDatabase({ source: mysqlRdsSource({ queryGuardrails: { idleSessionTimeout: Duration.millis(500) } }) })).toThrow(
      'queryGuardrails.idleSessionTimeout (seconds) must be between 1 and 31536000, got 0.5');
  });

  test('guardrails on Aurora are validated too', () => {
    expect(() => newDatabase({
      source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, queryGuardrails: { statementTimeout: Duration.millis(0) } }),
    })).toThrow('queryGuardrails.statementTimeout (ms) must be between 1 and 2147483647, got 0');
  });
});

describe('MySQL idle-session timeout against the proxy idle client timeout', () => {
  test('the default wait_timeout (8 h) outlasts the proxy\'s default and its longest idle client timeout', () => {
    expect(() => newDatabase({ source: mysqlRdsSource() })).not.toThrow();
    expect(() => newDatabase({ source: mysqlRdsSource(), proxy: { idleClientTimeout: Duration.seconds(28800 - 1) } })).not.toThrow();
  });

  test('an idle-session timeout equal to the proxy\'s idle client timeout fails (the old 30 min default did exactly that)', () => {
    expect(() => newDatabase({ source: mysqlRdsSource({ queryGuardrails: { idleSessionTimeout: Duration.minutes(30) } }) })).toThrow(
      "queryGuardrails.idleSessionTimeout (MySQL wait_timeout/interactive_timeout 1800 s) must be longer than the proxy's idleClientTimeout (1800 s): " +
      'the database would close sessions the proxy still holds');
  });

  test('a wait_timeout set through parameters counts too, on Aurora MySQL as on RDS', () => {
    const source = DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.MYSQL, parameters: { wait_timeout: '600' } });
    expect(() => newDatabase({ source })).toThrow(
      "queryGuardrails.idleSessionTimeout (MySQL wait_timeout/interactive_timeout 600 s) must be longer than the proxy's idleClientTimeout (1800 s)");
    expect(() => newDatabase({ source, proxy: { idleClientTimeout: Duration.seconds(599) } })).not.toThrow();
  });

  test('PostgreSQL has no such parameter and is not checked', () => {
    expect(() => newDatabase({ source: postgresRdsSource(), proxy: { idleClientTimeout: Duration.hours(8) } })).not.toThrow();
  });
});
