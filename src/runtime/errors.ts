/**
 * Typed errors thrown by the runtime helpers. Callers branch on `instanceof` (or on `name`,
 * which survives bundling and structured logging).
 */

/** A required environment variable of the contract (docs/environment-contract.md) is missing or invalid. */
export class ConfigurationError extends Error {
  public readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'ConfigurationError';
    this.variable = variable;
  }
}

/**
 * The database is considered down: the circuit breaker is open (or its single half-open trial is
 * in flight). Thrown without touching the network so that an API can answer 503 in milliseconds.
 */
export class DatabaseUnavailableError extends Error {
  /** Milliseconds until the breaker lets a trial request through. */
  public readonly retryAfterMs: number;

  constructor(retryAfterMs: number, cause?: unknown) {
    super(`database unavailable: circuit breaker open, retry after ${retryAfterMs} ms`, { cause });
    this.name = 'DatabaseUnavailableError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A write was enqueued without an idempotency key. A random key would defeat deduplication, so this is an error. */
export class MissingIdempotencyKeyError extends Error {
  constructor(detail: string) {
    super(`missing idempotency key: ${detail}`);
    this.name = 'MissingIdempotencyKeyError';
  }
}

/**
 * Thrown by a write effect to mark a message as permanently failing (sent to the dead-letter
 * queue, never retried), e.g. a business rule that can never succeed.
 */
export class PermanentWriteError extends Error {
  public readonly code: string;

  constructor(message: string, code = 'EDA_PERMANENT') {
    super(message);
    this.name = 'PermanentWriteError';
    this.code = code;
  }
}

/** One entry that could not be enqueued after all attempts. */
export interface FailedEnqueueEntry {
  readonly idempotencyKey: string;
  readonly code: string;
  readonly message: string;
  /** true when SQS blamed the request (retrying cannot help). */
  readonly senderFault: boolean;
}

/**
 * `enqueueWrite`/`enqueueWrites` could not enqueue some entries: SQS rejected them, a whole call failed, or a
 * message was larger than SQS accepts. `failed` lists the keys NOT enqueued, `enqueued` the keys that were;
 * so a caller can retry exactly the failed ones (a retry of an enqueued key would be absorbed by the writer anyway).
 */
export class EnqueueError extends Error {
  public readonly failed: readonly FailedEnqueueEntry[];
  public readonly enqueued: readonly string[];

  constructor(failed: readonly FailedEnqueueEntry[], enqueued: readonly string[] = []) {
    super(`failed to enqueue ${failed.length} of ${failed.length + enqueued.length} write(s): `
      + `${failed.map((f) => `${f.idempotencyKey} (${f.code})`).join(', ')}; enqueued: ${enqueued.length}`);
    this.name = 'EnqueueError';
    this.failed = failed;
    this.enqueued = enqueued;
  }
}
