import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Client } from 'pg';
import { FAULT_WRITER_DDL } from './fixtures/fault-writer';
import { drainQueue, OutgoingMessage, sendAll, startWriter, waitFor, withConnection, WriterMetrics, WriterRun, WriterRunOptions } from './writer-harness';
import { ATTRIBUTES } from '../../runtime/src/queue/message-attributes';
import { migrationSql } from '../../runtime/src/sql/idempotency-sql';
import { LocalStack, LocalStackOptions } from '../src/local-stack';

// EDA-11 #1, #4, #5 and #6 against the real writer in Lambda-like child processes, PostgreSQL 15, PgBouncer in
// transaction mode (pool of ONE server connection, so a test can hold it) and the local SQS.
const FAULT_WRITER = join(__dirname, 'fixtures', 'fault-writer.ts');
const MODES = ['per-message', 'batch'] as const;

interface Scenario {
  readonly prefix: string;
  readonly messages: readonly OutgoingMessage[];
  readonly writer: Omit<WriterRunOptions, 'handlerModule'>;
  /** Runs while the writer runs (fault injection). */
  readonly during?: (run: WriterRun) => Promise<void>;
}

interface Outcome {
  /** fault_orders rows per id (ids with no row are absent). */
  readonly rowsPerKey: Record<string, number>;
  /** eda_idempotency_keys rows of the scenario. */
  readonly idempotencyRows: number;
  readonly deadLetters: Message[];
  readonly metrics: WriterMetrics;
  readonly crashes: number;
  readonly timeouts: number;
  readonly received: number;
}

const faultOrder = (id: string, fault: Record<string, unknown> = {}): OutgoingMessage => ({
  body: JSON.stringify({ id, ...fault }), idempotencyKey: id, correlationId: `corr-${id}`,
});

async function runScenario(stack: LocalStack, sqs: SQSClient, scenario: Scenario): Promise<Outcome> {
  await sendAll(sqs, stack.sqs.queueUrl, scenario.messages, 1);
  const run = await startWriter(stack, sqs, { ...scenario.writer, handlerModule: FAULT_WRITER });
  try {
    await scenario.during?.(run);
    await run.source.waitUntilDrained(90_000);
  } finally {
    await run.stop();
  }
  return withConnection(stack.postgres.connectionString, async (db) => ({
    rowsPerKey: Object.fromEntries((await db.query<{ id: string; n: number }>(
      'select id, count(*)::int as n from fault_orders where id like $1 group by id', [`${scenario.prefix}%`])).rows.map((r) => [r.id, r.n])),
    idempotencyRows: (await db.query<{ n: number }>('select count(*)::int as n from eda_idempotency_keys where "key" like $1', [`${scenario.prefix}%`])).rows[0].n,
    // Only this scenario's: a scenario that failed half-way must not leak its dead letters into the next one.
    deadLetters: (await drainQueue(sqs, stack.sqs.deadLetterQueueUrl)).filter((m) => m.Body?.includes(scenario.prefix)),
    metrics: run.metrics,
    crashes: run.crashes(),
    timeouts: run.fn.stats.timeouts,
    received: run.source.stats.received,
  }));
}

const once = (ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, 1]));
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A local stack for the describe block it is called in, with the fixture's tables; stopped after the block. */
function useFaultStack(options: LocalStackOptions): { readonly stack: LocalStack; readonly sqs: SQSClient } {
  const env = {} as { stack: LocalStack; sqs: SQSClient };
  beforeAll(async () => {
    env.stack = await LocalStack.up(options);
    env.sqs = env.stack.sqs.createClient();
    await withConnection(env.stack.postgres.connectionString, (db) => db.query(`${FAULT_WRITER_DDL}; ${migrationSql('postgres')}`));
  }, 60_000);
  afterAll(async () => {
    env.sqs?.destroy();
    await env.stack?.down();
  }, 30_000);
  return env;
}

describe('connection faults (PgBouncer pool of 1, visibility 6 s, function timeout 5 s)', () => {
  const env = useFaultStack({ poolSize: 1, visibilityTimeoutSeconds: 6, maxReceiveCount: 5 });
  const writer = (mode: typeof MODES[number]) => ({ mode, concurrency: 1, timeoutMs: 5_000 });

  describe.each(MODES)('EDA-11 #1 GIVEN the %s writer and an effect that catches 23505 ("ignore duplicates") WHEN COMMIT is answered ROLLBACK', (mode) => {
    let outcome: Outcome;
    const prefix = `rolled-back-${mode}-`;
    const duplicates = ids(`${prefix}dup-`, 2);
    const fresh = ids(`${prefix}new-`, 3);
    beforeAll(async () => {
      // The duplicates' fault_unique rows exist already: their effect's second insert fails with 23505, caught.
      await withConnection(env.stack.postgres.connectionString, (db) => db.query('insert into fault_unique(id) select unnest($1::text[])', [duplicates]));
      outcome = await runScenario(env.stack, env.sqs, {
        prefix,
        messages: [...duplicates, ...fresh].map((id) => faultOrder(id, { ignoreDuplicate: true })),
        writer: writer(mode),
      });
    }, 120_000);

    test('THEN only the 3 committed messages are acknowledged as applied (WritesApplied 3, not 5)', () => {
      expect(outcome.metrics.WritesApplied).toBe(3);
    });
    test('THEN each committed key has its effect row and its idempotency row, the rolled-back ones have neither', () => {
      expect(outcome.rowsPerKey).toEqual(once(fresh));
      expect(outcome.idempotencyRows).toBe(3);
    });
    test('THEN the 2 rolled-back messages are in the DLQ once each, as EDA_TRANSACTION_ROLLED_BACK (permanent: the caught 23505 repeats)', () => {
      expect(outcome.deadLetters.map((m) => m.MessageAttributes?.[ATTRIBUTES.idempotencyKey]?.StringValue).sort()).toEqual(duplicates);
      expect(outcome.deadLetters.map((m) => m.MessageAttributes?.[ATTRIBUTES.errorCode]?.StringValue)).toEqual(['EDA_TRANSACTION_ROLLED_BACK', 'EDA_TRANSACTION_ROLLED_BACK']);
      expect(outcome.metrics.PoisonMessages).toBe(2);
    });
  });

  describe.each(MODES)('EDA-11 #4 GIVEN the %s writer connected straight to PostgreSQL WHEN another session terminates its backend during the effect', (mode) => {
    let outcome: Outcome;
    const prefix = `cut-effect-${mode}-`;
    const keys = ids(prefix, 4);
    beforeAll(async () => {
      outcome = await runScenario(env.stack, env.sqs, {
        prefix,
        messages: keys.map((id, i) => faultOrder(id, i === 1 ? { cut: 'effect' } : {})),
        // Direct, as to a DB instance (failover, restart): the FATAL and the closed socket reach the client.
        writer: { ...writer(mode), fixture: { EDA_WRITE_PORT: String(env.stack.postgres.port) } },
      });
    }, 120_000);
    recoversFromTheCut(() => outcome, keys);
  });

  describe.each(MODES)('EDA-11 #4 GIVEN the %s writer WHEN the proxy (PgBouncer) restarts during its COMMIT', (mode) => {
    let outcome: Outcome;
    const prefix = `cut-commit-${mode}-`;
    const keys = ids(prefix, 4);
    beforeAll(async () => {
      outcome = await runScenario(env.stack, env.sqs, {
        prefix,
        messages: keys.map((id, i) => faultOrder(id, i === 1 ? { cut: 'commit' } : {})),
        writer: writer(mode),
        during: async () => {
          await waitFor(async () => commitInFlight(env.stack), 30_000, 'the writer\'s COMMIT in flight');
          await env.stack.pgbouncer.restart(200);
        },
      });
    }, 120_000);
    recoversFromTheCut(() => outcome, keys);
  });

  describe('EDA-11 #4 GIVEN the per-message writer waiting in BEGIN for a proxy connection WHEN the proxy (PgBouncer) restarts', () => {
    let outcome: Outcome;
    const prefix = 'cut-begin-';
    const keys = ids(prefix, 3);
    beforeAll(async () => {
      // An open transaction keeps PgBouncer's only server connection: the writer's BEGIN waits for it.
      const holder = new Client({ connectionString: env.stack.pgbouncer.connectionString });
      holder.on('error', () => undefined);
      await holder.connect();
      await holder.query('begin');
      await holder.query('select 1');
      try {
        outcome = await runScenario(env.stack, env.sqs, {
          prefix,
          messages: keys.map((id) => faultOrder(id)),
          writer: writer('per-message'),
          during: async () => {
            // The writer's own client connection to PgBouncer is open once it has checked out a connection.
            await waitFor(async () => clientConnections(env.stack.pgbouncer.port) >= 2, 30_000, 'the writer connected to PgBouncer');
            await new Promise((resolve) => setTimeout(resolve, 300));
            await env.stack.pgbouncer.restart(200);
          },
        });
      } finally {
        await holder.end().catch(() => undefined);
      }
    }, 120_000);

    recoversFromTheCut(() => outcome, keys);
  });
});

/** The assertions of a connection cut: no crash, a classified transient failure, then every key exactly once. */
function recoversFromTheCut(outcome: () => Outcome, keys: readonly string[]): void {
  test('THEN no execution environment crashed (no uncaught "Connection terminated unexpectedly")', () => {
    expect(outcome().crashes).toBe(0);
  });
  test('THEN the cut was a classified transient failure, retried with backoff', () => {
    expect(outcome().metrics.TransientRetries).toBeGreaterThan(0);
    expect(outcome().received).toBeGreaterThan(keys.length);
  });
  test('THEN after recovery each key is applied exactly once and nothing is in the DLQ', () => {
    expect(outcome().rowsPerKey).toEqual(once(keys));
    expect(outcome().idempotencyRows).toBe(keys.length);
    expect(outcome().deadLetters).toHaveLength(0);
  });
}

/** true while a COMMIT of the app user runs on the server (the fixture's deferred trigger makes it last 3 s). */
function commitInFlight(stack: LocalStack): Promise<boolean> {
  return withConnection(stack.postgres.superuserConnectionString, async (db) => (await db.query(
    "select 1 from pg_stat_activity where usename = $1 and state = 'active' and query = 'COMMIT'", [stack.postgres.user])).rowCount === 1);
}

/** Established TCP connections to `port` on 127.0.0.1 (the clients of PgBouncer). */
function clientConnections(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

// maxReceiveCount 10: local-aws-sqs adds one receive per ChangeMessageVisibility (docs/local-stack.md), which real SQS does not.
describe('EDA-11 #5/#6 GIVEN a slow database (statement timeout 1 s; 5 writes whose first attempt sleeps 3 s) and a 4 s function timeout', () => {
  const env = useFaultStack({ statementTimeoutMs: 1_000, visibilityTimeoutSeconds: 8, maxReceiveCount: 10 });

  describe.each(MODES)('WHEN the %s writer gets a batch of a poison message, 5 slow writes and 4 fast ones', (mode) => {
    let outcome: Outcome;
    const prefix = `slow-${mode}-`;
    const keys = ids(prefix, 9);
    const poisonBody = `not json ${prefix}poison`;
    beforeAll(async () => {
      outcome = await runScenario(env.stack, env.sqs, {
        prefix,
        messages: [{ body: poisonBody, idempotencyKey: `${prefix}poison` }, ...keys.map((id, i) => faultOrder(id, i < 5 ? { sleepSeconds: 3 } : {}))],
        // A breaker that does not open, so the time budget alone must keep the invocation within its timeout.
        writer: { mode, concurrency: 1, timeoutMs: 4_000, batchSize: 10, fixture: { EDA_FIXTURE_BREAKER_THRESHOLD: '1000' } },
      });
    }, 150_000);

    test('THEN no invocation was killed by its timeout: the writer returned before it', () => {
      expect(outcome.timeouts).toBe(0);
      expect(outcome.crashes).toBe(0);
    });
    test('THEN the records that did not fit were returned unprocessed (WritesDeferred) and the statement timeouts retried', () => {
      expect(outcome.metrics.WritesDeferred).toBeGreaterThan(0);
      expect(outcome.metrics.TransientRetries).toBeGreaterThan(0);
    });
    test('THEN the poison message is in the DLQ exactly once', () => {
      expect(outcome.deadLetters.filter((m) => m.Body === poisonBody)).toHaveLength(1);
      expect(outcome.deadLetters).toHaveLength(1);
    });
    test('THEN every write is applied exactly once', () => {
      expect(outcome.rowsPerKey).toEqual(once(keys));
      expect(outcome.idempotencyRows).toBe(keys.length);
    });
  });
});
