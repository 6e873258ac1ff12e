import { rmSync } from 'node:fs';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { assemblyWithReport, eda, reportAccount, reportTarget } from './cli-fixture';
import { ConcurrencyBudget, ConnectionLedger, ConnectionTargetKind } from '../../../../src/budget';

/*
 * EDA-17 item 5: `eda budget` prints the budget table of any synthesized app. The account line counts every
 * reserved concurrency of the environment (database-facing or not); the table lists the database-facing ones and
 * sums the others so that the printed numbers add up to the account line.
 */

function fn(stack: Stack, id: string, reservedConcurrentExecutions: number | undefined) {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'), reservedConcurrentExecutions,
  });
}

/**
 * OrdersStack: two readers drawing from the proxy writer (40 × 1, 15 × 2 connections), a scheduled job that
 * reserves 20 and never connects, a function whose reservation is a deploy-time parameter. BatchStack (same
 * environment): a worker reserving 5 that draws from OrdersStack's proxy.
 */
function synthesizeApp(): string {
  const app = new App();
  const orders = new Stack(app, 'OrdersStack');
  const batch = new Stack(app, 'BatchStack');
  const writerTarget = { name: 'Orders/Proxy (writer)', kind: ConnectionTargetKind.PROXY_WRITER, capacity: 100, capacityExplanation: 'floor(maxConnectionsPercent 100% × writer max_connections 100) = 100', owner: orders };
  const draw = (consumer: lambda.Function, connectionsPerEnvironment: number) =>
    ConnectionLedger.of(consumer).recordDraw({ consumer, target: writerTarget, connectionsPerEnvironment });
  draw(fn(orders, 'ReaderA', 40), 1);
  draw(fn(orders, 'ReaderB', 15), 2);
  fn(orders, 'NightlyReport', 20);
  fn(orders, 'Tokenised', new CfnParameter(orders, 'Reserved', { type: 'Number', default: 3 }).valueAsNumber);
  draw(fn(batch, 'Worker', 5), 1);
  ConcurrencyBudget.of(orders).configure({ accountConcurrency: 1000 });
  return app.synth().directory;
}

/** The account block both stacks' tables end with: the account section covers the environment. */
const ACCOUNT_BLOCK = `  account (environment-agnostic): reserved 80 of 900 reservable (limit 1000 − 100 unreserved), headroom 820 → ok
    why: Lambda sets each function's reserved concurrency aside from the account limit, database-facing or not, and keeps 100 unreserved for the functions without one
    database-facing functions:
      OrdersStack/ReaderA  40
      OrdersStack/ReaderB  15
      BatchStack/Worker     5
    other functions (not database-facing): 1 function, reserved 20
    total: 60 + 20 = 80 reserved
    not counted (reserved concurrency known only at deploy time): OrdersStack/Tokenised

`;

/** What `eda budget --stack OrdersStack` prints for the app above. */
const ORDERS_TABLE = `Concurrency budget of OrdersStack (environment-agnostic)
  target                 consumer                  concurrency  × conns                    connections
  ---------------------  ------------------------  -----------  -------  -----------------------------
  Orders/Proxy (writer)  OrdersStack/ReaderA                40        1                             40
                         OrdersStack/ReaderB                15        2                             30
                         BatchStack/Worker                   5        1                              5
                         = demand / capacity (ok)                        75 / 100  (75 %, headroom 25)
  capacity of Orders/Proxy (writer): floor(maxConnectionsPercent 100% × writer max_connections 100) = 100
${ACCOUNT_BLOCK}`;

/** The numbers of an account block: the account line's reserved, the database-facing rows, the other functions' sum. */
function accountNumbers(text: string) {
  const reserved = Number(/account \([^)]*\): reserved (\d+) of/.exec(text)![1]);
  const block = text.slice(text.indexOf('database-facing functions:'), text.indexOf('other functions'));
  const rows = [...block.matchAll(/^ {6}\S+ +(\d+)$/gm)].map((m) => Number(m[1]));
  const others = Number(/other functions \(not database-facing\): \d+ functions?, reserved (\d+)/.exec(text)![1]);
  return { reserved, rows, others };
}

let assembly: string;
beforeAll(() => {
  assembly = synthesizeApp();
});
afterAll(() => rmSync(assembly, { recursive: true, force: true }));

describe('eda budget', () => {
  test('prints the table of one stack with every reservation the account line counts', async () => {
    const result = await eda(['budget', '--assembly', assembly, '--stack', 'OrdersStack'], { env: {} });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(ORDERS_TABLE);
  });

  test('the database-facing rows and the other functions add up to the account line (80 = 40 + 15 + 5 + 20)', async () => {
    const result = await eda(['budget', '--assembly', assembly, '--stack', 'OrdersStack'], { env: {} });

    const { reserved, rows, others } = accountNumbers(result.stdout);
    expect(rows).toEqual([40, 15, 5]);
    expect(others).toBe(20);
    expect(rows.reduce((a, b) => a + b, 0) + others).toBe(reserved);
    expect(reserved).toBe(80);
  });

  test('without --stack prints every stack of the assembly that has a report, each adding up', async () => {
    const result = await eda(['budget', '--assembly', assembly], { env: {} });

    expect(result.code).toBe(0);
    const [batch, orders] = result.stdout.split(/(?=^Concurrency budget of )/m);
    expect(orders).toBe(ORDERS_TABLE);
    expect(batch).toBe(`Concurrency budget of BatchStack (environment-agnostic)
  no connection targets in this stack
${ACCOUNT_BLOCK}`);
  });

  test('a databaseFacing field in the report decides over the targets', async () => {
    const account = {
      ...reportAccount(1000, 75),
      functions: [
        { path: 'OrdersStack/Reader', reservedConcurrency: 55, databaseFacing: true },
        { path: 'OrdersStack/Mailer', reservedConcurrency: 12, databaseFacing: false },
        { path: 'OrdersStack/Cron', reservedConcurrency: 8, databaseFacing: false },
      ],
      unknownReservations: [],
    };
    const dir = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 100, 100, 55)], undefined, account);

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.stdout).toContain(`    database-facing functions:
      OrdersStack/Reader  55
    other functions (not database-facing): 2 functions, reserved 20
    total: 55 + 20 = 75 reserved
`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a report whose account section lists no functions says so instead of printing numbers that do not add up', async () => {
    const { functions: _functions, ...account } = reportAccount(1000, 300);
    const dir = assemblyWithReport('OrdersStack', [], undefined, account);

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.stdout).toBe(`Concurrency budget of OrdersStack (aws://111111111111/eu-west-1)
  no connection targets in this stack
  account (aws://111111111111/eu-west-1): reserved 300 of 900 reservable (limit 1000 − 100 unreserved), headroom 600 → ok
    the report does not list the functions it counted: synthesize it again with this version

`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a stack that reserves nothing prints the account settings the budget assumed', async () => {
    const dir = assemblyWithReport('OrdersStack', [], undefined, null, { accountConcurrency: 400, unreservedMinimum: 150 });

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.stdout).toBe(`Concurrency budget of OrdersStack (aws://111111111111/eu-west-1)
  no connection targets in this stack
  account (aws://111111111111/eu-west-1): nothing reserved (limit 400, 150 kept unreserved)

`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a target over its capacity exits 1', async () => {
    const dir = assemblyWithReport('OrdersStack', [reportTarget('Orders', 'writer', 100, 100, 120)]);

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('= demand / capacity (over)');
    rmSync(dir, { recursive: true, force: true });
  });

  test('an account over its reservable concurrency exits 1', async () => {
    const dir = assemblyWithReport('OrdersStack', [], undefined, reportAccount(1000, 950));

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  account (aws://111111111111/eu-west-1): reserved 950 of 900 reservable (limit 1000 − 100 unreserved), headroom -50 → over\n');
    rmSync(dir, { recursive: true, force: true });
  });

  test('a stack without a report names the file and the assembly', async () => {
    const result = await eda(['budget', '--assembly', assembly, '--stack', 'Missing'], { env: {} });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`eda budget: Missing.concurrency-budget.json not found in ${assembly}: is Missing the stack's artifact id, and does the stack use the ConcurrencyBudget?\n`);
  });

  test('an assembly without any report says what is missing', async () => {
    const dir = assemblyWithReport('OrdersStack', []);
    rmSync(`${dir}/OrdersStack.concurrency-budget.json`);

    const result = await eda(['budget', '--assembly', dir], { env: {} });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`eda budget: no *.concurrency-budget.json in ${dir}: does the app use the ConcurrencyBudget (ElasticDataAccess does), and is it synthesized?\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a missing assembly is a clear error', async () => {
    const result = await eda(['budget', '--assembly', '/nonexistent/cdk.out'], { env: {} });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('eda budget: cloud assembly /nonexistent/cdk.out not found: run `cdk synth` first or pass --assembly <dir>\n');
  });
});
