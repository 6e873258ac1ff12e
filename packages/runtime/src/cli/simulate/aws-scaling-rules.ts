/*
 * The AWS scaling rules the simulator plays forward, each with the documentation it follows. They are the only
 * places where AWS behaviour enters the model; everything else is arithmetic over the stack's own settings.
 */

/**
 * Lambda's concurrency scaling rate, per function. https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html:
 * "In each AWS Region, and for each function, your concurrency scaling rate is 1,000 execution environment instances
 * every 10 seconds (or 10,000 requests per second every 10 seconds)." and "In practice, Lambda makes a best attempt to
 * refill your concurrency scaling rate continuously over time, rather than in one refill of 1,000 units every 10
 * seconds." Unused rate does not accumulate: "at any given time, your scaling rate is always a maximum of 1,000 units
 * of concurrency". Modelled as a token bucket holding at most 1,000 new environments, refilled by 100 per second.
 */
export const LAMBDA_SCALING_BURST = 1000;
export const LAMBDA_SCALING_REFILL_PER_SECOND = 1000 / 10;

/** The scaling-rate bucket of one function: how many new execution environments it may add now. */
export class ScalingRateBucket {
  private tokens = LAMBDA_SCALING_BURST;

  /** Adds the refill of one second (never above the burst). */
  public refill(seconds = 1): void {
    this.tokens = Math.min(LAMBDA_SCALING_BURST, this.tokens + LAMBDA_SCALING_REFILL_PER_SECOND * seconds);
  }

  /** Takes up to `wanted` new environments; returns how many may be created. */
  public take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.tokens));
    this.tokens -= granted;
    return granted;
  }
}

/**
 * The SQS event source's pollers for a standard queue. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html:
 * "When messages are available, Lambda starts processing five batches at a time with five concurrent invocations of
 * your function. If messages are still available, Lambda increases the number of processes that are reading batches
 * by up to 300 more instances per minute. The maximum number of batches that an event source mapping can process
 * simultaneously is 1,000. When traffic is low, Lambda scales back the processing to five concurrent batches".
 */
export const SQS_POLLERS_INITIAL = 5;
export const SQS_POLLERS_ADDED_PER_MINUTE = 300;
export const SQS_POLLERS_MAX = 1000;

/**
 * The event source's MaximumConcurrency caps the pollers. https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html:
 * "Limits the number of concurrent instances that the Amazon SQS event source can invoke. ... Valid Range: Minimum
 * value of 2. Maximum value of 1000."
 */
export interface PollerScaling {
  /** Batches processed at once when messages first appear. @default 5 */
  readonly initial: number;
  /** Added per minute while messages stay available. @default 300 */
  readonly addedPerMinute: number;
  /** Ceiling of the event source. @default 1000 */
  readonly max: number;
}

export const AWS_POLLER_SCALING: PollerScaling = { initial: SQS_POLLERS_INITIAL, addedPerMinute: SQS_POLLERS_ADDED_PER_MINUTE, max: SQS_POLLERS_MAX };

/** The pollers of the next second: up while messages wait, back to the initial number when the queue is empty. */
export function nextPollers(current: number, messagesWaiting: boolean, scaling: PollerScaling, maximumConcurrency: number | undefined): number {
  const cap = Math.min(scaling.max, maximumConcurrency ?? scaling.max);
  if (!messagesWaiting) return Math.min(cap, scaling.initial);
  const started = Math.max(current, Math.min(cap, scaling.initial));
  return Math.min(cap, started + scaling.addedPerMinute / 60);
}

/**
 * Reserved concurrency caps one function and is taken from the account's pool.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: "Reserved concurrency – This represents
 * the maximum number of concurrent instances allocated to your function. When a function has reserved concurrency, no
 * other function can use that concurrency." Functions without it share what is left of the account limit:
 * https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html: "Lambda automatically scales up the number of
 * execution environments to handle these requests until your account reaches its concurrency quota." A request above
 * the cap is throttled (429 for synchronous callers; for an SQS event source the batch returns to the queue).
 */
export function unreservedPool(accountConcurrency: number, reservedInStack: number): number {
  return Math.max(0, accountConcurrency - reservedInStack);
}

/**
 * SQS's redrive policy. @aws-sdk/client-sqs (dist-types/models/models_0.d.ts, RedrivePolicy): "maxReceiveCount – The
 * number of times a message is delivered to the source queue before being moved to the dead-letter queue. Default: 10.
 * When the ReceiveCount for a message exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to the
 * dead-letter-queue." A message received maxReceiveCount times moves when it would be received once more.
 */
export function movesToDeadLetterQueue(receiveCount: number, maxReceiveCount: number | undefined): boolean {
  return maxReceiveCount !== undefined && receiveCount >= maxReceiveCount;
}

/**
 * A message neither deleted nor given a new visibility returns when the queue's visibility timeout, counted from its
 * receive, ends: "If the message is not deleted or its visibility timeout is not extended before the timeout expires,
 * it becomes visible again and can be retrieved by other consumers." (@aws-sdk/client-sqs ReceiveMessageRequest
 * VisibilityTimeout). A visibility set by ChangeMessageVisibility counts from the call: "the 10 seconds begin to count
 * from the time that you make the ChangeMessageVisibility call" (ChangeMessageVisibilityCommand.d.ts;
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
 * The queue's default: "If not specified, the default visibility timeout for the queue is used, which is 30 seconds."
 */
export const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * The event source's batch defaults (@aws-sdk/client-lambda dist-types/models/models_0.d.ts, CreateEventSourceMapping;
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html). BatchSize: "Amazon Simple Queue
 * Service – Default 10. For standard queues the max is 10,000." MaximumBatchingWindowInSeconds: "The maximum amount of
 * time, in seconds, that Lambda spends gathering records before invoking the function." and "For Kinesis, DynamoDB, and
 * Amazon SQS event sources, the default batching window is 0 seconds."
 */
export const SQS_DEFAULT_BATCH_SIZE = 10;
