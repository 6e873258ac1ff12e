import { testNoPinning } from './writer-harness';
import { percentile } from '../../src/local/connection-storm';
import { LocalStack } from '../../src/local/local-stack';
import { closeDatabases, configureDatabases, DatabaseUnavailableError, withReader } from '../../src/runtime';

// With the database down behind the proxy, every read would wait for the proxy's borrow timeout (RDS Proxy:
// 120 s by default; 2 s here). The runtime's circuit breaker opens after 5 consecutive connection failures
// and then fails reads in microseconds, until a trial read after the cool-down finds the database back.
const BORROW_TIMEOUT_SECONDS = 2;
const COOL_DOWN_MS = 3_000;
const FAST_READS = 500;

let stack: LocalStack | undefined;
const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

const read = () => withReader((db) => db.query<{ ok: number }>('select 1 as ok'));

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
  test('WHEN the database is up THEN a read succeeds', async () => {
    expect((await read()).rows).toEqual([{ ok: 1 }]);
  });

  describe('WHEN the database is stopped', () => {
    const beforeOpen: Array<{ ms: number; error?: unknown }> = [];
    const afterOpen: Array<{ ms: number; error?: unknown }> = [];

    beforeAll(async () => {
      await stack!.postgres.stopServer();
      // Bounded: at most 10 reads of at most the borrow timeout each, until one is refused by the open breaker.
      for (let i = 0; i < 10; i++) {
        const outcome = await timedRead();
        if (outcome.error instanceof DatabaseUnavailableError) break;
        beforeOpen.push(outcome);
      }
      for (let i = 0; i < FAST_READS; i += 50) {
        afterOpen.push(...await Promise.all(Array.from({ length: 50 }, timedRead)));
      }
    }, 60_000);

    test('THEN reads fail until 5 consecutive connection failures open the breaker', () => {
      expect({ failures: beforeOpen.length, allFailed: beforeOpen.every((o) => o.error !== undefined) }).toEqual({ failures: 5, allFailed: true });
    });

    test('THEN once open every read fails with DatabaseUnavailableError', () => {
      expect(afterOpen.filter((o) => !(o.error instanceof DatabaseUnavailableError))).toEqual([]);
    });

    test('THEN once open reads fail fast: p99 under 50 ms', () => {
      const p99 = percentile(afterOpen.map((o) => o.ms).sort((a, b) => a - b), 99);
      expect(p99).toBeLessThan(50);
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
