/**
 * The AWS limits of an SQS → Lambda event source that the WriteBuffer enforces at synth time.
 * aws-cdk-lib checks none of the cross-resource rules (https://github.com/aws/aws-cdk/issues/20527).
 */

/**
 * Maximum concurrency of an SQS event source: 2–1000. Lambda API ScalingConfig.MaximumConcurrency: "Limits
 * the number of concurrent instances that the Amazon SQS event source can invoke. Type: Integer. Valid
 * Range: Minimum value of 2. Maximum value of 1000."
 * https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html
 */
export const MIN_MAX_CONCURRENCY = 2;
export const MAX_MAX_CONCURRENCY = 1000;

/**
 * Batch size: 1–10,000 for standard queues (above 10 a batching window is required), 1–10 for FIFO.
 * Lambda API CreateEventSourceMapping.BatchSize (@aws-sdk/client-lambda `models_0.d.ts`): "Amazon Simple
 * Queue Service – Default 10. For standard queues the max is 10,000. For FIFO queues the max is 10." and
 * "when you set BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1."
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const MIN_BATCH_SIZE = 1;
export const MAX_BATCH_SIZE_STANDARD = 10_000;
export const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
export const MAX_BATCH_SIZE_FIFO = 10;
/** The event source mapping's default batch size for SQS. */
export const DEFAULT_BATCH_SIZE = 10;

/**
 * MaximumBatchingWindowInSeconds: 0–300 s in whole seconds; not supported on FIFO queues. Lambda API
 * (@aws-sdk/client-lambda `models_0.d.ts`): "You can configure MaximumBatchingWindowInSeconds to any value
 * from 0 seconds to 300 seconds in increments of seconds."
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const MAX_BATCHING_WINDOW_SECONDS = 300;

/**
 * AWS's RECOMMENDATION (not a limit AWS enforces): "We recommend setting your queue's visibility timeout to
 * six times your function timeout, plus the value of MaximumBatchingWindowInSeconds." A batch retried after
 * a throttle or an error must not become visible again while it is still being processed.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * The WriteBuffer derives this value when it owns the visibility timeout, and only WARNS when a visibility
 * timeout the user chose is below it: the configuration deploys and works, and a deliberately shorter
 * timeout (quick redelivery of a short function's failed batches) is a legitimate trade-off. The warning
 * has a stable id (cdk-elastic-data-access:VisibilityTimeoutBelowRecommendation) to acknowledge it, and
 * `cdk synth --strict` turns it into a failure for teams that want the recommendation enforced.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/*
 * The HARD rule: Lambda refuses to create an SQS event source mapping when the queue's visibility timeout
 * is below the function timeout, with InvalidParameterValueException "Queue visibility timeout: 30 seconds
 * is less than Function timeout: 60 seconds" (CreateEventSourceMapping; reported verbatim in
 * github.com/winglang/wing/issues/1507 and github.com/18F/identity-terraform/pull/27). The WriteBuffer fails
 * synth on it (function timeout ≤ visibility timeout), since the stack would fail at deploy.
 */
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
 * never processed. SQS accepts 1–1000 (UNVERIFIED: the SQS API text in @aws-sdk/client-sqs gives no range
 * for maxReceiveCount; 1–1000 is the range CloudFormation and the SQS console apply).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export const RECOMMENDED_MIN_MAX_RECEIVE_COUNT = 5;
export const MIN_MAX_RECEIVE_COUNT = 1;
export const MAX_MAX_RECEIVE_COUNT = 1000;
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/**
 * Message retention: 60 s – 14 days (1,209,600 s). SQS API (@aws-sdk/client-sqs `models_0.d.ts`),
 * MessageRetentionPeriod: "An integer from 60 seconds (1 minute) to 1,209,600 seconds (14 days). Default:
 * 345,600 (4 days)."
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export const MIN_RETENTION_SECONDS = 60;
export const MAX_RETENTION_SECONDS = 1_209_600;
/**
 * Retention of a queue created without one. SQS API reference (SetQueueAttributes, in
 * @aws-sdk/client-sqs models_0.d.ts): "MessageRetentionPeriod – The length of time, in seconds, for which Amazon
 * SQS retains a message. Valid values: An integer from 60 seconds (1 minute) to 1,209,600 seconds (14 days).
 * Default: 345,600 (4 days)."
 */
export const DEFAULT_RETENTION_SECONDS = 345_600;
