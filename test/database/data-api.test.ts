import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { newDatabase, newFunction, newStack, render } from './fixtures';
import { ConcurrencyBudget } from '../../src/budget/concurrency-budget';
import { ConnectionLedger } from '../../src/budget/connection-ledger';
import { DataAccessDatabase, DATA_API_ACTIONS, DatabaseEngineFamily, DatabaseSource, ExistingClusterAttributes } from '../../src/database';

const auroraPostgresWithDataApi = () => DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, enableDataApi: true });
const CLUSTER_ARN = /^arn:\$\{AWS::Partition\}:rds:eu-west-1:111122223333:cluster:\$\{OrdersCluster[0-9A-F]+\}$/;

/** Statements of every IAM policy attached to a role whose logical id starts with `rolePrefix`, resources rendered. */
function statementsOf(template: Template, rolePrefix: string): Array<{ actions: string[]; resources: string[] }> {
  const found: Array<{ actions: string[]; resources: string[] }> = [];
  for (const policy of Object.values<any>(template.findResources('AWS::IAM::Policy'))) {
    if (!(policy.Properties.Roles ?? []).some((r: any) => render(r).startsWith(`\${${rolePrefix}`))) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      found.push({ actions: [statement.Action].flat(), resources: [statement.Resource].flat().map(render) });
    }
  }
  return found;
}

function environmentOf(template: Template, logicalIdPrefix: string): { [key: string]: string } {
  const [, fn] = Object.entries<any>(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(logicalIdPrefix))!;
  return Object.fromEntries(Object.entries<any>(fn.Properties.Environment?.Variables ?? {}).map(([k, v]) => [k, render(v)]));
}

function existingCluster(stack: any, extra: Partial<ExistingClusterAttributes>): DatabaseSource {
  return DatabaseSource.existingCluster({
    engine: DatabaseEngineFamily.POSTGRES,
    clusterIdentifier: 'orders',
    clusterResourceIdentifier: 'cluster-ABC',
    clusterEndpointAddress: 'orders.cluster-xyz.eu-west-1.rds.amazonaws.com',
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')],
    maxConnections: 1000,
    ...extra,
  });
}

describe('enableDataApi', () => {
  test('enables the HTTP endpoint on an Aurora Serverless v2 cluster', () => {
    const { stack } = newDatabase({ source: auroraPostgresWithDataApi() });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { EnableHttpEndpoint: true });
  });

  test('enables the HTTP endpoint on a provisioned Aurora MySQL cluster', () => {
    const { stack } = newDatabase({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, enableDataApi: true }) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-mysql', EnableHttpEndpoint: true });
  });

  test('is off by default', () => {
    const { stack } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { EnableHttpEndpoint: Match.absent() });
  });
});

describe('grantDataApiRead on a Lambda function', () => {
  // GIVEN an Aurora cluster with the Data API and a function
  const { stack, vpc, db } = newDatabase({ source: auroraPostgresWithDataApi() });
  const fn = newFunction(stack, 'Reader', vpc);
  // WHEN
  const grant = db.grantDataApiRead(fn);
  const access = db.dataApiConnectionInfo();
  const template = Template.fromStack(stack);

  test('grants the five Data API actions on the cluster ARN only', () => {
    const statement = statementsOf(template, 'ReaderServiceRole').find((s) => s.actions.some((a) => a.startsWith('rds-data:')))!;
    expect(statement.actions.sort()).toEqual([...DATA_API_ACTIONS].sort());
    expect(statement.resources).toEqual([expect.stringMatching(CLUSTER_ARN)]);
  });

  test('grants GetSecretValue on the cluster secret the Data API logs in with', () => {
    const statement = statementsOf(template, 'ReaderServiceRole').find((s) => s.actions.includes('secretsmanager:GetSecretValue'))!;
    expect(statement.resources).toEqual([expect.stringMatching(/^\$\{OrdersClusterSecretAttachment[0-9A-F]+\}$/)]);
  });

  test('sets the Data API half of the environment contract', () => {
    expect(environmentOf(template, 'Reader')).toEqual({
      EDA_DATA_API_RESOURCE_ARN: expect.stringMatching(CLUSTER_ARN),
      EDA_DATA_API_SECRET_ARN: expect.stringMatching(/^\$\{OrdersClusterSecretAttachment[0-9A-F]+\}$/),
      EDA_DATABASE: 'app',
    });
  });

  test('opens no security group rule to the function (the Data API is reached over HTTPS, not the database port)', () => {
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReaderSecurityGroup'), 'GroupId'] } },
    });
    expect(Object.keys(ingress)).toHaveLength(0);
  });

  test('draws on the writer instance, outside the proxy pool (the Data API runs every statement on the writer)', () => {
    const draws = ConnectionLedger.of(stack).draws.filter((d) => d.consumer === fn);
    expect(draws).toHaveLength(1);
    // Serverless v2 PostgreSQL, max 16 ACU, min 0.5 → 2,000; the proxy pool takes floor(90 % × 2,000) = 1,800
    expect(draws[0]).toMatchObject({ connectionsPerEnvironment: 1, target: { name: 'Stack/Orders/Writer instance (Data API)', kind: 'direct', capacity: 200 } });
  });

  test('returns an iam.Grant, and dataApiConnectionInfo the same values as the environment', () => {
    expect(access.environment).toEqual({
      EDA_DATA_API_RESOURCE_ARN: access.resourceArn,
      EDA_DATA_API_SECRET_ARN: access.secretArn,
      EDA_DATABASE: 'app',
    });
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
  });
});

describe('grantDataApiRead with options', () => {
  test('a given secret and database are granted and set instead of the master secret', () => {
    // GIVEN a read-only user's secret
    const { stack, vpc, db } = newDatabase({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, enableDataApi: true }) });
    const readOnly = new secretsmanager.Secret(stack, 'ReadOnlySecret');
    const fn = newFunction(stack, 'Reader', vpc);
    // WHEN
    db.grantDataApiRead(fn, { secret: readOnly, databaseName: 'reporting' });
    // THEN
    const template = Template.fromStack(stack);
    const statements = statementsOf(template, 'ReaderServiceRole');
    const secretResources = statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.resources);
    expect(secretResources).toEqual([expect.stringMatching(/^\$\{ReadOnlySecret[0-9A-F]+\}$/)]);
    const dataApi = statements.find((s) => s.actions.includes('rds-data:ExecuteStatement'))!;
    expect(dataApi.resources).toEqual([expect.stringMatching(CLUSTER_ARN)]);
    expect(environmentOf(template, 'Reader')).toMatchObject({ EDA_DATA_API_SECRET_ARN: expect.stringMatching(/^\$\{ReadOnlySecret/), EDA_DATABASE: 'reporting' });
  });

  test('a non-Lambda grantee gets the permissions and the environment map, nothing is set on it', () => {
    const { stack, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    const role = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantDataApiRead(role, { declaredConcurrency: 2 });
    const access = db.dataApiConnectionInfo({ declaredConcurrency: 2 });
    expect(Object.keys(access.environment).sort()).toEqual(['EDA_DATABASE', 'EDA_DATA_API_RESOURCE_ARN', 'EDA_DATA_API_SECRET_ARN']);
    const actions = statementsOf(Template.fromStack(stack), 'TaskRole').flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(['rds-data:ExecuteStatement', 'secretsmanager:GetSecretValue']));
  });

  test('an ECS service grantee: its task role gets the Data API, its default container the environment, its declared concurrency is drawn', () => {
    // GIVEN a Fargate service (no VPC is needed for the Data API, but a service has one anyway)
    const { stack, vpc, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'ReportTask');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24') });
    const service = new ecs.FargateService(stack, 'Report', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition });
    // WHEN
    const grant = db.grantDataApiRead(service, { declaredConcurrency: 3 });
    // THEN
    const template = Template.fromStack(stack);
    expect(grant.success).toBe(true);
    const actions = statementsOf(template, 'ReportTaskTaskRole').flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(['rds-data:ExecuteStatement', 'secretsmanager:GetSecretValue']));
    const [task] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
    expect(task.Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name).sort()).toEqual(['EDA_DATABASE', 'EDA_DATA_API_RESOURCE_ARN', 'EDA_DATA_API_SECRET_ARN']);
    const draw = ConnectionLedger.of(stack).draws.find((d) => d.consumer === service)!;
    expect([draw.target.name, draw.declaredConcurrency, draw.concurrencyLever]).toEqual(['Stack/Orders/Writer instance (Data API)', 3, 'the maximum task count (declaredConcurrency)']);
  });

  test('an existing cluster declared with the Data API and a secret can be granted', () => {
    const { stack, vpc } = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf');
    const db = new DataAccessDatabase(stack, 'Orders', { vpc, source: existingCluster(stack, { secret, dataApiEnabled: true }) });
    db.grantDataApiRead(newFunction(stack, 'Reader', vpc));
    const access = db.dataApiConnectionInfo();
    expect(access.secretArn).toBe('arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf');
    expect(render(stack.resolve(access.resourceArn))).toBe('arn:${AWS::Partition}:rds:eu-west-1:111122223333:cluster:orders');
  });

  test('a grantRead and a Data API grant on one function agree on EDA_DATABASE', () => {
    const { stack, vpc, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    const fn = newFunction(stack, 'Reader', vpc);
    db.grantRead(fn);
    expect(() => db.grantDataApiRead(fn, { databaseName: 'reporting' })).toThrow(
      'databaseName of Stack/Reader must match its earlier grant (EDA_DATABASE=app), got reporting: grant both paths with the same user, connectionsPerEnvironment, statementTimeout and database name');
  });
});

describe('grantDataApiRead validation', () => {
  test('an RDS instance source fails', () => {
    const { stack, vpc, db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: DatabaseEngineFamily.POSTGRES }) });
    expect(() => db.grantDataApiRead(newFunction(stack, 'Reader', vpc))).toThrow(
      'grantDataApiRead requires an Aurora source: the RDS Data API exists for Aurora clusters only, but Stack/Orders is an RDS instance');
  });

  test('an Aurora source without enableDataApi fails', () => {
    const { stack, vpc, db } = newDatabase({ source: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES }) });
    expect(() => db.grantDataApiRead(newFunction(stack, 'Reader', vpc))).toThrow(
      'grantDataApiRead requires the Data API: set enableDataApi: true on the Aurora source (dataApiEnabled: true for an existing cluster), got false');
  });

  test('an existing cluster without a secret fails', () => {
    const { stack, vpc } = newStack();
    const db = new DataAccessDatabase(stack, 'Orders', { vpc, source: existingCluster(stack, { dataApiEnabled: true }) });
    expect(() => db.grantDataApiRead(newFunction(stack, 'Reader', vpc))).toThrow(
      "grantDataApiRead needs a secret the Data API logs in with: pass options.secret, or secret in the existing cluster's attributes");
  });
});

describe('grantDataApiRead and the concurrency budget', () => {
  test('Data API consumers over what the proxy pool leaves on the writer fail synth', () => {
    // GIVEN 200 writer connections outside the pool (2,000 − 1,800) and a report function reserving 150 × 2
    const { app, stack, vpc, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    db.grantDataApiRead(newFunction(stack, 'Report', vpc, 150), { connectionsPerEnvironment: 2 });
    // WHEN / THEN the writer is over budget although no function opens a database connection itself
    expect(() => app.synth()).toThrow(
      'ConcurrencyBudget: Stack/Orders/Writer instance (Data API) is over budget: Σ concurrency × connections per environment = 300 exceeds its capacity of 200');
  });

  test('Data API consumers within the writer connections the pool leaves synthesize, and the report lists them', () => {
    const { app, stack, vpc, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    db.grantDataApiRead(newFunction(stack, 'Report', vpc, 100), { connectionsPerEnvironment: 2 });
    app.synth();
    const report = JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack));
    expect(report.targets).toEqual([expect.objectContaining({
      name: 'Stack/Orders/Writer instance (Data API)',
      capacity: 200,
      demand: 200,
      status: 'warning',
      consumers: [expect.objectContaining({ path: 'Stack/Report', concurrency: 100, connectionsPerEnvironment: 2, connections: 200 })],
    })]);
  });

  test('a non-Lambda grantee declares its concurrency', () => {
    const { app, stack, db } = newDatabase({ source: auroraPostgresWithDataApi() });
    const role = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantDataApiRead(role, { declaredConcurrency: 4 });
    app.synth();
    const report = JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack));
    expect(report.targets[0].consumers).toEqual([expect.objectContaining({ path: 'Stack/TaskRole', concurrency: 4, concurrencySource: 'declared' })]);
  });
});

describe('enableDataApi on a T instance class writer', () => {
  test('fails: the Data API is not supported on T DB instance classes', () => {
    const source = DatabaseSource.auroraProvisioned({
      engine: DatabaseEngineFamily.MYSQL, enableDataApi: true, instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    });
    expect(() => newDatabase({ source })).toThrow(
      "enableDataApi requires a writer instance class other than T (the Data API isn't supported on T DB instance classes), got db.t4g.medium");
  });

  test('a T class writer without the Data API and an R class writer with it are accepted', () => {
    const t4g = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM);
    expect(() => newDatabase({ source: DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, instanceType: t4g }) })).not.toThrow();
    const r6g = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
    const withDataApi = DatabaseSource.auroraProvisioned({ engine: DatabaseEngineFamily.MYSQL, enableDataApi: true, instanceType: r6g });
    expect(() => newDatabase({ source: withDataApi })).not.toThrow();
  });
});
