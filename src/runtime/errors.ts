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

/** `enqueueWrites` could not enqueue some entries after its bounded retries. */
export class EnqueueError extends Error {
  public readonly failed: readonly FailedEnqueueEntry[];

  constructor(failed: readonly FailedEnqueueEntry[]) {
    super(`failed to enqueue ${failed.length} write(s): ${failed.map((f) => `${f.idempotencyKey} (${f.code})`).join(', ')}`);
    this.name = 'EnqueueError';
    this.failed = failed;
  }
}

/**
 * PostgreSQL ended a transaction with ROLLBACK when it was asked to COMMIT: a statement of the transaction
 * failed and the caller's code caught the error (e.g. `catch (e) { if (e.code !== '23505') throw e }` to
 * "ignore duplicates"), which leaves the transaction aborted. PostgreSQL then answers COMMIT with the command
 * tag ROLLBACK and no error, so nothing (neither the effect nor its idempotency key) was written. The writer
 * treats the message as failed: permanent (dead-letter queue) when the caught error is permanent, transient
 * otherwise. To ignore a duplicate, use `INSERT … ON CONFLICT DO NOTHING` (or a SAVEPOINT) instead of catching.
 */
export class TransactionRolledBackError extends Error {
  public readonly code = 'EDA_TRANSACTION_ROLLED_BACK';

  constructor(cause: unknown) {
    const caught = cause === undefined ? 'no statement error was seen'
      : `first statement error, caught by the caller: ${(cause as { code?: unknown }).code ?? '-'} ${(cause as Error).message ?? String(cause)}`;
    super(`COMMIT was answered with ROLLBACK: the transaction had been aborted by an error and nothing was written (${caught})`, { cause });
    this.name = 'TransactionRolledBackError';
  }
}

/**
 * The writer's invocation has too little time left to start (or continue) a database transaction before
 * the function timeout. Transient: the message is returned unprocessed and comes back after the queue's visibility timeout.
 */
export class TimeBudgetExhaustedError extends Error {
  public readonly code = 'EDA_TIME_BUDGET';

  constructor(what: string) {
    super(`${what} not started: the invocation's time budget is exhausted (function timeout near)`);
    this.name = 'TimeBudgetExhaustedError';
  }
}
