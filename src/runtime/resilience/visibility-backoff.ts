/**
 * Backoff for transient write failures, applied by extending the failed message's visibility
 * timeout (ChangeMessageVisibility) instead of sleeping in the function.
 *
 * Every receive increments ApproximateReceiveCount and the queue's redrive policy moves a message
 * to the DLQ once it exceeds maxReceiveCount. Without backoff a message is retried every visibility
 * timeout (e.g. 6 × a 30 s function timeout = 3 min), so 5 receives last ~15 min at best and
 * seconds at worst. With exponential visibility a database outage of
 * {@link toleratedOutageSeconds}(maxReceiveCount) seconds leaves healthy messages on the queue:
 * size maxReceiveCount with it.
 *
 * Limits: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
 * (VisibilityTimeout 0 to 43,200 seconds = 12 hours).
 */

/** SQS's maximum visibility timeout (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** Options of the transient-failure backoff. */
export interface VisibilityBackoffOptions {
  /** Visibility after the first failed receive, in seconds. @default 10 */
  readonly baseSeconds?: number;
  /** Upper bound of the visibility, in seconds (≤ 43,200). @default 900 */
  readonly maxSeconds?: number;
  /** Extra random delay, as a fraction of the computed delay, to spread retries after an outage. @default 0.2 */
  readonly jitter?: number;
}

const DEFAULT_BASE_SECONDS = 10;
const DEFAULT_MAX_SECONDS = 900;
const DEFAULT_JITTER = 0.2;

function resolve(options: VisibilityBackoffOptions): Required<VisibilityBackoffOptions> {
  const baseSeconds = options.baseSeconds ?? DEFAULT_BASE_SECONDS;
  const maxSeconds = options.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const jitter = options.jitter ?? DEFAULT_JITTER;
  if (!(baseSeconds >= 0)) throw new RangeError(`baseSeconds must be >= 0, got ${baseSeconds}`);
  if (!(maxSeconds >= baseSeconds && maxSeconds <= MAX_VISIBILITY_TIMEOUT_SECONDS)) {
    throw new RangeError(`maxSeconds must be between baseSeconds (${baseSeconds}) and ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got ${maxSeconds}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be between 0 and 1, got ${jitter}`);
  return { baseSeconds, maxSeconds, jitter };
}

/** The deterministic part of the delay after the `receiveCount`-th receive failed: base × 2^(n−1), capped. */
export function backoffFloorSeconds(receiveCount: number, options: VisibilityBackoffOptions = {}): number {
  const { baseSeconds, maxSeconds } = resolve(options);
  const n = Math.max(1, Math.floor(receiveCount));
  // 2^(n-1) overflows to Infinity for large n; Math.min keeps the cap.
  return Math.min(maxSeconds, baseSeconds * Math.pow(2, Math.min(n - 1, 60)));
}

/** The visibility timeout to set after the `receiveCount`-th receive failed transiently. */
export function visibilityTimeoutSeconds(
  receiveCount: number,
  options: VisibilityBackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { maxSeconds, jitter } = resolve(options);
  const floor = backoffFloorSeconds(receiveCount, options);
  return Math.min(maxSeconds, Math.round(floor * (1 + jitter * random())));
}

/**
 * Lower bound of the database outage (seconds) that a message survives before the redrive policy
 * moves it to the DLQ: the sum of the backoff delays of receives 1 … maxReceiveCount−1
 * (processing time and the queue's own visibility timeout only add to it).
 */
export function toleratedOutageSeconds(maxReceiveCount: number, options: VisibilityBackoffOptions = {}): number {
  let total = 0;
  for (let n = 1; n < maxReceiveCount; n++) total += backoffFloorSeconds(n, options);
  return total;
}
