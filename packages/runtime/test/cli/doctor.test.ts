import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DBProxyTarget, DescribeDBProxiesCommand, DescribeDBProxyTargetGroupsCommand, DescribeDBProxyTargetsCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Construct } from 'constructs';
import { assemblyWithReport, eda, reportAccount, reportTarget } from './cli-fixture';
import { ConcurrencyBudget, ConnectionLedger, ConnectionTargetKind } from '../../../../src/budget';
import { proxyWriterTarget } from '../../../../src/database/connection-targets';
import { assumedMaxConnectionsPercent, findBudgetReport, readBudgetReport } from '../../src/cli/doctor/budget-report';

const rds = mockClient(RDSClient);
const lambdaApi = mockClient(LambdaClient);

/*
 * What DescribeDBProxyTargets returns for a proxy in front of an Aurora cluster: the cluster itself as a
 * TRACKED_CLUSTER target (Port 0, no endpoint, no TargetHealth — as in AWS's example in
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-managing.html) and one
 * RDS_INSTANCE target per DB instance, each with its role and health.
 */
const trackedCluster: DBProxyTarget = {
  TargetArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:orders',
  RdsResourceId: 'orders',
  Port: 0,
  Type: 'TRACKED_CLUSTER',
};
const healthyWriter: DBProxyTarget = {
  TargetArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders-writer',
  Endpoint: 'orders-writer.abc.eu-west-1.rds.amazonaws.com',
  TrackedClusterId: 'orders',
  RdsResourceId: 'orders-writer',
  Port: 5432,
  Type: 'RDS_INSTANCE',
  Role: 'READ_WRITE',
  TargetHealth: { State: 'AVAILABLE' },
};
const healthyReader: DBProxyTarget = {
  TargetArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders-reader-1',
  Endpoint: 'orders-reader-1.abc.eu-west-1.rds.amazonaws.com',
  TrackedClusterId: 'orders',
  RdsResourceId: 'orders-reader-1',
  Port: 5432,
  Type: 'RDS_INSTANCE',
  Role: 'READ_ONLY',
  TargetHealth: { State: 'AVAILABLE' },
};
const auroraTargets = [trackedCluster, healthyWriter, healthyReader];

function deployedProxy(options: { status?: string; maxConnectionsPercent?: number; targets?: DBProxyTarget[] } = {}) {
  rds.on(DescribeDBProxiesCommand, { DBProxyName: 'orders-proxy' }).resolves({
    DBProxies: [{
      DBProxyName: 'orders-proxy',
      Status: (options.status ?? 'available') as any,
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      IdleClientTimeout: 1800,
      Endpoint: 'orders-proxy.proxy-abc.eu-west-1.rds.amazonaws.com',
      VpcId: 'vpc-1',
    }],
  });
  rds.on(DescribeDBProxyTargetGroupsCommand).resolves({
    TargetGroups: [{
      TargetGroupName: 'default',
      IsDefault: true,
      Status: 'available',
      ConnectionPoolConfig: {
        MaxConnectionsPercent: options.maxConnectionsPercent ?? 100,
        MaxIdleConnectionsPercent: 50,
        ConnectionBorrowTimeout: 120,
        SessionPinningFilters: [],
      },
    }],
  });
  rds.on(DescribeDBProxyTargetsCommand).resolves({ Targets: options.targets ?? auroraTargets });
}

/** The code-size limits GetAccountSettings returns next to the concurrency limits (defaults of an account). */
const CODE_SIZE_LIMITS = { TotalCodeSize: 80530636800, CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800 };

/** GetAccountSettings of an account whose functions reserve `reserved` of `limit`. */
function accountLimits(limit: number, reserved: number) {
  lambdaApi.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: limit - reserved, ...CODE_SIZE_LIMITS },
    AccountUsage: { TotalCodeSize: 1048576, FunctionCount: 4 },
  });
}

beforeEach(() => {
  rds.reset();
  lambdaApi.reset();
  // an established account: the default limit of 1,000, the 300 of the fixture report reserved
  accountLimits(1000, 300);
});

describe('eda doctor', () => {
  test('describes a healthy Aurora proxy, its pool and its targets, and exits 0', async () => {
    deployedProxy();

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Proxy orders-proxy (POSTGRESQL): available, TLS required, idle client timeout 1800 s');
    expect(result.stdout).toContain('pool: MaxConnectionsPercent 100 %, MaxIdleConnectionsPercent 50 %, ConnectionBorrowTimeout 120 s');
    expect(result.stdout).toContain('  tracked cluster orders: health is reported per DB instance target\n');
    expect(result.stdout).toContain('target orders-writer.abc.eu-west-1.rds.amazonaws.com:5432 RDS_INSTANCE READ_WRITE: AVAILABLE');
    expect(result.stdout).toContain('target orders-reader-1.abc.eu-west-1.rds.amazonaws.com:5432 RDS_INSTANCE READ_ONLY: AVAILABLE');
    expect(result.stdout).not.toContain('PROBLEM');
    expect(result.stdout).toContain('Healthy (0 warning(s))');
  });

  test('a tracked cluster whose instances are all available is healthy even with a TargetHealth of its own', async () => {
    // register-db-proxy-targets answers with REGISTERING on the tracked cluster too (AWS CLI example)
    deployedProxy({ targets: [{ ...trackedCluster, TargetHealth: { State: 'REGISTERING' } }, healthyWriter] });

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Healthy (0 warning(s))');
  });

  test('a proxy that tracks a cluster without any instance target is a problem', async () => {
    deployedProxy({ targets: [trackedCluster] });

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toEqual([
      { severity: 'problem', message: 'proxy orders-proxy tracks orders but has no DB instance targets to connect to' },
    ]);
  });

  test('asks for the targets of each target group of the named proxy', async () => {
    deployedProxy();

    await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(rds.commandCalls(DescribeDBProxyTargetsCommand)[0].args[0].input).toEqual({ DBProxyName: 'orders-proxy', TargetGroupName: 'default', Marker: undefined });
  });

  test('reports an unavailable target with its reason and description, and exits 1', async () => {
    deployedProxy({
      targets: [trackedCluster, healthyWriter, {
        TrackedClusterId: 'orders',
        RdsResourceId: 'orders-reader-1',
        Endpoint: 'orders-reader-1.abc.eu-west-1.rds.amazonaws.com',
        Port: 5432,
        Role: 'READ_ONLY',
        Type: 'RDS_INSTANCE',
        TargetHealth: { State: 'UNAVAILABLE', Reason: 'AUTH_FAILURE', Description: 'Proxy does not have any registered credentials' },
      }],
    });

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PROBLEM target orders-reader-1.abc.eu-west-1.rds.amazonaws.com (READ_ONLY) is UNAVAILABLE — AUTH_FAILURE: Proxy does not have any registered credentials');
  });

  test('reports a proxy that is not available', async () => {
    deployedProxy({ status: 'modifying' });

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('proxy orders-proxy is modifying, not available');
  });

  test('reports a proxy without registered targets', async () => {
    deployedProxy({ targets: [] });

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('proxy orders-proxy has no registered targets');
  });

  test('an unknown proxy is a clear error with exit code 2', async () => {
    rds.on(DescribeDBProxiesCommand).rejects(Object.assign(new Error('DBProxy missing not found.'), { name: 'DBProxyNotFoundFault' }));

    const result = await eda(['doctor', '--proxy', 'missing']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('eda doctor: proxy missing not found in this account and region (check --region and the proxy name)\n');
  });

  test('other AWS errors name the call that failed', async () => {
    rds.on(DescribeDBProxiesCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));

    const result = await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DescribeDBProxies failed: AccessDenied: User is not authorized');
  });

  test('uses --region over AWS_REGION', async () => {
    deployedProxy();

    await eda(['doctor', '--proxy', 'orders-proxy', '--region', 'us-east-2']);

    expect(await rds.call(0).thisValue.config.region()).toBe('us-east-2');
  });

  test('--json prints the description and the findings as JSON', async () => {
    deployedProxy();

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--json']);

    const parsed = JSON.parse(result.stdout);
    expect(parsed.proxy.DBProxyName).toBe('orders-proxy');
    expect(parsed.targetGroups[0].targets.map((t: DBProxyTarget) => t.TargetHealth?.State)).toEqual([undefined, 'AVAILABLE', 'AVAILABLE']);
    expect(parsed.findings).toEqual([]);
  });
});

describe('eda doctor --assembly --stack', () => {
  test('confirms a pool deployed as budgeted', async () => {
    deployedProxy({ maxConnectionsPercent: 90 });
    const assembly = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 90, 900, 300)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OK      Orders/Proxy (writer): MaxConnectionsPercent 90 % as budgeted; demand 300 of capacity 900 (33 %)');
  });

  test('a deployed percent below the budget whose capacity no longer covers the demand is a problem', async () => {
    deployedProxy({ maxConnectionsPercent: 30 });
    const assembly = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 90, 900, 400)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PROBLEM Orders/Proxy (writer): deployed MaxConnectionsPercent 30 % is below the 90 % the budget assumed: capacity ≈ 300 instead of 900, demand 400 — consumers can exhaust the pool (borrow timeouts)');
  });

  test('a deployed percent below the budget that still covers the demand is a warning', async () => {
    deployedProxy({ maxConnectionsPercent: 50 });
    const assembly = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 100, 1000, 100)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARNING Orders/Proxy (writer): deployed MaxConnectionsPercent 50 % is below the 100 % the budget assumed: capacity ≈ 500 instead of 1000, demand 100');
  });

  test('a deployed percent above the budget is a warning to redeploy', async () => {
    deployedProxy({ maxConnectionsPercent: 100 });
    const assembly = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 50, 500, 100)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.stdout).toContain('WARNING Orders/Proxy (writer): deployed MaxConnectionsPercent 100 % is above the 50 % the budget assumed');
  });

  test('compares the read-only endpoint target as well', async () => {
    deployedProxy({ maxConnectionsPercent: 100 });
    const assembly = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 100, 1000, 100), reportTarget('Orders', 'read-only', 100, 2000, 50)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.stdout).toContain('OK      Orders/Proxy (read-only endpoint): MaxConnectionsPercent 100 % as budgeted; demand 50 of capacity 2000');
  });

  test('finds the report in a nested stage assembly', async () => {
    deployedProxy({ maxConnectionsPercent: 100 });
    const assembly = assemblyWithReport('ProdOrdersStack', [reportTarget('Orders', 'writer', 100, 1000, 100)], 'assembly-Prod');

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'ProdOrdersStack']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('assembly-Prod/ProdOrdersStack.concurrency-budget.json');
  });

  test('a report with several patterns needs --pattern', async () => {
    const assembly = assemblyWithReport('S', [reportTarget('Orders', 'writer', 100, 1000, 1), reportTarget('Billing', 'writer', 100, 1000, 1)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'S']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the budget report has proxy targets of 2 patterns (Orders, Billing): pass --pattern <name>');
  });

  test('--pattern selects the targets of one pattern', async () => {
    deployedProxy({ maxConnectionsPercent: 100 });
    const assembly = assemblyWithReport('S', [reportTarget('Orders', 'writer', 100, 1000, 1), reportTarget('Billing', 'writer', 100, 1000, 1)]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'S', '--pattern', 'Billing']);

    expect(result.stdout).toContain('Billing/Proxy (writer)');
    expect(result.stdout).not.toContain('Orders/Proxy (writer)');
  });

  test('a missing report fails with exit code 2 before any AWS call', async () => {
    const assembly = assemblyWithReport('Other', []);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`OrdersStack.concurrency-budget.json not found in ${assembly}`);
    expect(rds.calls()).toHaveLength(0);
  });

  test('--assembly without --stack is a usage error', async () => {
    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', 'cdk.out']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--assembly needs --stack <stack>');
  });

  test('reads the percent from the capacity explanation the budget writes for a proxy writer', () => {
    const target = proxyWriterTarget(new Construct(undefined as any, ''), 'Orders', { writerCapacity: { maxConnections: 1000, explanation: 'db.r6g.large' } } as any, 75);

    expect(assumedMaxConnectionsPercent({ ...target, demand: 0, headroom: 0, utilisationPercent: 0, status: 'ok' })).toBe(75);
  });
});

describe('eda doctor --stack: the account limits against the budget', () => {
  const writer = reportTarget('Orders', 'writer', 100, 1000, 100);
  async function doctorWithAccount(account: object | null) {
    deployedProxy();
    const assembly = assemblyWithReport('OrdersStack', [writer], undefined, account);
    return eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);
  }

  test('reads GetAccountSettings and confirms a limit and an unreserved pool as budgeted', async () => {
    const result = await doctorWithAccount(reportAccount(1000, 300));

    expect(lambdaApi.commandCalls(GetAccountSettingsCommand)).toHaveLength(1);
    expect(await lambdaApi.call(0).thisValue.config.region()).toBe('eu-west-1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Lambda account limits: ConcurrentExecutions 1000, UnreservedConcurrentExecutions 700\n');
    expect(result.stdout).toContain('OK      account concurrency limit 1000 ≥ the 1000 the budget assumed\n');
    expect(result.stdout).toContain('OK      700 concurrent executions unreserved (the budget keeps at least 100)\n');
  });

  test('a new account whose limit cannot hold the budgeted reservations is a problem, and so is its unreserved pool', async () => {
    // GIVEN a budget synthesized for 1,000 and an account limited to 400 that holds the 350 reserved
    accountLimits(400, 350);

    const result = await doctorWithAccount(reportAccount(1000, 350));

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PROBLEM account concurrency limit is 400, below the 1000 the budget assumed: the stack reserves 350, more than the 300 that fit while 100 stay unreserved — set budget.accountConcurrency to 400 and lower reservations, or request a higher limit through Service Quotas\n');
    expect(result.stdout).toContain('PROBLEM only 50 concurrent executions are unreserved in this account and Region, below the 100 the budget keeps for functions without reserved concurrency: reservations claim 350 of 400 (this stack\'s budget: 350) — functions without reservations throttle first\n');
    expect(result.stdout).toContain('2 problem(s), 0 warning(s)');
  });

  test.each([
    // limit − unreserved minimum = 300 can be reserved: 300 is the last that fits, 301 the first that does not
    [300, 'warning', 0],
    [301, 'problem', 1],
  ] as const)('a limit of 400 below the assumed 1000 with %i reserved is a %s', async (reserved, severity, code) => {
    accountLimits(400, 0);
    deployedProxy();
    const assembly = assemblyWithReport('OrdersStack', [writer], undefined, reportAccount(1000, reserved));

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack', '--json']);

    const limitFindings = JSON.parse(result.stdout).findings.filter((f: { message: string }) => f.message.startsWith('account concurrency limit'));
    expect(limitFindings.map((f: { severity: string }) => f.severity)).toEqual([severity]);
    expect(result.code).toBe(code);
  });

  test('a limit below the assumed one that still holds the reservations asks to correct budget.accountConcurrency', async () => {
    accountLimits(600, 300);

    const result = await doctorWithAccount(reportAccount(1000, 300));

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARNING account concurrency limit is 600, below the 1000 the budget assumed: the stack\'s 300 reserved still fit (500 can be reserved), but the budget checked the wrong limit — set budget.accountConcurrency to 600\n');
  });

  test('reservations elsewhere in the account that eat the unreserved minimum are a problem', async () => {
    // GIVEN this stack reserves 300 and other stacks 640: 60 of 1,000 stay unreserved
    accountLimits(1000, 940);

    const result = await doctorWithAccount(reportAccount(1000, 300));

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PROBLEM only 60 concurrent executions are unreserved in this account and Region, below the 100 the budget keeps for functions without reserved concurrency: reservations claim 940 of 1000 (this stack\'s budget: 300)');
  });

  test('compares with the unreserved minimum the report records, not a fixed 100', async () => {
    // GIVEN a low-quota account budgeted with an unreserved minimum of 10
    accountLimits(50, 45);

    const result = await doctorWithAccount(reportAccount(50, 45, 10));

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PROBLEM only 5 concurrent executions are unreserved in this account and Region, below the 10 the budget keeps');
    expect(result.stdout).toContain('OK      account concurrency limit 50 ≥ the 50 the budget assumed');
  });

  test('a report without an account section is a warning, not a crash', async () => {
    const result = await doctorWithAccount(null);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARNING the budget report records no account limit to compare with (synthesize it again with this version)\n');
  });

  test('a report with only the app-wide accountSettings compares them with nothing reserved by the stack', async () => {
    accountLimits(400, 0);
    deployedProxy();
    const assembly = assemblyWithReport('OrdersStack', [writer], undefined, null, { accountConcurrency: 1000, unreservedMinimum: 100 });

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARNING account concurrency limit is 400, below the 1000 the budget assumed: the stack\'s 0 reserved still fit (300 can be reserved), but the budget checked the wrong limit — set budget.accountConcurrency to 400\n');
  });

  test('--json carries the account limits', async () => {
    deployedProxy();
    const assembly = assemblyWithReport('OrdersStack', [writer]);

    const result = await eda(['doctor', '--proxy', 'orders-proxy', '--assembly', assembly, '--stack', 'OrdersStack', '--json']);

    expect(JSON.parse(result.stdout).accountLimits).toEqual({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 700, ...CODE_SIZE_LIMITS });
  });

  test('a refused GetAccountSettings names the call and exits 2', async () => {
    lambdaApi.on(GetAccountSettingsCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:GetAccountSettings'), { name: 'AccessDeniedException' }));

    const result = await doctorWithAccount(reportAccount(1000, 300));

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('eda doctor: GetAccountSettings failed: AccessDeniedException: User is not authorized to perform: lambda:GetAccountSettings\n');
  });

  test('without --stack the doctor does not call Lambda', async () => {
    deployedProxy();

    await eda(['doctor', '--proxy', 'orders-proxy']);

    expect(lambdaApi.calls()).toHaveLength(0);
  });
});

describe('the account section the doctor reads', () => {
  test('is what ConcurrencyBudget writes at synth', () => {
    // GIVEN a stack whose function reserves 40 and draws from a proxy writer target
    const app = new App();
    const stack = new Stack(app, 'OrdersStack');
    const reader = new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'), reservedConcurrentExecutions: 40,
    });
    const writerTarget = { name: 'Orders/Proxy (writer)', kind: ConnectionTargetKind.PROXY_WRITER, capacity: 100, capacityExplanation: 'test', owner: stack };
    ConnectionLedger.of(reader).recordDraw({ consumer: reader, target: writerTarget, connectionsPerEnvironment: 1 });
    ConcurrencyBudget.of(stack).configure({ accountConcurrency: 1000 });
    // WHEN
    const assembly = app.synth();
    const report = readBudgetReport(findBudgetReport(assembly.directory, 'OrdersStack'));
    // THEN
    expect(report.account).toEqual({ environment: 'environment-agnostic', accountConcurrency: 1000, unreservedMinimum: 100, reserved: 40 });
  });
});
