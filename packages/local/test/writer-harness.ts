import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { Client } from 'pg';
import { ATTRIBUTES } from '../../runtime/src/queue/message-attributes';
import { InvocationError, LocalFunction } from '../src/local-function';
import { LocalStack } from '../src/local-stack';
import { LocalSqsEventSource } from '../src/sqs-event-source';

/**
 * Drives the real writer (packages/local/test/fixtures/order-writer.ts, built with sqlWriter) the way Lambda does:
 * execution environments in child processes behind the local SQS event source, against the local stack.
 */

/** Sums of the writer's EMF metrics over every invocation. */
export interface WriterMetrics {
  WritesApplied: number;
  DuplicatesSkipped: number;
  PoisonMessages: number;
  TransientRetries: number;
  WritesDeferred: number;
}

export interface WriterRunOptions {
  readonly mode: 'per-message' | 'batch';
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly batchSize?: number;
  readonly maximumBatchingWindowMs?: number;
  /** Extra variables: EDA_FIXTURE_* knobs, EDA_BACKOFF_*, or overrides of the stack's environment (e.g. EDA_WRITE_PORT). */
  readonly fixture?: Record<string, string>;
  /** The writer module. @default fixtures/order-writer.ts */
  readonly handlerModule?: string;
  /** Sees every batch the event source delivers, before the writer runs it. */
  readonly onDelivery?: (records: readonly SQSRecord[]) => void;
}

export interface WriterRun {
  readonly fn: LocalFunction;
  readonly source: LocalSqsEventSource;
  readonly metrics: WriterMetrics;
  readonly stallDir: string;
  /** Invocations whose execution environment died (e.g. an uncaught exception), as opposed to timeouts. */
  readonly crashes: () => number;
  stop(): Promise<void>;
}

export const ORDERS_DDL = `create table if not exists orders(
  id text not null,
  total int not null check (total >= 0),
  correlation_id text
)`;

/** Starts warm execution environments of the fixture writer and the event source feeding them. */
export async function startWriter(stack: LocalStack, sqs: SQSClient, options: WriterRunOptions): Promise<WriterRun> {
  const metrics: WriterMetrics = { WritesApplied: 0, DuplicatesSkipped: 0, PoisonMessages: 0, TransientRetries: 0, WritesDeferred: 0 };
  let crashes = 0;
  const stallDir = mkdtempSync(join(tmpdir(), 'eda-stall-'));
  const concurrency = options.concurrency ?? 2;
  const fn = new LocalFunction({
    handlerModule: options.handlerModule ?? join(__dirname, 'fixtures', 'order-writer.ts'),
    functionName: `order-writer-${options.mode}`,
    environment: {
      ...stack.environment(),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_NAMESPACE: 'LocalStack',
      EDA_FIXTURE_MODE: options.mode,
      EDA_FIXTURE_STALL_DIR: stallDir,
      ...options.fixture,
    },
    timeoutMs: options.timeoutMs ?? 10_000,
    // tsx compiles the TypeScript fixture at each cold start: on a loaded 2-core machine that can exceed Lambda's 10 s.
    initTimeoutMs: 60_000,
    maxEnvironments: concurrency,
    onLogLine: (line) => {
      if (!line.includes('"_aws"')) return;
      try {
        const emf = JSON.parse(line) as Record<string, unknown>;
        for (const name of Object.keys(metrics) as Array<keyof WriterMetrics>) {
          if (typeof emf[name] === 'number') metrics[name] += emf[name] as number;
        }
      } catch {
        // not an EMF line
      }
    },
  });
  await fn.warm();
  const source = new LocalSqsEventSource({
    client: sqs,
    queueUrl: stack.sqs.queueUrl,
    target: {
      invoke: (event) => {
        options.onDelivery?.(event.Records);
        return fn.invoke(event).catch((error: unknown) => {
          if (error instanceof InvocationError && error.kind === 'crash') crashes++;
          throw error;
        });
      },
    },
    maxConcurrency: concurrency,
    waitTimeSeconds: 1,
    batchSize: options.batchSize,
    maximumBatchingWindowMs: options.maximumBatchingWindowMs,
  });
  await source.start();
  return {
    fn,
    source,
    metrics,
    stallDir,
    crashes: () => crashes,
    stop: async () => {
      await source.stop();
      await fn.close();
      rmSync(stallDir, { recursive: true, force: true });
    },
  };
}

/** One message to send: a JSON body with its idempotency key, or raw text (poison) without or with a key. */
export interface OutgoingMessage {
  readonly body: string;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
}

export const order = (id: string, total = 1, extra: Record<string, unknown> = {}): OutgoingMessage => ({
  body: JSON.stringify({ id, total, ...extra }), idempotencyKey: id, correlationId: `corr-${id}`,
});

/** Sends messages in batches of 10 (SendMessageBatch's limit), `parallel` calls at a time. */
export async function sendAll(sqs: SQSClient, queueUrl: string, messages: readonly OutgoingMessage[], parallel = 8): Promise<void> {
  const batches: OutgoingMessage[][] = [];
  for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const result = await sqs.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, j) => ({
          Id: String(j),
          MessageBody: message.body,
          MessageAttributes: {
            ...(message.idempotencyKey ? { [ATTRIBUTES.idempotencyKey]: { DataType: 'String', StringValue: message.idempotencyKey } } : {}),
            ...(message.correlationId ? { [ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: message.correlationId } } : {}),
          },
        })),
      }));
      if (result.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(result.Failed)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Receives every message of a queue (bounded: at most `max` messages, 10 empty polls). */
export async function drainQueue(sqs: SQSClient, queueUrl: string, max = 1000): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 3 && messages.length < max;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 600,
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }));
    if (!Messages?.length) {
      empty++;
      continue;
    }
    messages.push(...Messages);
  }
  return messages;
}

/** Rows, distinct ids and ids present more than once, for ids starting with `prefix`. */
export async function orderCounts(db: Client, prefix: string): Promise<{ rows: number; distinct: number; doubled: number }> {
  const { rows } = await db.query<{ rows: number; distinct: number; doubled: number }>(`
    select count(*)::int as rows, count(distinct id)::int as distinct,
      (select count(*)::int from (select id from orders where id like $1 group by id having count(*) > 1) d) as doubled
    from orders where id like $1`, [`${prefix}%`]);
  return rows[0];
}

/** Waits until `predicate` holds (checked every 50 ms), at most `timeoutMs`. */
export async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Declares a proof's last test: nothing the runtime sent through the local pool would pin an RDS Proxy session
 * (docs/local-stack.md, "Session pinning"). PgBouncer never pins, so without this check SET commands, temporary
 * tables or advisory locks would pass locally and quietly defeat RDS Proxy's multiplexing in AWS. Declare it after
 * the proof's other tests: jest runs tests in declaration order.
 */
export function testNoPinning(stack: () => LocalStack | undefined): void {
  test('THEN no statement the runtime sent would pin an RDS Proxy session', () => {
    const detector = stack()!.pinning;
    expect({ checked: detector.stats.statementsChecked > 0, unreadable: detector.stats.opaqueConnections, findings: detector.findings() })
      .toEqual({ checked: true, unreadable: 0, findings: [] });
  });
}

/** Runs `fn` on a fresh connection (a restart of Postgres kills long-lived ones), closed afterwards. */
export async function withConnection<T>(connectionString: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString });
  db.on('error', () => undefined);
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}
