import { testNoPinning } from './writer-harness';
import { closeDatabases, configureDatabases, DatabaseUnavailableError, withReader } from '../../runtime/src';
import { percentile } from '../src/connection-storm';
import { LocalStack } from '../src/local-stack';

// With the database down behind the proxy, every read would wait for the proxy's borrow timeout (RDS Proxy:
// 120 s by default; 2 s here). The runtime's circuit breaker opens after 5 consecutive connection failures
// and then fails reads in microseconds, until a trial read after the cool-down finds the database back.
const BORROW_TIMEOUT_SECONDS = 2;
const COOL_DOWN_MS = 3_000;
const FAST_READS = 500;

let stack: LocalStack | undefined;
const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

const read = () => withReader((db) => db.query<{ ok: number }>('select 1 as ok'));

/** FAST_READS reads, 50 at a time (as 50 concurrent requests of one environment would). */
async function readsInWaves(): Promise<Array<{ ms: number; error?: unknown }>> {
  const outcomes: Array<{ ms: number; error?: unknown }> = [];
  for (let i = 0; i < FAST_READS; i += 50) outcomes.push(...await Promise.all(Array.from({ length: 50 }, timedRead)));
  return outcomes;
}

/** Runs `read` and returns its duration in ms and the error it threw, if any. */
async function timedRead(): Promise<{ ms: number; error?: unknown }> {
  const started = performance.now();
  try {
    await read();
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  stack = await LocalStack.up({ borrowTimeoutSeconds: BORROW_TIMEOUT_SECONDS });
  await configureDatabases({ env: stack.environment(), breaker: { failureThreshold: 5, coolDownMs: COOL_DOWN_MS } });
}, 30_000);

afterAll(async () => {
  await closeDatabases();
  await stack?.down();
  process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
}, 30_000);

describe('GIVEN a reader through the local proxy', () => {
  // The same waves of reads against a healthy database: the baseline of the fail-fast bound, measured in this run.
  const healthy: Array<{ ms: number; error?: unknown }> = [];

  test('WHEN the database is up THEN a read succeeds', async () => {
    expect((await read()).rows).toEqual([{ ok: 1 }]);
    healthy.push(...await readsInWaves());
    expect(healthy.filter((o) => o.error !== undefined)).toEqual([]);
  });

  describe('WHEN the database is stopped', () => {
    const beforeOpen: Array<{ ms: number; error?: unknown }> = [];
    const afterOpen: Array<{ ms: number; error?: unknown }> = [];
    let connectionsWhileOpen = -1;

    beforeAll(async () => {
      await stack!.postgres.stopServer();
      // Bounded: at most 10 reads of at most the borrow timeout each, until one is refused by the open breaker.
      for (let i = 0; i < 10; i++) {
        const outcome = await timedRead();
        if (outcome.error instanceof DatabaseUnavailableError) break;
        beforeOpen.push(outcome);
      }
      // Every runtime connection passes the pinning detector, which counts them: "no connection attempt" is observable.
      const acceptedBefore = stack!.pinning.stats.connections;
      afterOpen.push(...await readsInWaves());
      connectionsWhileOpen = stack!.pinning.stats.connections - acceptedBefore;
    }, 60_000);

    test('THEN reads fail until 5 consecutive connection failures open the breaker', () => {
      expect({ failures: beforeOpen.length, allFailed: beforeOpen.every((o) => o.error !== undefined) }).toEqual({ failures: 5, allFailed: true });
    });

    test('THEN once open every read fails with DatabaseUnavailableError', () => {
      expect(afterOpen.filter((o) => !(o.error instanceof DatabaseUnavailableError))).toEqual([]);
    });

    test('THEN once open no read opens a connection', () => {
      expect({ reads: afterOpen.length, connectionsWhileOpen }).toEqual({ reads: FAST_READS, connectionsWhileOpen: 0 });
    });

    // Relative to a baseline of the same run, so that a busy machine slows both sides alike: refusing a read
    // while the breaker is open must be faster than serving one from a healthy database.
    test('THEN once open reads fail faster than healthy reads succeed (p99, same waves)', () => {
      const p99 = (outcomes: Array<{ ms: number }>) => percentile(outcomes.map((o) => o.ms).sort((a, b) => a - b), 99);
      const latencies = { openP99Ms: p99(afterOpen), healthyP99Ms: p99(healthy) };
      expect({ ...latencies, faster: latencies.openP99Ms < latencies.healthyP99Ms }).toEqual({ ...latencies, faster: true });
    });

    test('WHEN the database is back THEN reads succeed again after the cool-down', async () => {
      await stack!.postgres.startServer();
      const deadline = Date.now() + COOL_DOWN_MS + 15_000;
      let outcome = await timedRead();
      while (outcome.error !== undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        outcome = await timedRead();
      }
      expect(outcome.error).toBeUndefined();
    }, 30_000);
  });
});

describe('GIVEN every read above', () => {
  testNoPinning(() => stack);
});
