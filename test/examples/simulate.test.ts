import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ExistingDatabaseStack } from '../../examples/existing-database/app';
import { FanOutStack } from '../../examples/fan-out/app';
import { MysqlReplicasStack } from '../../examples/mysql-replicas/app';
import { OrdersApiStack } from '../../examples/orders-api/app';
import { main } from '../../packages/runtime/src/cli/main';

/*
 * EDA-16: `eda simulate` on every example's cloud assembly, synthesized in-process (asset bundling skipped: the
 * simulator reads the template and the budget report, not the code).
 */
type StackClass = new (scope: Construct, id: string) => Stack;
const EXAMPLES: Array<[string, StackClass]> = [
  ['OrdersApi', OrdersApiStack], ['FanOut', FanOutStack], ['MysqlReplicas', MysqlReplicasStack], ['ExistingDatabase', ExistingDatabaseStack],
];

function synthesize(id: string, stack: StackClass): string {
  const outdir = mkdtempSync(join(tmpdir(), `eda-${id}-cdk-out-`));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new stack(app, id);
  app.synth();
  return outdir;
}

async function simulate(assembly: string, stack: string, args: string[]) {
  const out = mkdtempSync(join(tmpdir(), `eda-${stack}-simulate-`));
  let stdout = '';
  let stderr = '';
  const code = await main(['simulate', '--assembly', assembly, '--stack', stack, ...args, '--out', out], {
    stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; },
  });
  return { code, stdout, stderr, summary: code === 2 ? undefined : JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) };
}

const assemblies = new Map<string, string>();
beforeAll(() => {
  for (const [id, stack] of EXAMPLES) assemblies.set(id, synthesize(id, stack));
}, 120_000);

describe.each(EXAMPLES.map(([id]) => id))('eda simulate on the %s example', (id) => {
  test.each(['steady', 'spike', 'outage'])('runs the %s scenario: every function and queue of the stack in the summary, the queues drained', async (scenario) => {
    const result = await simulate(assemblies.get(id)!, id, ['--scenario', scenario, ...(scenario === 'steady' ? ['--for', '2m'] : [])]);

    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const template = JSON.parse(readFileSync(join(assemblies.get(id)!, `${id}.template.json`), 'utf8'));
    const functions = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').length;
    expect(Object.keys(result.summary.functions)).toHaveLength(functions);
    expect(Object.keys(result.summary.queues).length).toBeGreaterThan(0);
    expect(result.summary.drained).toBe(true);
  });
});

describe('GIVEN the orders-api example at its defaults', () => {
  test('WHEN the database is down for 10 minutes THEN no message reaches the DLQ, and the writes wait in the queue', async () => {
    const result = await simulate(assemblies.get('OrdersApi')!, 'OrdersApi', ['--scenario', 'outage', '--outage', '10m', '--expect', 'deadLetterMessages==0']);

    expect(result.code).toBe(0);
    expect(result.summary).toMatchObject({ deadLetterMessages: 0, throttles: 0, drained: true });
    expect(result.summary.maxOldestMessageAgeSeconds).toBeGreaterThan(600);
    expect(result.summary.maxQueueDepth).toBeGreaterThan(100 * 600 * 0.9);
  });

  test('WHEN a spike far above the reader\'s reserved concurrency arrives THEN the reader is throttled', async () => {
    // 10 req/s × 500 = 5,000 req/s × 100 ms = 500 concurrent reads wanted; GetOrder reserves 50.
    const result = await simulate(assemblies.get('OrdersApi')!, 'OrdersApi', ['--scenario', 'spike', '--rate', '10', '--spike', '500', '--expect', 'functions.GetOrder.throttles>0']);

    expect(result.code).toBe(0);
    expect(result.summary.functions.GetOrder).toMatchObject({ peakConcurrency: 50, concurrencyLimit: 50 });
    expect(result.summary.functions.GetOrder.throttles).toBeGreaterThan(0);
    expect(result.summary.deadLetterMessages).toBe(0);
  });
});
