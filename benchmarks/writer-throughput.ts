/**
 * Writer throughput with idempotency, next to COPY measured in the same run.
 *
 * Every message becomes two rows (its idempotency key in eda_idempotency_keys and its effect in `orders`), in
 * the real sqlWriter running in Lambda-like execution environments (child processes, EDA_POOL_MAX=1) that
 * connect through PgBouncer. Events are handed to the environments directly, so the number measures the
 * writer and the database, not the local SQS emulator (whose ReceiveMessage polls every 10 ms); one extra
 * line measures the whole pipeline through the local SQS for reference.
 * COPY loads the same rows (both tables, keys with their primary-key index) straight into Postgres with psql:
 * the physical limit of this machine.
 *
 *   npm run bench:writer     (QUICK=1 for a short run; MODES=batch-effect,set-based to run
 *                                               only those writer modes; COPY and in-process rows always run)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { Client } from 'pg';
import { benchRecord as record } from './fixtures/bench-record';
import { LocalFunction } from '../packages/local/src/local-function';
import { LocalStack } from '../packages/local/src/local-stack';
import { LocalSqsEventSource } from '../packages/local/src/sqs-event-source';
import { POSTGRES_BIN } from '../packages/local/src/system-command';
import { order, sendAll } from '../packages/local/test/writer-harness';
import { migrationSql } from '../packages/runtime/src/sql/idempotency-sql';

const QUICK = process.env.QUICK === '1';
const scale = (n: number) => (QUICK ? Math.max(1000, Math.floor(n / 10)) : n);

interface Scenario {
  /** set-based: benchmarks/fixtures/set-based-writer.ts, a reference outside the library. */
  /** batch-effect: sqlWriter batch mode with a set-based batchEffect (one unnest insert per batch). */
  readonly mode: 'per-message' | 'batch' | 'batch-effect' | 'set-based';
  readonly batchSize: number;
  readonly consumers: number;
  readonly messages: number;
}

const ALL_SCENARIOS: Scenario[] = [];
for (const consumers of [1, 2, 4]) ALL_SCENARIOS.push({ mode: 'per-message', batchSize: 10, consumers, messages: scale(20_000) });
for (const mode of ['batch', 'batch-effect', 'set-based'] as const) {
  for (const batchSize of [10, 100, 1000]) {
    for (const consumers of [1, 2, 4]) {
      ALL_SCENARIOS.push({ mode, batchSize, consumers, messages: scale(batchSize === 10 ? 50_000 : 100_000) });
    }
  }
}
const MODES = process.env.MODES?.split(',');
const SCENARIOS = ALL_SCENARIOS.filter((s) => !MODES || MODES.includes(s.mode));

const ORDERS_DDL = 'create table if not exists orders(id text not null, total int not null check (total >= 0), correlation_id text)';

async function reset(db: Client): Promise<void> {
  await db.query('truncate orders');
  await db.query('truncate eda_idempotency_keys');
  await db.query('vacuum analyze orders');
}

/** psql `\copy … from stdin` of `messages` key rows and effect rows; returns messages per second. */
async function copyRate(stack: LocalStack, messages: number): Promise<number> {
  const db = new Client({ connectionString: stack.postgres.connectionString });
  await db.connect();
  await db.query('drop table if exists copy_keys, copy_orders');
  await db.query('create table copy_keys("key" text primary key, message_id text not null, correlation_id text, applied_at timestamptz not null default now())');
  await db.query('create table copy_orders(id text not null, total int not null check (total >= 0), correlation_id text)');
  await db.end();
  const keys = Array.from({ length: messages }, (_, i) => `copy-${i}\tm-copy-${i}\tc-copy-${i}\n`).join('');
  const effects = Array.from({ length: messages }, (_, i) => `copy-${i}\t${i % 100}\tc-copy-${i}\n`).join('');
  const psql = (table: string, data: string) => new Promise<void>((resolve, reject) => {
    const child = spawn(join(POSTGRES_BIN, 'psql'), [stack.postgres.connectionString, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy ${table} from stdin`],
      { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
    child.stdin.end(data);
  });
  const started = performance.now();
  await psql('copy_keys("key", message_id, correlation_id)', keys);
  await psql('copy_orders(id, total, correlation_id)', effects);
  return messages / ((performance.now() - started) / 1000);
}

async function writerRate(stack: LocalStack, db: Client, scenario: Scenario): Promise<{ rate: number; rows: number }> {
  await reset(db);
  const fn = new LocalFunction({
    handlerModule: join(__dirname, 'fixtures', scenario.mode === 'set-based' ? 'set-based-writer.ts' : 'bench-writer.ts'),
    environment: { ...stack.environment(), BENCH_WRITER_MODE: scenario.mode, POWERTOOLS_LOG_LEVEL: 'WARN' },
    timeoutMs: 120_000,
    maxEnvironments: scenario.consumers,
  });
  const events: SQSEvent[] = [];
  for (let start = 0; start < scenario.messages; start += scenario.batchSize) {
    const size = Math.min(scenario.batchSize, scenario.messages - start);
    events.push({ Records: Array.from({ length: size }, (_, i) => record(`${scenario.mode}-${start + i}`, start + i)) });
  }
  try {
    await fn.warm();
    // One warm-up invocation per environment creates the idempotency table and the pool's connection.
    await Promise.all(Array.from({ length: scenario.consumers }, (_, i) => fn.invoke({ Records: [record(`warmup-${i}`, i)] })));
    await reset(db);
    let next = 0;
    const consumer = async () => {
      while (next < events.length) {
        const response = await fn.invoke(events[next++]) as { batchItemFailures?: unknown[] };
        if (response?.batchItemFailures?.length) throw new Error(`failures: ${JSON.stringify(response.batchItemFailures)}`);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: scenario.consumers }, consumer));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from orders');
    return { rate: scenario.messages / seconds, rows: rows[0].n };
  } finally {
    await fn.close();
  }
}

/**
 * The set-based SQL of the reference writer run in this process on `consumers` connections through PgBouncer,
 * batches of 1000, without Lambda emulation (no events, no IPC): the database-side ceiling of that SQL.
 */
async function inProcessSetBasedRate(stack: LocalStack, db: Client, consumers: number): Promise<number> {
  await reset(db);
  const messages = scale(100_000);
  const batchSize = 1000;
  const clients = await Promise.all(Array.from({ length: consumers }, async () => {
    const client = new Client({ connectionString: stack.pgbouncer.connectionString });
    await client.connect();
    return client;
  }));
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(clients.map(async (client) => {
      while (next < messages) {
        const start = next;
        next += batchSize;
        const keys = Array.from({ length: Math.min(batchSize, messages - start) }, (_, i) => `inproc-${start + i}`);
        await client.query('begin');
        const claimed = await client.query<{ key: string }>(`insert into eda_idempotency_keys("key", message_id, correlation_id)
          select * from unnest($1::text[], $2::text[], $3::text[]) on conflict ("key") do nothing returning "key"`,
        [keys, keys.map((key) => `m-${key}`), keys.map((key) => `c-${key}`)]);
        const fresh = claimed.rows.map((row) => row.key);
        await client.query('insert into orders(id, total, correlation_id) select * from unnest($1::text[], $2::int[], $3::text[])',
          [fresh, fresh.map((_, i) => i % 100), fresh.map((key) => `c-${key}`)]);
        await client.query('commit');
      }
    }));
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return messages / ((performance.now() - started) / 1000);
}

/** 10,000 messages through the whole local pipeline: SQS → event source → 2 environments → PgBouncer → Postgres. */
async function pipelineRate(stack: LocalStack, db: Client, mode: 'per-message' | 'batch' | 'batch-effect'): Promise<number> {
  await reset(db);
  const sqs = stack.sqs.createClient();
  const messages = scale(10_000);
  await sendAll(sqs, stack.sqs.queueUrl, Array.from({ length: messages }, (_, i) => order(`pipe-${mode}-${i}`)));
  const fn = new LocalFunction({
    handlerModule: join(__dirname, 'fixtures', 'bench-writer.ts'),
    environment: { ...stack.environment(), BENCH_WRITER_MODE: mode, POWERTOOLS_LOG_LEVEL: 'WARN' },
    maxEnvironments: 2,
  });
  await fn.warm();
  const source = new LocalSqsEventSource({ client: sqs, queueUrl: stack.sqs.queueUrl, target: fn, maxConcurrency: 2 });
  const started = performance.now();
  try {
    await source.start();
    await source.waitUntilDrained(300_000, 1);
  } finally {
    await source.stop();
    await fn.close();
    sqs.destroy();
  }
  return messages / ((performance.now() - started) / 1000);
}

const k = (rate: number) => `${(rate / 1000).toFixed(1)}k`;

async function main(): Promise<void> {
  const stack = await LocalStack.up();
  const db = new Client({ connectionString: stack.postgres.connectionString });
  await db.connect();
  await db.query(ORDERS_DDL);
  await db.query(migrationSql('postgres'));
  try {
    const copyMessages = scale(100_000);
    const copy = await copyRate(stack, copyMessages);
    console.log(`COPY: ${k(copy)} msgs/s (${copyMessages} key rows + ${copyMessages} effect rows)`);
    const lines: string[] = [];
    for (const scenario of SCENARIOS) {
      const { rate, rows } = await writerRate(stack, db, scenario);
      if (rows !== scenario.messages) throw new Error(`expected ${scenario.messages} rows, found ${rows}`);
      const line = `| ${scenario.mode} | ${scenario.batchSize} | ${scenario.consumers} | ${scenario.messages} | ${k(rate)} | ${(rate / copy).toFixed(2)} |`;
      console.log(line);
      lines.push(line);
    }
    for (const consumers of [1, 2, 4]) {
      const rate = await inProcessSetBasedRate(stack, db, consumers);
      const line = `| set-based SQL in-process (no Lambda emulation) | 1000 | ${consumers} | ${scale(100_000)} | ${k(rate)} | ${(rate / copy).toFixed(2)} |`;
      console.log(line);
      lines.push(line);
    }
    const pipeline: string[] = [];
    for (const mode of ['per-message', 'batch', 'batch-effect'] as const) {
      if (MODES && !MODES.includes(mode)) continue;
      const rate = await pipelineRate(stack, db, mode);
      const line = `| ${mode}, through local SQS (batch 10, 2 consumers) | ${k(rate)} | ${(rate / copy).toFixed(2)} |`;
      console.log(line);
      pipeline.push(line);
    }
    console.log(`\nCOPY baseline (same run): ${k(copy)} msgs/s (= key row + effect row per message)\n`);
    console.log('| mode | batch size | consumers | messages | msgs/s | × COPY |');
    console.log('|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
    console.log('\n| pipeline | msgs/s | × COPY |');
    console.log('|---|---|---|');
    for (const line of pipeline) console.log(line);
  } finally {
    await db.end();
    await stack.down();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
