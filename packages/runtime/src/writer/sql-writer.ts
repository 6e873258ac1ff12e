import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { extendVisibility, sendToDeadLetterQueue } from './failure-routing';
import { bodyFingerprint, claimKey, claimKeys, ensureIdempotencyTable, IdempotencyTableLayout } from './idempotency-store';
import { InvocationBudget } from './invocation-budget';
import { correlationIdOf, IdempotencyKeyExtractor, parseWriteMessage, WriteMessage } from './write-message';
import { readQueueSettings } from '../config/environment';
import { Database, database, runGuarded } from '../connections/database-registry';
import type { SqlExecutor } from '../connections/sql-pool';
import { IdempotencyKeyReuseError, IdempotencyTableLayoutError, TimeBudgetExhaustedError } from '../errors';
import { CORRELATION_LOG_KEY } from '../observability/correlation';
import { METRIC_NAMES, runtimeLogger, runtimeMetrics, RuntimeLogger, RuntimeMetrics } from '../observability/telemetry';
import { traced } from '../observability/tracing';
import { queueUrlFromArn } from '../queue/sqs-client';
import { classifyError, ErrorClassification } from '../resilience/error-classification';
import type { VisibilityBackoffOptions } from '../resilience/visibility-backoff';

/** Applies one write inside the transaction that records its idempotency key. */
export type WriteEffect<Body = unknown> = (tx: SqlExecutor, message: WriteMessage<Body>) => Promise<void>;

/**
 * Applies the writes of all newly claimed messages of a batch at once (e.g. one
 * `insert … select * from unnest($1::text[], $2::bigint[])`), inside the transaction that claimed their keys.
 * Receives ONLY the messages whose key was new; duplicates (within the batch or already recorded) are left out.
 */
export type BatchWriteEffect<Body = unknown> = (tx: SqlExecutor, messages: ReadonlyArray<WriteMessage<Body>>) => Promise<void>;

/** How a message's write came to be committed, passed to the after-commit hook. */
export interface CommittedWrite {
  /**
   * true when the key was already recorded (a redelivery): the write was committed by an earlier delivery,
   * whose hook may not have run (e.g. the function timed out between COMMIT and the hook).
   */
  readonly duplicate: boolean;
}

/** Runs after the transaction that recorded `message`'s key has committed (see SqlWriterOptions.afterCommit). */
export type AfterCommitHook<Body = unknown> = (message: WriteMessage<Body>, write: CommittedWrite) => Promise<void> | void;

/** Runs once per invocation with every message whose write is committed (see SqlWriterOptions.afterBatchCommit). */
export type AfterBatchCommitHook<Body = unknown> = (messages: ReadonlyArray<WriteMessage<Body>>) => Promise<void> | void;

/** The Lambda handler returned by {@link sqlWriter}. */
export type SqsWriterHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * per-message: one transaction per message (key + effect).
 * batch: one transaction for all new messages of the batch (multi-row key claim, then the effects
 * of the new keys); any failure in it re-runs the batch per message to isolate the culprit.
 */
export type WriterMode = 'per-message' | 'batch';

/** Options of {@link sqlWriter}. */
export interface SqlWriterOptions {
  /** Transaction layout. @default 'per-message' */
  readonly mode?: WriterMode;
  /**
   * Set-based effect of batch mode: called once per batch with the newly claimed messages instead of calling
   * the per-message effect once per message (one round trip each). If the batch transaction fails with a
   * non-connection error, the batch is re-run message by message with the per-message effect (first argument
   * of sqlWriter), which isolates the poison message; so both effects must write the same thing.
   * Ignored in per-message mode. @default none (batch mode calls the per-message effect once per new message)
   */
  readonly batchEffect?: BatchWriteEffect<any>;
  /**
   * Called for each message once the transaction that recorded its key has COMMITTED — never inside the
   * transaction, never for a rolled-back one. The place for side effects that must see the committed state,
   * such as ``invalidate(`order:${message.body.id}`)``: invalidating inside the effect (before COMMIT) lets a
   * concurrent read cache the old value for its whole TTL. Also called for duplicates (key already recorded,
   * `write.duplicate`), so a redelivery after a crash between COMMIT and the hook still runs it; the hook must
   * therefore be idempotent. A hook failure is logged and counted (metric AfterCommitFailures) but does not fail
   * the message: the write is committed, and a retry would only find a duplicate. Bound the hook's own time.
   * Batch mode: called after the batch transaction committed, for each message in batch order.
   * @default none
   */
  readonly afterCommit?: AfterCommitHook<any>;
  /**
   * Called once per invocation, after every message was handled, with the messages whose write is committed
   * (applied now or duplicates, in the order they were handled), e.g. one multi-key `invalidate`. Not called
   * when none is. Failures are logged and counted like those of `afterCommit`.
   * @default none
   */
  readonly afterBatchCommit?: AfterBatchCommitHook<any>;
  /** Key of messages without the eda-idempotency-key attribute. @default none (such messages are poison) */
  readonly idempotencyKey?: IdempotencyKeyExtractor;
  /**
   * Create eda_idempotency_keys on first use when it is missing. Its layout is checked either way (once per
   * execution environment): a MySQL key column that lets distinct keys collide fails every write, retried, until
   * the table is upgraded. @default true
   */
  readonly ensureTable?: boolean;
  /**
   * Record a SHA-256 fingerprint of each message body with its key: a recorded key arriving with a different
   * body is then a permanent IdempotencyKeyReuseError (dead-letter queue, code EDA_IDEMPOTENCY_KEY_REUSED)
   * instead of a skipped duplicate. Needs the body_sha256 column (tables of earlier versions: docs/operations.md).
   * Turn it off when redeliveries of one write may carry different bodies. @default true
   */
  readonly payloadFingerprint?: boolean;
  /**
   * Backoff of transient failures (visibility timeout), over the settings the constructs put in the environment
   * (EDA_BACKOFF_*, EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: the numbers the budget report's tolerated outage uses).
   * @default the environment's, else 64 s doubling, capped at 900 s, 20 % jitter, never below the queue's visibility timeout
   */
  readonly backoff?: VisibilityBackoffOptions;
  /** Override of the error classification; return undefined to use the default. @default classifyError */
  readonly classifyError?: (error: unknown) => ErrorClassification | undefined;
  /** Where permanent failures go. @default EDA_DEAD_LETTER_QUEUE_URL */
  readonly deadLetterQueueUrl?: string;
  /** Queue whose message visibility is extended. @default EDA_WRITE_QUEUE_URL, else derived from the event source ARN */
  readonly queueUrl?: string;
  /** Database to write to. @default the shared writer (EDA_WRITE_HOST) */
  readonly database?: () => Database;
  /** Logger. @default the shared Powertools Logger */
  readonly logger?: RuntimeLogger;
  /** Metrics (published after every batch). @default the shared Powertools Metrics */
  readonly metrics?: RuntimeMetrics;
  /** Tracer: one subsegment per transaction, annotated with the correlation id. @default no tracing */
  readonly tracer?: Tracer;
  /** Randomness of the backoff jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * Time kept free at the end of each invocation, after the last database transaction, for dead-letter sends,
   * visibility changes and metrics. No statement runs past `getRemainingTimeInMillis() - timeReserveMs`, and no
   * transaction starts when the slowest one of the invocation would not fit before that: the records left are
   * returned as batch item failures without backoff (counted as WritesDeferred) instead of the invocation being
   * killed by its timeout, which would return the whole batch. @default 1000
   */
  readonly timeReserveMs?: number;
}

interface BatchStats {
  applied: number;
  duplicates: number;
  poison: number;
  transient: number;
  afterCommitFailures: number;
  /** Messages whose write is committed in this invocation, for afterBatchCommit. */
  readonly committed: WriteMessage<any>[];
  deferred: number;
  readonly correlationIds: Set<string>;
  readonly transientRecords: SQSRecord[];
}

/** What the batch transaction of batch mode decided before the per-record pass. */
interface BatchOutcome {
  /** The batch transaction committed: every record not in `failures` is applied or a duplicate. */
  readonly committed: boolean;
  /** Records that failed before or instead of the transaction (bad message, reused key, database unreachable), by message id. */
  readonly failures: ReadonlyMap<string, unknown>;
}

const NO_BATCH: BatchOutcome = { committed: false, failures: new Map() };

// Metadata is per EMF blob: cap the list of correlation ids of a big batch.
const MAX_CORRELATION_IDS_IN_METRICS = 50;
const DEFAULT_TIME_RESERVE_MS = 1_000;

/**
 * Builds an SQS handler (ReportBatchItemFailures) that applies each message exactly once:
 *
 * ```ts
 * export const handler = sqlWriter(async (tx, message) => {
 *   await tx.query('insert into orders(id, total) values ($1, $2)', [message.body.id, message.body.total]);
 * });
 * ```
 *
 * Duplicates (key already recorded) are skipped and counted. Transient failures become batch item
 * failures and their visibility is extended with exponential backoff; permanent failures are sent
 * to EDA_DEAD_LETTER_QUEUE_URL with their context and acknowledged. Every failure is logged with
 * its classification. Enable `reportBatchItemFailures` on the event source mapping.
 */
export function sqlWriter<Body = unknown>(effect: WriteEffect<Body>, options: SqlWriterOptions = {}): SqsWriterHandler {
  const mode = options.mode ?? 'per-message';
  let tableReady: Promise<IdempotencyTableLayout> | undefined;
  let layoutErrorLogged = false;

  return async (event, context) => {
    const logger = options.logger ?? runtimeLogger();
    const metrics = options.metrics ?? runtimeMetrics();
    const db = (options.database ?? (() => database('writer')))();
    const stats: BatchStats = {
      applied: 0,
      duplicates: 0,
      poison: 0,
      transient: 0,
      deferred: 0,
      afterCommitFailures: 0,
      committed: [],
      correlationIds: new Set(),
      transientRecords: [],
    };
    const budget = new InvocationBudget(context, options.timeReserveMs ?? DEFAULT_TIME_RESERVE_MS, db.pool.statementTimeoutMs);
    const classify = (error: unknown) => options.classifyError?.(error) ?? classifyError(error);
    // Read once per invocation (and at its start, so a bad EDA_* value fails the invocation, not only its failures).
    const queueSettings = readQueueSettings();
    const deadLetterQueueUrl = options.deadLetterQueueUrl ?? queueSettings.deadLetterQueueUrl;
    const afterCommit = options.afterCommit as AfterCommitHook<Body> | undefined;
    let duplicatesPerRecord = 0;
    // The committed messages are only kept when a hook will read them.
    const keepCommitted = options.afterBatchCommit !== undefined;
    const noteCorrelationId = (record: SQSRecord): void => {
      // Only the first MAX_CORRELATION_IDS_IN_METRICS distinct ids are published: stop collecting there.
      if (stats.correlationIds.size >= MAX_CORRELATION_IDS_IN_METRICS) return;
      const correlationId = correlationIdOf(record);
      if (correlationId) stats.correlationIds.add(correlationId);
    };

    const ensureTable = async (): Promise<IdempotencyTableLayout> => {
      tableReady ??= db.breaker.execute(() => ensureIdempotencyTable(db.pool, { create: options.ensureTable !== false })).then((layout) => {
        if (layout.present && !layout.bodyFingerprint && options.payloadFingerprint !== false) {
          logger.warn('eda_idempotency_keys has no body_sha256 column: a reused key with a different body is skipped as a duplicate; upgrade the table (docs/operations.md)');
        }
        return layout;
      }).catch((error) => {
        tableReady = undefined;
        if (error instanceof IdempotencyTableLayoutError && !layoutErrorLogged) {
          layoutErrorLogged = true;
          logger.error('idempotency table refused: every write is retried until it is upgraded', { error_code: error.code, error: error.message });
        }
        throw error;
      });
      return tableReady;
    };
    const fingerprintOf = (layout: IdempotencyTableLayout, message: WriteMessage<Body>): string | undefined =>
      layout.bodyFingerprint && options.payloadFingerprint !== false ? bodyFingerprint(message.record.body) : undefined;
    const rowOf = (layout: IdempotencyTableLayout, message: WriteMessage<Body>) => ({
      key: message.idempotencyKey, messageId: message.messageId, correlationId: message.correlationId, bodySha256: fingerprintOf(layout, message),
    });

    // After COMMIT only: a hook failure cannot undo the write, so it is logged and counted, never rethrown.
    const runHook = async (hook: string, call: () => Promise<void> | void, context_: Record<string, unknown> = {}): Promise<void> => {
      try {
        await call();
      } catch (error) {
        stats.afterCommitFailures++;
        logger.error(`${hook} hook failed after the write committed: not retried`, { ...context_, error: String(error) });
      }
    };
    const committed = async (message: WriteMessage<Body>, duplicate: boolean): Promise<void> => {
      if (keepCommitted) stats.committed.push(message);
      if (afterCommit) await runHook('afterCommit', () => afterCommit(message, { duplicate }), { idempotency_key: message.idempotencyKey });
    };

    const applyOne = async (message: WriteMessage<Body>, layout: IdempotencyTableLayout): Promise<void> => {
      const isNew = await traced(options.tracer, 'eda-write', { correlationId: message.correlationId, idempotencyKey: message.idempotencyKey }, () =>
        budget.run((deadline) => runGuarded(db, async (tx) => {
          const claimed = await claimKey(tx, rowOf(layout, message));
          if (claimed) await effect(tx, message);
          return claimed;
        }, { deadline })));
      if (isNew) {
        // No log line per applied write, not even at debug: every Powertools log call reads the environment
        // several times even when its level filters it out (EDA-15); WritesApplied counts them.
        stats.applied++;
      } else {
        // Per record at debug only: a redelivery storm must not log a line per message; the invocation logs the count.
        stats.duplicates++;
        duplicatesPerRecord++;
        logger.debug('duplicate write skipped', { idempotency_key: message.idempotencyKey });
      }
      if (keepCommitted || afterCommit) await committed(message, !isNew);
    };

    const fail = async (record: SQSRecord, error: unknown, idempotencyKey?: string): Promise<void> => {
      if (error instanceof TimeBudgetExhaustedError) {
        // Not a failure of the message: returned as is (it was received, so its receive count went up; no
        // backoff on top) and processed by a later invocation.
        stats.deferred++;
        throw error;
      }
      const verdict = classify(error);
      const context_ = { message_id: record.messageId, error_class: verdict.errorClass, error_code: verdict.code, error: verdict.message };
      if (verdict.errorClass === 'transient') {
        stats.transient++;
        stats.transientRecords.push(record);
        logger.warn('transient write failure: retried with backoff', context_);
        throw error;
      }
      stats.poison++;
      if (!deadLetterQueueUrl) {
        logger.error('permanent write failure but EDA_DEAD_LETTER_QUEUE_URL is not set: left to the redrive policy', context_);
        throw error;
      }
      let copy;
      try {
        copy = await sendToDeadLetterQueue(record, verdict, deadLetterQueueUrl, idempotencyKey);
      } catch (sendError) {
        logger.error('permanent write failure and sending it to the dead-letter queue failed: retried', { ...context_, send_error: String(sendError) });
        throw error;
      }
      logger.error('permanent write failure: sent to the dead-letter queue', { ...context_, dead_letter_context: copy.context, dropped_attributes: copy.droppedAttributes });
    };

    const batch = mode === 'batch' ? await applyBatch(event.Records) : NO_BATCH;

    async function applyBatch(records: readonly SQSRecord[]): Promise<BatchOutcome> {
      const failures = new Map<string, unknown>();
      const candidates: WriteMessage<Body>[] = [];
      const firstByKey = new Map<string, WriteMessage<Body>>();
      const inBatchDuplicates: WriteMessage<Body>[] = [];
      for (const record of records) {
        try {
          const message = parseWriteMessage<Body>(record, options.idempotencyKey);
          const first = firstByKey.get(message.idempotencyKey);
          if (first) {
            inBatchDuplicates.push(message);
          } else {
            firstByKey.set(message.idempotencyKey, message);
            candidates.push(message);
          }
        } catch (error) {
          failures.set(record.messageId, error);
        }
      }
      const failAll = (error: unknown): BatchOutcome => {
        for (const message of candidates) failures.set(message.messageId, error);
        for (const message of inBatchDuplicates) failures.set(message.messageId, error);
        return { committed: false, failures };
      };
      if (candidates.length === 0) return { committed: false, failures };
      if (!budget.fits()) return failAll(new TimeBudgetExhaustedError('batch transaction'));
      let claimedInBatch: ReadonlySet<string>;
      try {
        const layout = await ensureTable();
        // A key repeated in the batch with another body is a reused key, not a duplicate of the first.
        if (inBatchDuplicates.length > 0) {
          for (const message of inBatchDuplicates.splice(0)) {
            const first = firstByKey.get(message.idempotencyKey)!;
            if (fingerprintOf(layout, message) === fingerprintOf(layout, first)) inBatchDuplicates.push(message);
            else failures.set(message.messageId, new IdempotencyKeyReuseError(message.idempotencyKey, message.messageId));
          }
        }
        claimedInBatch = await traced(options.tracer, 'eda-write-batch', {}, () => budget.run((deadline) => runGuarded(db, async (tx) => {
          const claimed = await claimKeys(tx, candidates.map((m) => rowOf(layout, m)));
          if (options.batchEffect) {
            const fresh = claimed.size === candidates.length ? candidates : candidates.filter((m) => claimed.has(m.idempotencyKey));
            if (fresh.length > 0) await (options.batchEffect as BatchWriteEffect<Body>)(tx, fresh);
          } else {
            for (const message of candidates) {
              if (claimed.has(message.idempotencyKey)) await effect(tx, message);
            }
          }
          return claimed;
        }, { deadline })));
      } catch (error) {
        const verdict = classify(error);
        // The database is unreachable, or its table refused: message by message would only repeat the same failure.
        if (verdict.connectionFailure || error instanceof IdempotencyTableLayoutError) return failAll(error);
        logger.warn('batch transaction failed: isolating the failing message per message', { error_code: verdict.code, error: verdict.message });
        return { committed: false, failures };
      }
      const duplicates = candidates.length - claimedInBatch.size + inBatchDuplicates.length;
      stats.applied += claimedInBatch.size;
      stats.duplicates += duplicates;
      // As in per-message mode: an info line only for duplicates (a redelivery to look into); the metrics count
      // every applied write. One info line per batch was a log line per invocation at Lambda's default level:
      // CPU on every invocation (EDA-15) and CloudWatch Logs volume, for what WritesApplied already says.
      if (duplicates > 0) logger.info('batch applied with duplicates skipped', { applied: claimedInBatch.size, duplicates });
      else logger.debug('batch applied', { applied: claimedInBatch.size });
      // After the commit: the batch transaction has committed, nothing the hooks do may re-run it. Batch order,
      // in-batch duplicates included (a duplicate is any message but the first of a key the transaction claimed).
      if (keepCommitted || afterCommit) {
        const messages = new Map<string, WriteMessage<Body>>();
        for (const message of candidates) messages.set(message.messageId, message);
        for (const message of inBatchDuplicates) messages.set(message.messageId, message);
        for (const record of records) {
          const message = failures.has(record.messageId) ? undefined : messages.get(record.messageId);
          if (message) await committed(message, !claimedInBatch.has(message.idempotencyKey) || firstByKey.get(message.idempotencyKey) !== message);
        }
      }
      return { committed: true, failures };
    }

    const recordHandler = async (record: SQSRecord): Promise<void> => {
      noteCorrelationId(record);
      // Applied by the batch transaction: nothing left to log for it (skips two logger calls per message).
      if (batch.committed && !batch.failures.has(record.messageId)) return;
      const correlationId = correlationIdOf(record);
      logger.appendKeys(correlationId ? { [CORRELATION_LOG_KEY]: correlationId, message_id: record.messageId } : { message_id: record.messageId });
      try {
        if (batch.failures.has(record.messageId)) return await fail(record, batch.failures.get(record.messageId));
        let message: WriteMessage<Body> | undefined;
        try {
          message = parseWriteMessage<Body>(record, options.idempotencyKey);
          if (!budget.fits()) throw new TimeBudgetExhaustedError('transaction');
          await applyOne(message, await ensureTable());
        } catch (error) {
          await fail(record, error, message?.idempotencyKey);
        }
      } finally {
        logger.removeKeys([CORRELATION_LOG_KEY, 'message_id']);
      }
    };

    const fifo = event.Records[0]?.eventSourceARN?.endsWith('.fifo') ?? false;
    // Every message may fail (database down): return the failures instead of throwing.
    const throwOnFullBatchFailure = false;
    // The batch transaction applied every record: no record is left for the per-record pass, nothing can fail, so
    // the batch processor (and its per-record work) is skipped; the answer is the one it would give.
    const allApplied = batch.committed && batch.failures.size === 0 && event.Records.length > 0;
    let response: SQSBatchResponse;
    if (allApplied) {
      for (const record of event.Records) noteCorrelationId(record);
      response = { batchItemFailures: [] };
    } else if (fifo) {
      // FIFO: in order; a transient failure fails the rest of its message group (order is kept).
      response = await processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
        context, skipGroupOnError: true, throwOnFullBatchFailure,
      }) as SQSBatchResponse;
    } else {
      // Sequential: the pool holds EDA_POOL_MAX (usually 1) connections anyway.
      response = await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
        context, processInParallel: false, throwOnFullBatchFailure,
      }) as SQSBatchResponse;
    }

    if (duplicatesPerRecord > 0) logger.info('duplicate writes skipped', { duplicates: duplicatesPerRecord });
    if (stats.transientRecords.length > 0) {
      const queueUrl = options.queueUrl ?? queueSettings.writeQueueUrl ?? queueUrlFromArn(stats.transientRecords[0].eventSourceARN);
      if (!queueUrl) {
        logger.warn('cannot extend visibility of transient failures: no queue URL');
      } else {
        try {
          const backoff = { ...queueSettings.backoff, ...options.backoff };
          const refused = await extendVisibility(stats.transientRecords, queueUrl, backoff, options.random);
          if (refused.length > 0) logger.warn('visibility not extended for some transient failures', { message_ids: refused });
        } catch (error) {
          // They are still batch item failures: they return after the queue's visibility timeout.
          logger.warn('extending visibility of transient failures failed', { error: String(error) });
        }
      }
    }
    if (stats.deferred > 0) {
      logger.warn('time budget exhausted: records returned unprocessed for a later invocation', { deferred: stats.deferred });
    }
    const batchHook = options.afterBatchCommit as AfterBatchCommitHook<Body> | undefined;
    if (batchHook && stats.committed.length > 0) await runHook('afterBatchCommit', () => batchHook(stats.committed), { messages: stats.committed.length });
    publish(stats, metrics);
    return response;
  };
}

function publish(stats: BatchStats, metrics: RuntimeMetrics): void {
  if (stats.applied + stats.duplicates + stats.poison + stats.transient + stats.deferred === 0) return;
  // Zeros too: alarms and dashboards then see a datapoint for every processed batch.
  metrics.addMetric(METRIC_NAMES.writesApplied, MetricUnit.Count, stats.applied);
  metrics.addMetric(METRIC_NAMES.duplicatesSkipped, MetricUnit.Count, stats.duplicates);
  metrics.addMetric(METRIC_NAMES.poisonMessages, MetricUnit.Count, stats.poison);
  metrics.addMetric(METRIC_NAMES.transientRetries, MetricUnit.Count, stats.transient);
  metrics.addMetric(METRIC_NAMES.writesDeferred, MetricUnit.Count, stats.deferred);
  if (stats.afterCommitFailures > 0) metrics.addMetric(METRIC_NAMES.afterCommitFailures, MetricUnit.Count, stats.afterCommitFailures);
  if (stats.correlationIds.size > 0) {
    metrics.addMetadata('correlation_ids', [...stats.correlationIds].slice(0, MAX_CORRELATION_IDS_IN_METRICS).join(','));
  }
  metrics.publishStoredMetrics();
}
