import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** How a function consumes the write buffer (the SQS event source mapping). */
export interface WriteBufferConsumerOptions {
  /**
   * Messages per invocation: 1–10,000 on a standard queue (above 10 requires `maxBatchingWindow`), 1–10 on FIFO.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the pollers gather messages before invoking (0–300 s); not supported on FIFO queues.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations this event source makes (2–1000, and at most the function's reserved
   * concurrency). Required when the function has reserved concurrency.
   * @default - no limit (only allowed when the function has no reserved concurrency)
   */
  readonly maxConcurrency?: number;
}

/**
 * The writers' backoff after a transient failure (the database is down, a deadlock): the visibility of the failed
 * message is set to base × 2^(receives − 1), capped, plus up to `jitter` × that, and never below the queue's
 * visibility timeout. Passed to every consumer's environment (EDA_BACKOFF_*), so the writer and the budget
 * report's tolerated outage use the same numbers.
 */
export interface TransientBackoff {
  /**
   * Visibility after the first failed receive (whole seconds).
   * @default Duration.seconds(64)
   */
  readonly base?: Duration;
  /**
   * Upper bound of the visibility (whole seconds, at most 12 hours, SQS's maximum visibility timeout).
   * @default Duration.minutes(15)
   */
  readonly max?: Duration;
  /**
   * Extra random delay, as a fraction of the computed one (0–1), to spread the retries after an outage.
   * @default 0.2
   */
  readonly jitter?: number;
}

/** A function consuming the write buffer, as recorded for the concurrency budget. */
export interface WriteBufferConsumer {
  /** The consumer function. */
  readonly function: lambda.IFunction;
  /**
   * Most concurrent invocations of this event source.
   * @default - no limit
   */
  readonly maxConcurrency?: number;
  /** Messages per invocation (the event source mapping's effective batch size). */
  readonly batchSize: number;
  /**
   * The batching window.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /** The SQS event source mapping. */
  readonly eventSourceMapping: lambda.EventSourceMapping;
}

/** Properties of a WriteBuffer. */
export interface WriteBufferProps {
  /**
   * Use this queue instead of creating one. Its redrive policy, encryption, visibility timeout and
   * resource policy (enforceSSL) are left as they are: pass `existingDeadLetterQueue` (the queue its
   * redrive policy targets) unless it is a `sqs.Queue` of this app with a dead-letter queue.
   * @default - a new queue is created
   */
  readonly existingQueue?: sqs.IQueue;
  /**
   * Settings for the new queue, applied over the defaults (encryption, enforceSSL); the redrive policy,
   * FIFO and deduplication settings are owned by the WriteBuffer.
   * @default - SQS-managed encryption, enforceSSL, derived visibility timeout
   */
  readonly queueProps?: sqs.QueueProps;
  /**
   * Use this dead-letter queue instead of creating one.
   * @default - a new dead-letter queue is created (unless `existingQueue` already has one)
   */
  readonly existingDeadLetterQueue?: sqs.IQueue;
  /**
   * Settings for the new dead-letter queue, applied over the defaults.
   * @default - same encryption as the queue, enforceSSL, 14 days retention
   */
  readonly deadLetterQueueProps?: sqs.QueueProps;
  /**
   * Receives of a message before SQS moves it to the dead-letter queue (1–1000; below 5 warns).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Create FIFO queues. Content-based deduplication stays off: producers set the deduplication id to
   * the message's idempotency key.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Customer managed KMS key for both queues.
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionMasterKey?: kms.IKey;
  /**
   * Visibility timeout of the queue. It must be at least the timeout of every consumer (Lambda refuses
   * less: synth fails); below AWS's recommendation of 6 × the consumer timeout + its batching window, synth
   * warns (`cdk-elastic-data-access:VisibilityTimeoutBelowRecommendation`, acknowledgeable).
   * @default - AWS's recommendation for the longest consumer (6 × timeout + batching window), and at least 30 seconds
   */
  readonly visibilityTimeout?: Duration;
  /**
   * How long the dead-letter queue keeps messages.
   * @default Duration.days(14)
   */
  readonly deadLetterRetention?: Duration;
  /**
   * The writers' backoff after transient failures.
   * @default - 64 s doubling, capped at 15 minutes, 20 % jitter, never below the queue's visibility timeout
   */
  readonly transientBackoff?: TransientBackoff;
  /**
   * The shortest database outage that must leave every healthy message on the queue. Synth warns
   * (`cdk-elastic-data-access:ToleratedOutageBelowMinimum`) when the outage computed from maxReceiveCount, the
   * visibility timeout and `transientBackoff` is shorter; the budget report (`<stack>.concurrency-budget.json`,
   * `writeBuffers`) states it with the worst-case delay after recovery.
   * @default Duration.minutes(15)
   */
  readonly minimumToleratedOutage?: Duration;
}
