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

/** Error codes of the idempotency table. */
export const IDEMPOTENCY_ERROR_CODES = {
  keyReused: 'EDA_IDEMPOTENCY_KEY_REUSED',
  tableLayout: 'EDA_IDEMPOTENCY_TABLE_LAYOUT',
} as const;

/**
 * An idempotency key already recorded with a different message body (its SHA-256 fingerprint differs): the
 * producer reused a key for another write. Skipping it as a duplicate would lose that write silently, so it is
 * permanent (dead-letter queue, error code EDA_IDEMPOTENCY_KEY_REUSED). The same key with the same body stays a
 * duplicate.
 */
export class IdempotencyKeyReuseError extends PermanentWriteError {
  public readonly idempotencyKey: string;

  constructor(idempotencyKey: string, messageId: string) {
    super(`idempotency key ${JSON.stringify(idempotencyKey)} of message ${messageId} is already recorded for a different message body`,
      IDEMPOTENCY_ERROR_CODES.keyReused);
    this.name = 'IdempotencyKeyReuseError';
    this.idempotencyKey = idempotencyKey;
  }
}

/**
 * The idempotency table has a layout under which distinct keys collide (a MySQL key column created by earlier
 * versions in the database's case-insensitive default collation). Writers refuse to claim keys in it until it is
 * upgraded (docs/operations.md). Transient: messages are retried with backoff and applied once the table is
 * upgraded, and the check runs again on the next batch, so no redeploy is needed.
 */
export class IdempotencyTableLayoutError extends Error {
  public readonly code = IDEMPOTENCY_ERROR_CODES.tableLayout;

  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyTableLayoutError';
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
