import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue, order, orderCounts, ORDERS_DDL, sendAll, startWriter, waitFor, withConnection, WriterRun } from './writer-harness';
import { LocalStack } from '../../src/local/local-stack';

// Faults in the middle of a run of the real writer: whatever breaks, no write is lost, none is applied twice and
// no healthy message ends up in the DLQ. Short local timings: visibility 4 s, function timeout 2 s, transient
// backoff 1 s doubling to 4 s (an outage of ~11 s is tolerated before the 5th receive), breaker cool-down 1 s.
const WRITES = 2_000;
const FUNCTION_TIMEOUT_MS = 2_000;
const FIXTURE = {
  EDA_FIXTURE_BACKOFF_BASE_SECONDS: '1',
  EDA_FIXTURE_BACKOFF_MAX_SECONDS: '4',
  EDA_FIXTURE_BREAKER_COOLDOWN_MS: '1000',
};

let stack: LocalStack | undefined;
let sqs: SQSClient;

beforeAll(async () => {
  stack = await LocalStack.up({ visibilityTimeoutSeconds: 4, maxReceiveCount: 5 });
  sqs = stack.sqs.createClient();
  await withConnection(stack.postgres.connectionString, (db) => db.query(ORDERS_DDL));
}, 30_000);

afterAll(async () => {
  sqs?.destroy();
  await stack?.down();
}, 30_000);

interface FaultOutcome {
  readonly counts: { rows: number; distinct: number; doubled: number };
  readonly deadLetters: number;
  readonly run: WriterRun;
}

/** Sends WRITES orders, starts the writer, injects `fault` once a third is applied, and waits for the queue to drain. */
async function runWithFault(prefix: string, mode: 'per-message' | 'batch', fault: () => Promise<void>, stallIndex?: number): Promise<FaultOutcome> {
  const writes = Array.from({ length: WRITES }, (_, i) => order(`${prefix}${i}`, 1, i === stallIndex ? { stall: true } : {}));
  await sendAll(sqs, stack!.sqs.queueUrl, writes);
  const run = await startWriter(stack!, sqs, { mode, concurrency: 2, timeoutMs: FUNCTION_TIMEOUT_MS, fixture: FIXTURE });
  try {
    // A fresh connection each time: the fault may kill a long-lived one (and refuse new ones for a while).
    const applied = () => withConnection(stack!.postgres.connectionString, async (db) => (await orderCounts(db, prefix)).rows)
      .catch(() => 0);
    await waitFor(async () => (await applied()) >= WRITES / 3, 60_000, `${WRITES / 3} writes of ${prefix}`);
    await fault();
    await run.source.waitUntilDrained(90_000);
  } finally {
    await run.stop();
  }
  return {
    counts: await withConnection(stack!.postgres.connectionString, (db) => orderCounts(db, prefix)),
    deadLetters: (await drainQueue(sqs, stack!.sqs.deadLetterQueueUrl)).length,
    run,
  };
}

const EXACTLY_ONCE = { rows: WRITES, distinct: WRITES, doubled: 0 };

describe('GIVEN the per-message writer WHEN PgBouncer restarts mid-run (500 ms down)', () => {
  let outcome: FaultOutcome;
  beforeAll(async () => {
    outcome = await runWithFault('pgbouncer-', 'per-message', () => stack!.pgbouncer.restart(500));
  }, 180_000);

  test('THEN some deliveries failed and were retried', () => {
    expect(outcome.run.source.stats.received).toBeGreaterThan(WRITES);
  });
  test('THEN no write is lost and none is applied twice', () => {
    expect(outcome.counts).toEqual(EXACTLY_ONCE);
  });
  test('THEN no healthy message is in the DLQ', () => {
    expect(outcome.deadLetters).toBe(0);
  });
});

describe('GIVEN the batch writer WHEN Postgres restarts mid-run (500 ms down)', () => {
  let outcome: FaultOutcome;
  beforeAll(async () => {
    outcome = await runWithFault('postgres-', 'batch', () => stack!.postgres.restart(500));
  }, 180_000);

  test('THEN some deliveries failed and were retried', () => {
    expect(outcome.run.source.stats.received).toBeGreaterThan(WRITES);
  });
  test('THEN no write is lost and none is applied twice', () => {
    expect(outcome.counts).toEqual(EXACTLY_ONCE);
  });
  test('THEN no healthy message is in the DLQ', () => {
    expect(outcome.deadLetters).toBe(0);
  });
});

describe.each(['per-message', 'batch'] as const)('GIVEN the %s writer WHEN an invocation times out mid-batch and is killed', (mode) => {
  let outcome: FaultOutcome;
  beforeAll(async () => {
    // The stalling write sits in the second half, so the kill lands after the run is well under way.
    outcome = await runWithFault(`killed-${mode}-`, mode, async () => undefined, Math.floor(WRITES * 0.6));
  }, 180_000);

  test('THEN the invocation was killed by its timeout', () => {
    expect(outcome.run.fn.stats.timeouts).toBe(1);
  });
  test('THEN no write is lost and none is applied twice', () => {
    expect(outcome.counts).toEqual(EXACTLY_ONCE);
  });
  test('THEN no healthy message is in the DLQ', () => {
    expect(outcome.deadLetters).toBe(0);
  });
});
