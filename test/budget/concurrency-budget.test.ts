import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConcurrencyBudget, ConnectionLedger, ConnectionTarget, ConnectionTargetKind } from '../../src';

function fn(scope: Construct, id: string, reservedConcurrentExecutions?: number): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
    reservedConcurrentExecutions,
  });
}

function target(name: string, capacity: number, owner?: Construct): ConnectionTarget {
  return { name, kind: ConnectionTargetKind.PROXY_WRITER, capacity, capacityExplanation: `test capacity ${capacity}`, owner };
}

function draw(consumer: Construct, t: ConnectionTarget, connectionsPerEnvironment = 1, declaredConcurrency?: number) {
  ConnectionLedger.of(consumer).recordDraw({ consumer, target: t, connectionsPerEnvironment, declaredConcurrency });
}

describe('ConcurrencyBudget', () => {
  let app: App;
  let stack: Stack;
  beforeEach(() => {
    app = new App();
    stack = new Stack(app, 'Orders');
  });

  test('a stack whose draws fit every target synthesizes', () => {
    // GIVEN a proxy with 100 connections and three functions drawing 20 + 10 + 2×5 = 40
    const proxy = target('Orders/Proxy (writer)', 100, stack);
    draw(fn(stack, 'Reader', 20), proxy);
    draw(fn(stack, 'Api', 10), proxy);
    draw(fn(stack, 'Writer', 5), proxy, 2);
    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('a target over its capacity fails synth naming target, sum, capacity and functions', () => {
    // GIVEN 60 + 2×30 = 120 connections against 100
    const proxy = target('Orders/Proxy (writer)', 100, stack);
    draw(fn(stack, 'Reader', 60), proxy);
    draw(fn(stack, 'Writer', 30), proxy, 2);
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      'ConcurrencyBudget: Orders/Proxy (writer) is over budget: Σ concurrency × connections per environment = 120 ' +
      'exceeds its capacity of 100 (test capacity 100). Drawn by: Orders/Reader (60 × 1), Orders/Writer (30 × 2)',
    );
  });

  test('a target above 80 % of its capacity gets a warning on its owner', () => {
    // GIVEN 85 of 100
    const owner = new Construct(stack, 'Proxy');
    draw(fn(stack, 'Reader', 85), target('Orders/Proxy (writer)', 100, owner));
    // WHEN
    app.synth();
    // THEN
    Annotations.fromStack(stack).hasWarning('/Orders/Proxy', Match.stringLikeRegexp('is at 85 % of its connection capacity \\(85 of 100\\)'));
  });

  test('a database-facing function without reserved concurrency fails synth and says how to pick a number', () => {
    draw(fn(stack, 'Reader'), target('Orders/Proxy (writer)', 100, stack));
    expect(() => app.synth()).toThrow(
      /Orders\/Reader connects to Orders\/Proxy \(writer\) without reserved concurrency.*Little's law: requests per second × average duration in seconds/,
    );
  });

  test('a non-Lambda consumer without declared concurrency fails synth', () => {
    // GIVEN a consumer that is not a Lambda function (an ECS service, say)
    const service = new Construct(stack, 'Service');
    const proxy = target('Orders/Proxy (writer)', 100, stack);
    // WHEN undeclared THEN it fails
    draw(service, proxy, 10);
    expect(() => app.synth()).toThrow(/Orders\/Service connects to Orders\/Proxy \(writer\) without declaredConcurrency.*declaredConcurrency in the connect options/);
  });

  test('declared concurrency of a non-Lambda consumer counts toward the target', () => {
    const service = new Construct(stack, 'Service');
    draw(service, target('Orders/Proxy (writer)', 100, stack), 10, 11);
    expect(() => app.synth()).toThrow('Σ concurrency × connections per environment = 110 exceeds its capacity of 100');
  });

  test('an SQS event source with maxConcurrency above the function\'s reserved concurrency fails synth', () => {
    // GIVEN a plain aws-cdk-lib consumer, not one of ours: the budget checks the whole app
    const writer = fn(stack, 'Writer', 5);
    writer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { maxConcurrency: 10 }));
    ConcurrencyBudget.of(stack); // any construct of ours in the app brings the budget along
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/has maxConcurrency 10, above the reserved concurrency 5 of Orders\/Writer/);
  });

  test('event sources whose concurrent batches exceed the target capacity fail synth', () => {
    const writer = fn(stack, 'Writer', 10);
    writer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { maxConcurrency: 10 }));
    draw(writer, target('Orders/Proxy (writer)', 15, stack), 2);
    expect(() => app.synth()).toThrow(/the event sources of Orders\/Writer may run 10 concurrent batches × 2 connections = 20, above the capacity of Orders\/Proxy \(writer\) \(15\)/);
  });

  test('reserved concurrency of every function in the app must fit the account limit minus 100', () => {
    // GIVEN functions that touch no database at all, in two stacks of one environment-agnostic app
    fn(stack, 'Big', 600);
    fn(new Stack(app, 'Other'), 'Bigger', 350);
    ConcurrencyBudget.of(stack);
    // WHEN / THEN 950 > 1000 − 100
    expect(() => app.synth()).toThrow(
      /the functions in environment-agnostic reserve 950 concurrent executions, above the 900 that can be reserved \(account concurrency 1000 − 100 that Lambda keeps unreserved\). Largest: Orders\/Big \(600\), Other\/Bigger \(350\)/,
    );
  });

  test('a raised account limit lets the same reservations pass', () => {
    fn(stack, 'Big', 600);
    fn(stack, 'Bigger', 350);
    ConcurrencyBudget.of(stack).configure({ accountConcurrency: 2000 });
    expect(() => app.synth()).not.toThrow();
  });

  test('an account limit below 1,000 counts reservations against limit − 100', () => {
    // GIVEN an account with a reduced quota of 300: 200 can be reserved
    ConcurrencyBudget.of(stack).configure({ accountConcurrency: 300 });
    fn(stack, 'Api', 200);
    expect(() => app.synth()).not.toThrow();
    // WHEN one more environment is reserved THEN synth fails with the account's numbers
    const other = new App();
    const otherStack = new Stack(other, 'Orders');
    ConcurrencyBudget.of(otherStack).configure({ accountConcurrency: 300 });
    fn(otherStack, 'Api', 201);
    expect(() => other.synth()).toThrow(
      'ConcurrencyBudget: the functions in environment-agnostic reserve 201 concurrent executions, above the 200 that can be reserved ' +
      '(account concurrency 300 − 100 that Lambda keeps unreserved). Largest: Orders/Api (201).');
  });

  test('an account limit of 100 or below is accepted: functions without reservations synthesize, any reservation fails', () => {
    // GIVEN a new account's quota of 10: Lambda keeps all 10 unreserved
    const budget = ConcurrencyBudget.of(stack);
    budget.configure({ accountConcurrency: 10 });
    expect(budget.unreservedMinimum).toBe(10);
    fn(stack, 'Unreserved');
    expect(() => app.synth()).not.toThrow();
    // WHEN a function reserves 1 THEN the budget says so before CloudFormation would
    fn(stack, 'Reserved', 1);
    expect(() => app.synth({ force: true })).toThrow(
      'ConcurrencyBudget: the functions in environment-agnostic reserve 1 concurrent executions, above the 0 that can be reserved ' +
      '(account concurrency 10 − 10 that Lambda keeps unreserved). Largest: Orders/Reserved (1).');
  });

  test('the account limit must be a positive whole number', () => {
    expect(() => ConcurrencyBudget.of(stack).configure({ accountConcurrency: 0 }))
      .toThrow('accountConcurrency must be a whole number of at least 1, got 0');
    expect(() => ConcurrencyBudget.of(stack).configure({ accountConcurrency: 1 })).not.toThrow();
  });

  test('unreservedMinimum may keep more than Lambda\'s 100 unreserved, never less', () => {
    const budget = ConcurrencyBudget.of(stack);
    budget.configure({ accountConcurrency: 1000 });
    expect(() => budget.configure({ unreservedMinimum: 99 })).toThrow(
      'unreservedMinimum must be a whole number between 100 (Lambda keeps min(100, accountConcurrency) unreserved) and accountConcurrency 1000, got 99');
    expect(() => budget.configure({ unreservedMinimum: 1001 })).toThrow(
      'unreservedMinimum must be a whole number between 100 (Lambda keeps min(100, accountConcurrency) unreserved) and accountConcurrency 1000, got 1001');
    budget.configure({ unreservedMinimum: 400 });
    fn(stack, 'Api', 601);
    expect(() => app.synth()).toThrow('above the 600 that can be reserved (account concurrency 1000 − 400 that Lambda keeps unreserved)');
  });

  test('a reservation only known at deploy time is listed in the report and warned about', () => {
    const api = fn(stack, 'Api');
    (api.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = Token.asNumber({ Ref: 'Reserved' });
    fn(stack, 'Known', 5);
    ConcurrencyBudget.of(stack);
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Orders.concurrency-budget.json'), 'utf8'));
    expect(report.account).toEqual(expect.objectContaining({ reserved: 5, functions: [expect.objectContaining({ path: 'Orders/Known', reservedConcurrency: 5 })], unknownReservations: ['Orders/Api'] }));
    Annotations.fromStack(stack).hasWarning('/Orders/Api', Match.stringLikeRegexp('the reserved concurrency of Orders/Api is only known at deploy time'));
  });

  test('two patterns may not disagree about the account limit', () => {
    ConcurrencyBudget.of(stack).configure({ accountConcurrency: 3000 });
    expect(() => ConcurrencyBudget.of(stack).configure({ accountConcurrency: 1000 }))
      .toThrow('accountConcurrency is 3000 for another pattern in this app, got 1000: the account limit is one number per account');
  });

  test('the report in the cloud assembly has the numbers of a 3-function stack', () => {
    // GIVEN reader 50 × 1 on the read endpoint, producer 0 (no DB), writer 5 × 2 on the proxy
    const proxyOwner = new Construct(stack, 'Proxy');
    const writeTarget = target('Orders/Proxy (writer)', 90, proxyOwner);
    const readTarget: ConnectionTarget = {
      name: 'Orders/Proxy (read-only endpoint)',
      kind: ConnectionTargetKind.PROXY_READ_ONLY,
      capacity: 180,
      capacityExplanation: 'test',
      owner: proxyOwner,
    };
    draw(fn(stack, 'Reader', 50), readTarget);
    fn(stack, 'Producer', 20).addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    const writer = fn(stack, 'Writer', 5);
    writer.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Queue'), { maxConcurrency: 5 }));
    draw(writer, writeTarget, 2);
    // WHEN
    const assembly = app.synth();
    // THEN
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Orders.concurrency-budget.json'), 'utf8'));
    expect(report.stack).toBe('Orders');
    expect(report.targets).toEqual([
      expect.objectContaining({
        name: 'Orders/Proxy (read-only endpoint)',
        capacity: 180,
        demand: 50,
        headroom: 130,
        utilisationPercent: 27.8,
        status: 'ok',
        consumers: [{ path: 'Orders/Reader', concurrency: 50, concurrencySource: 'reserved-concurrency', connectionsPerEnvironment: 1, connections: 50, concurrencyLever: 'the reserved concurrency' }],
      }),
      expect.objectContaining({
        name: 'Orders/Proxy (writer)',
        capacity: 90,
        demand: 10,
        headroom: 80,
        utilisationPercent: 11.1,
        status: 'ok',
        consumers: [{ path: 'Orders/Writer', concurrency: 5, concurrencySource: 'reserved-concurrency', connectionsPerEnvironment: 2, connections: 10, concurrencyLever: 'the reserved concurrency' }],
      }),
    ]);
    expect(report.writers).toEqual([
      { function: 'Orders/Writer', reservedConcurrency: 5, eventSources: [{ path: 'Orders/Writer/SqsEventSource:OrdersQueueCE034008', maxConcurrency: 5 }] },
    ]);
    expect(report.account).toEqual(expect.objectContaining({ accountConcurrency: 1000, unreservedMinimum: 100, reservable: 900, reserved: 75, headroom: 825, status: 'ok' }));
    // The account total is the sum of every reserved function listed (reader, producer, writer).
    const listed = report.account.functions.reduce((sum: number, f: { reservedConcurrency: number }) => sum + f.reservedConcurrency, 0);
    expect(listed).toBe(report.account.reserved);
    expect(report.account.functions.map((f: { path: string }) => f.path).sort()).toEqual(['Orders/Producer', 'Orders/Reader', 'Orders/Writer']);
    expect(report.accountSettings).toEqual({ accountConcurrency: 1000, unreservedMinimum: 100 });
  });

  test('the account section lists every counted function, says which are database-facing and why each counts', () => {
    // GIVEN the 3-function stack of EDA-17: database-facing rows add up to 55, the account line to 75
    const writeTarget = target('Orders/Proxy (writer)', 90);
    const readTarget: ConnectionTarget = { name: 'Orders/Proxy (read-only endpoint)', kind: ConnectionTargetKind.PROXY_READ_ONLY, capacity: 180, capacityExplanation: 'test' };
    draw(fn(stack, 'Reader', 50), readTarget);
    fn(stack, 'Producer', 20);
    draw(fn(stack, 'Writer', 5), writeTarget, 2);
    // WHEN
    const report = JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack));
    // THEN the rows of the account section add up to its line, the producer included and explained
    expect(report.account.functions).toEqual([
      {
        path: 'Orders/Reader',
        reservedConcurrency: 50,
        databaseFacing: true,
        targets: ['Orders/Proxy (read-only endpoint)'],
        reason: 'database-facing (draws from Orders/Proxy (read-only endpoint)); its reserved concurrency also counts against the account limit',
      },
      {
        path: 'Orders/Producer',
        reservedConcurrency: 20,
        databaseFacing: false,
        targets: [],
        reason: 'not database-facing, but reserved concurrency counts against the account limit for every function that has it',
      },
      {
        path: 'Orders/Writer',
        reservedConcurrency: 5,
        databaseFacing: true,
        targets: ['Orders/Proxy (writer)'],
        reason: 'database-facing (draws from Orders/Proxy (writer)); its reserved concurrency also counts against the account limit',
      },
    ]);
    const databaseFacing = report.targets
      .flatMap((t: { consumers: { concurrency: number }[] }) => t.consumers)
      .reduce((sum: number, c: { concurrency: number }) => sum + c.concurrency, 0);
    const notDatabaseFacing = report.account.functions.filter((f: { databaseFacing: boolean }) => !f.databaseFacing)
      .reduce((sum: number, f: { reservedConcurrency: number }) => sum + f.reservedConcurrency, 0);
    expect([databaseFacing, notDatabaseFacing, report.account.reserved]).toEqual([55, 20, 75]);
  });
});
