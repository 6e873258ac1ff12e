/**
 * The construct library's copy of the runtime's backoff model (packages/runtime/src/resilience/visibility-backoff.ts).
 * The construct library bundles no runtime code (jsii ships only its own lib), so the synth-time outage figures
 * are computed with this copy; test/write-buffer/runtime-contract.test.ts proves both give the same numbers.
 *
 * Backoff for transient write failures, applied by extending the failed message's visibility
 * timeout (ChangeMessageVisibility) instead of sleeping in the function.
 *
 * Every receive increments ApproximateReceiveCount and the queue's redrive policy moves a message
 * to the DLQ once it exceeds maxReceiveCount, so the outage a healthy message survives is the time
 * its first maxReceiveCount receives span: {@link toleratedOutageSeconds}. A backoff shorter than the
 * queue's own visibility timeout would only make receives come sooner and that time shorter, so the
 * visibility never drops below the queue's (`queueVisibilityTimeoutSeconds`, EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS).
 * The constructs report the figure per write buffer and warn at synth when it is below the minimum
 * (WriteBufferProps.minimumToleratedOutage, 15 minutes by default).
 *
 * Limits: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
 * ("The new value for the message's visibility timeout (in seconds). Values range: 0 to 43200. Maximum: 12 hours.",
 * @aws-sdk/client-sqs ChangeMessageVisibilityRequest).
 */

import { MAX_VISIBILITY_TIMEOUT_SECONDS } from './sqs-lambda-limits';

export { MAX_VISIBILITY_TIMEOUT_SECONDS };

/** Options of the transient-failure backoff. */
export interface VisibilityBackoffOptions {
  /** Visibility after the first failed receive, in seconds (doubled after each further one). @default 64 */
  readonly baseSeconds?: number;
  /** Upper bound of the visibility, in seconds (≤ 43,200). @default 900 */
  readonly maxSeconds?: number;
  /** Extra random delay, as a fraction of the computed delay, to spread retries after an outage. @default 0.2 */
  readonly jitter?: number;
  /**
   * The queue's visibility timeout: the backoff never sets a shorter one (it would shorten the tolerated outage).
   * @default 0 (unknown: no floor)
   */
  readonly queueVisibilityTimeoutSeconds?: number;
}

// 64 + 128 + 256 + 512 s = 16 minutes before the 5th receive even without a queue visibility floor: with
// maxReceiveCount 5 and the breaker's 10 s cool-down, ≥ 15 minutes for any queue.
export const DEFAULT_BACKOFF_BASE_SECONDS = 64;
export const DEFAULT_BACKOFF_MAX_SECONDS = 900;
export const DEFAULT_BACKOFF_JITTER = 0.2;

function resolve(options: VisibilityBackoffOptions): Required<VisibilityBackoffOptions> {
  const baseSeconds = options.baseSeconds ?? DEFAULT_BACKOFF_BASE_SECONDS;
  const maxSeconds = options.maxSeconds ?? DEFAULT_BACKOFF_MAX_SECONDS;
  const jitter = options.jitter ?? DEFAULT_BACKOFF_JITTER;
  const queueVisibilityTimeoutSeconds = options.queueVisibilityTimeoutSeconds ?? 0;
  if (!(baseSeconds >= 0)) throw new RangeError(`baseSeconds must be >= 0, got ${baseSeconds}`);
  if (!(maxSeconds >= baseSeconds && maxSeconds <= MAX_VISIBILITY_TIMEOUT_SECONDS)) {
    throw new RangeError(`maxSeconds must be between baseSeconds (${baseSeconds}) and ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got ${maxSeconds}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be between 0 and 1, got ${jitter}`);
  if (!(queueVisibilityTimeoutSeconds >= 0 && queueVisibilityTimeoutSeconds <= MAX_VISIBILITY_TIMEOUT_SECONDS)) {
    throw new RangeError(`queueVisibilityTimeoutSeconds must be between 0 and ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got ${queueVisibilityTimeoutSeconds}`);
  }
  return { baseSeconds, maxSeconds, jitter, queueVisibilityTimeoutSeconds };
}

/** The deterministic part of the delay after the `receiveCount`-th receive failed: base × 2^(n−1), capped. */
export function backoffFloorSeconds(receiveCount: number, options: VisibilityBackoffOptions = {}): number {
  const { baseSeconds, maxSeconds } = resolve(options);
  const n = Math.max(1, Math.floor(receiveCount));
  // 2^(n-1) overflows to Infinity for large n; Math.min keeps the cap.
  return Math.min(maxSeconds, baseSeconds * Math.pow(2, Math.min(n - 1, 60)));
}

/**
 * The visibility timeout to set after the `receiveCount`-th receive failed transiently: the backoff with
 * jitter, capped at maxSeconds, and never below the queue's visibility timeout.
 */
export function visibilityTimeoutSeconds(
  receiveCount: number,
  options: VisibilityBackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { maxSeconds, jitter, queueVisibilityTimeoutSeconds } = resolve(options);
  const floor = backoffFloorSeconds(receiveCount, options);
  const jittered = Math.min(maxSeconds, Math.round(floor * (1 + jitter * random())));
  return Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(queueVisibilityTimeoutSeconds, jittered));
}

/** What else shapes the outage a message survives, beyond the backoff. */
export interface OutageModelOptions {
  /**
   * How long a writer's circuit breaker stays open after the database came back (its cool-down): receives in
   * that time still fail fast and count. @default 0
   */
  readonly breakerCoolDownSeconds?: number;
  /** The writer function's timeout: how long one receive's processing can take. @default 0 */
  readonly functionTimeoutSeconds?: number;
}

/**
 * Lower bound of the database outage (seconds) that a healthy message survives without reaching the DLQ, at
 * any moment the outage starts: receive n+1 comes at least the visibility set after receive n later (the
 * shortest jitter, the queue's visibility as floor; the receives' own processing counted as 0 s, which is
 * what a writer whose breaker is open takes), so receives 1 … maxReceiveCount span at least the sum over
 * n < maxReceiveCount. The breaker's cool-down is subtracted: receives right after the recovery still fail.
 *
 * Assumes the writer sets the visibility after each failed receive. A receive whose visibility is not
 * changed (the invocation killed by its timeout, ChangeMessageVisibility refused) comes back after the
 * queue's visibility timeout, measured from the receive.
 */
export function toleratedOutageSeconds(maxReceiveCount: number, options: VisibilityBackoffOptions = {}, model: OutageModelOptions = {}): number {
  let total = 0;
  for (let n = 1; n < maxReceiveCount; n++) total += visibilityTimeoutSeconds(n, options, () => 0);
  return Math.max(0, total - (model.breakerCoolDownSeconds ?? 0));
}

/**
 * Upper bound of the delay (seconds) from the database's recovery until a message is applied, for an outage
 * within {@link toleratedOutageSeconds}: the breaker's cool-down, the failing receive's processing (≤ the
 * function timeout), the longest visibility among receives 1 … maxReceiveCount−1 with the largest jitter,
 * and the successful receive's processing. Excludes the time a backlog takes to drain (messages ÷ throughput).
 */
export function worstCaseDelayAfterRecoverySeconds(
  maxReceiveCount: number,
  options: VisibilityBackoffOptions = {},
  model: OutageModelOptions = {},
): number {
  let longest = 0;
  for (let n = 1; n < Math.max(2, maxReceiveCount); n++) longest = Math.max(longest, visibilityTimeoutSeconds(n, options, () => 1));
  const timeout = model.functionTimeoutSeconds ?? 0;
  return (model.breakerCoolDownSeconds ?? 0) + timeout + longest + timeout;
}

/** The runtime's default circuit-breaker cool-down (packages/runtime/src/resilience/circuit-breaker.ts). */
export const DEFAULT_BREAKER_COOL_DOWN_MS = 10_000;
