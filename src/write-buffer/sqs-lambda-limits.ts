/**
 * The AWS limits of an SQS → Lambda event source that the WriteBuffer enforces at synth time.
 * aws-cdk-lib checks none of the cross-resource rules (https://github.com/aws/aws-cdk/issues/20527).
 */

/**
 * Maximum concurrency of an SQS event source: 2–1000.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
export const MIN_MAX_CONCURRENCY = 2;
export const MAX_MAX_CONCURRENCY = 1000;

/**
 * Batch size: 1–10,000 for standard queues (above 10 a batching window is required), 1–10 for FIFO.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const MIN_BATCH_SIZE = 1;
export const MAX_BATCH_SIZE_STANDARD = 10_000;
export const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
export const MAX_BATCH_SIZE_FIFO = 10;
/** The event source mapping's default batch size for SQS. */
export const DEFAULT_BATCH_SIZE = 10;

/**
 * MaximumBatchingWindowInSeconds: 0–300 s; not supported on FIFO queues.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const MAX_BATCHING_WINDOW_SECONDS = 300;

/**
 * "Set the source queue's visibility timeout to at least six times the timeout that you configure on
 * your function": a retried batch must not become visible again while it is still being processed.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * SQS's maximum visibility timeout: "Values range: 0 to 43200. Maximum: 12 hours."
 * (@aws-sdk/client-sqs, ChangeMessageVisibilityRequest.VisibilityTimeout)
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
 */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** The SQS default visibility timeout (30 s), also our floor for a derived visibility timeout. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Lambda's default function timeout when none is configured (3 s).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

/**
 * "Set the maxReceiveCount on the source queue's redrive policy to at least 5": throttled or failed
 * receives by the Lambda pollers count as receives, so a lower count dead-letters messages that were
 * never processed. SQS accepts 1–1000.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export const RECOMMENDED_MIN_MAX_RECEIVE_COUNT = 5;
export const MIN_MAX_RECEIVE_COUNT = 1;
export const MAX_MAX_RECEIVE_COUNT = 1000;
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/**
 * Message retention: 60 s – 14 days (1,209,600 s).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export const MIN_RETENTION_SECONDS = 60;
export const MAX_RETENTION_SECONDS = 1_209_600;
