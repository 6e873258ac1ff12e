import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue, order, sendAll, startWriter, waitFor, withConnection, WriterRun } from './writer-harness';
import { main } from '../../runtime/src/cli/main';
import { LocalStack } from '../src/local-stack';

/*
 * EDA-16: the simulator's calibration against the local stack. One scenario, scaled down, runs twice: through the real
 * writer (sqlWriter in batch mode, real SQL through PgBouncer to PostgreSQL) behind the faithful local SQS with a database outage in
 * the middle, and through `eda simulate` with the same settings. The writer's per-message duration is measured in the
 * same run (a warm-up batch before the scenario) and handed to the simulator; nothing is tuned to this run.
 *
 * Scenario: 30 messages/s (a burst at the start of each second) for 8 s; PgBouncer (the proxy) is down from 3.7 s for
 * 4 s (its restart adds 0.3–1.5 s here), so the bursts of seconds 4–7 fail and wait in backoff past the end of the
 * arrivals; then the queue drains. The outage starts and ends between bursts, and the first retries (8 s after the
 * first failures) come ≥ 2 s after the breaker closed: an edge landing on a burst or a retry would make the outcome
 * depend on milliseconds, in the model and in the measure. Backoff 4 s doubling to 16 s, jitter 0.2,
 * queue visibility 8 s (its floor), maxReceiveCount 5: tolerated 8 + 8 + 16 − 0.5 = 31.5 s > 4 s, so no dead letters.
 * The writer works far faster than the arrivals even on a loaded machine, so the drain is set by the backoff schedule
 * after the recovery (what the model is for), not by a throughput that swings with the load of the shared cores.
 */
const RATE = 30;
const SECONDS = 8;
const OUTAGE_AT = 3.7;
const OUTAGE_SECONDS = 4;
const VISIBILITY = 8;
const MAX_RECEIVE_COUNT = 5;
const CONCURRENCY = 2;
const BATCH_SIZE = 10;
const TIMEOUT_SECONDS = 10;
const BACKOFF = { baseSeconds: 4, maxSeconds: 16, jitter: 0.2 };
const BREAKER_COOL_DOWN_SECONDS = 0.5;
const WARM_UP_MESSAGES = 20;
const MEASURED_MESSAGES = 80;
const TOLERANCE = 0.2;

interface Measured {
  deadLetterMessages: number;
  maxQueueDepth: number;
  drainSeconds: number;
  messageSeconds: number;
  outage: { fromSeconds: number; toSeconds: number };
}

let stack: LocalStack | undefined;
let sqs: SQSClient;
let run: WriterRun | undefined;
let measured: Measured;
let predicted: Record<string, any>;
const dir = mkdtempSync(join(tmpdir(), 'eda-calibration-'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The local stack as a cloud assembly: the template and budget report `eda simulate` reads, with the stack's own numbers. */
function writeLocalAssembly(assembly: string): void {
  const template = {
    Resources: {
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: VISIBILITY,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT },
        },
      },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Writer: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          ReservedConcurrentExecutions: CONCURRENCY,
          Timeout: TIMEOUT_SECONDS,
          Environment: {
            Variables: {
              EDA_WRITE_HOST: 'localhost',
              EDA_WRITE_QUEUE_URL: { Ref: 'Queue' },
              EDA_BACKOFF_BASE_SECONDS: String(BACKOFF.baseSeconds),
              EDA_BACKOFF_MAX_SECONDS: String(BACKOFF.maxSeconds),
              EDA_BACKOFF_JITTER: String(BACKOFF.jitter),
              EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY),
            },
          },
        },
      },
      // Stands for the test's SendMessageBatch calls: each request sends one message.
      Producer: {
        Type: 'AWS::Lambda::Function',
        Properties: { ReservedConcurrentExecutions: 10, Timeout: 3, Environment: { Variables: { EDA_WRITE_QUEUE_URL: { Ref: 'Queue' } } } },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Writer' },
          EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          BatchSize: BATCH_SIZE,
          ScalingConfig: { MaximumConcurrency: CONCURRENCY },
        },
      },
    },
  };
  writeFileSync(join(assembly, 'manifest.json'), JSON.stringify({
    version: '55.0.0',
    artifacts: {
      Local: {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: 'Local.template.json' },
      },
    },
  }));
  writeFileSync(join(assembly, 'Local.template.json'), JSON.stringify(template));
  writeFileSync(join(assembly, 'Local.concurrency-budget.json'), JSON.stringify({
    version: 1,
    stack: 'Local',
    targets: [{ name: 'Local/Proxy (writer)', kind: 'proxy-writer', capacity: 20, consumers: [{ path: 'Writer', connectionsPerEnvironment: 1 }] }],
    writeBuffers: [{ breakerCoolDownSeconds: BREAKER_COOL_DOWN_SECONDS }],
    account: { accountConcurrency: 1000, unreservedMinimum: 100, reserved: CONCURRENCY + 10 },
  }));
}

/** Distinct messages written so far, with the prefix of a phase. */
async function applied(prefix: string): Promise<number> {
  return withConnection(stack!.postgres.connectionString, async (db) =>
    (await db.query<{ n: number }>('select count(distinct id)::int as n from orders where id like $1', [`${prefix}%`])).rows[0].n);
}

beforeAll(async () => {
  stack = await LocalStack.up({ visibilityTimeoutSeconds: VISIBILITY, maxReceiveCount: MAX_RECEIVE_COUNT });
  sqs = stack.sqs.createClient();
  await withConnection(stack.postgres.connectionString, (db) => db.query(`create table orders(
    id text not null, total int not null, correlation_id text, applied_at timestamptz not null default clock_timestamp())`));
  run = await startWriter(stack, sqs, {
    mode: 'batch',
    concurrency: CONCURRENCY,
    batchSize: BATCH_SIZE,
    timeoutMs: TIMEOUT_SECONDS * 1000,
    handlerModule: join(__dirname, 'fixtures', 'calibration-writer.ts'),
    fixture: {
      EDA_BACKOFF_BASE_SECONDS: String(BACKOFF.baseSeconds),
      EDA_BACKOFF_MAX_SECONDS: String(BACKOFF.maxSeconds),
      EDA_BACKOFF_JITTER: String(BACKOFF.jitter),
      EDA_FIXTURE_BREAKER_COOLDOWN_MS: String(BREAKER_COOL_DOWN_SECONDS * 1000),
    },
  });

  // The writer's per-message duration with the database up, measured now (on this machine's current load): after a
  // warm-up (connections, the idempotency table), the span of the commit times of a backlog worked by both environments.
  await sendAll(sqs, stack.sqs.queueUrl, Array.from({ length: WARM_UP_MESSAGES }, (_, i) => order(`warm-${i}`)));
  await waitFor(async () => (await applied('warm-')) >= WARM_UP_MESSAGES, 60_000, 'the warm-up messages');
  await sendAll(sqs, stack.sqs.queueUrl, Array.from({ length: MEASURED_MESSAGES }, (_, i) => order(`rate-${i}`)));
  await waitFor(async () => (await applied('rate-')) >= MEASURED_MESSAGES, 60_000, 'the measured messages');
  const span = await withConnection(stack.postgres.connectionString, async (db) => (await db.query<{ s: number }>(
    "select extract(epoch from max(applied_at) - min(applied_at))::float as s from orders where id like 'rate-%'")).rows[0].s);
  const messageSeconds = CONCURRENCY * span / (MEASURED_MESSAGES - CONCURRENCY);
  await run.source.waitUntilDrained(20_000);

  // The scenario: arrivals each second, the outage in the middle, the queue depth sampled every 200 ms.
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  // Depth: messages sent and not yet written (the emulator's own counters count a message twice while its
  // visibility changes, so they are not used).
  let sent = 0;
  let maxQueueDepth = 0;
  let sampling = true;
  const depth = async () => sent - await applied('s');
  const sampler = (async () => {
    while (sampling) {
      maxQueueDepth = Math.max(maxQueueDepth, await depth());
      await sleep(200);
    }
  })();
  let outage: Promise<void> | undefined;
  let outageFrom = 0;
  let outageTo = 0;
  const outageTimer = setTimeout(() => {
    outageFrom = elapsed();
    outage = stack!.pgbouncer.restart(OUTAGE_SECONDS * 1000).then(() => { outageTo = elapsed(); });
  }, OUTAGE_AT * 1000);
  for (let second = 0; second < SECONDS; second++) {
    await sleep(Math.max(0, second * 1000 - (Date.now() - start)));
    await sendAll(sqs, stack.sqs.queueUrl, Array.from({ length: RATE }, (_, i) => order(`s${second}-${i}`)));
    sent += RATE;
  }
  await sleep(Math.max(0, SECONDS * 1000 - (Date.now() - start)));
  const arrivalsEnd = elapsed();
  clearTimeout(outageTimer);
  await outage;
  // Drained: every message written (a dead letter would keep the depth above 0 and fail the bound below).
  while ((await depth()) > 0) {
    if (elapsed() > 120) throw new Error(`not drained within 120 s (${await depth()} messages not written)`);
    await sleep(100);
  }
  const drainedAt = elapsed();
  sampling = false;
  await sampler;
  measured = {
    deadLetterMessages: (await drainQueue(sqs, stack.sqs.deadLetterQueueUrl)).length,
    maxQueueDepth,
    drainSeconds: drainedAt - arrivalsEnd,
    messageSeconds,
    outage: { fromSeconds: outageFrom, toSeconds: outageTo },
  };

  // The same scenario through the simulator, with the measured per-message duration and outage.
  const assembly = join(dir, 'cdk.out');
  mkdirSync(assembly);
  writeLocalAssembly(assembly);
  const scenarioFile = join(dir, 'calibration.json');
  const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;
  writeFileSync(scenarioFile, JSON.stringify({
    name: 'local calibration',
    duration: `${SECONDS}s`,
    load: { Producer: RATE },
    functions: {
      Producer: { requestDuration: '10ms' },
      Writer: { invocationDuration: '0ms', messageDuration: ms(messageSeconds), failedInvocationDuration: '20ms' },
    },
    database: { outages: [{ at: ms(measured.outage.fromSeconds), for: ms(measured.outage.toSeconds - measured.outage.fromSeconds) }] },
    // The local event source starts all its pollers at once and never adds any.
    pollers: { initial: CONCURRENCY, addedPerMinute: 0 },
  }));
  const out = join(dir, 'out');
  const code = await main(['simulate', '--assembly', assembly, '--stack', 'Local', '--scenario', scenarioFile, '--out', out],
    { stdout: () => undefined, stderr: () => undefined });
  if (code !== 0) throw new Error(`eda simulate exited ${code}`);
  predicted = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  // The figures the report and docs/simulate.md quote.
  // eslint-disable-next-line no-console
  console.log(JSON.stringify({
    measured,
    predicted: {
      deadLetterMessages: predicted.deadLetterMessages,
      maxQueueDepth: predicted.maxQueueDepth,
      drainSeconds: predicted.drainSeconds,
    },
  }));
}, 240_000);

afterAll(async () => {
  await run?.stop();
  sqs?.destroy();
  await stack?.down();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('GIVEN the local stack and eda simulate with the same settings WHEN the database is down in the middle of a scenario', () => {
  test('THEN both see no dead-letter message (exactly 0)', () => {
    expect({ measured: measured.deadLetterMessages, predicted: predicted.deadLetterMessages }).toEqual({ measured: 0, predicted: 0 });
  });

  test('THEN the predicted peak queue depth is within 20 % of the measured one', () => {
    expect(measured.maxQueueDepth).toBeGreaterThanOrEqual(RATE * OUTAGE_SECONDS);
    expect(Math.abs(predicted.maxQueueDepth - measured.maxQueueDepth)).toBeLessThanOrEqual(TOLERANCE * measured.maxQueueDepth);
  });

  test('THEN the predicted drain time after the scenario is within 20 % of the measured one', () => {
    expect(measured.drainSeconds).toBeGreaterThan(2);
    expect(Math.abs(predicted.drainSeconds - measured.drainSeconds)).toBeLessThanOrEqual(TOLERANCE * measured.drainSeconds);
  });
});
